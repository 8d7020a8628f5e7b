// SPDX-License-Identifier: AGPL-3.0-or-later

package pabulib

import (
	"fmt"

	"github.com/polder-civic/polder/modules/budgets/rules"
)

// Election converts the instance into the input of the outcome rules.
// Costs and budget are scaled to integers by 10^MoneyScale (the largest
// number of decimals among them), and Election.Unit is set so that add1
// still adds one currency unit. Cumulative and scoring ballots become
// cardinal ballots (points scaled to integers the same way); ordinal
// ballots are read as approval of every ranked project.
func (in *Instance) Election() (*rules.Election, int, error) {
	budget, err := in.Budget()
	if err != nil {
		return nil, 0, err
	}
	if budget.Sign() <= 0 {
		return nil, 0, fmt.Errorf("budget %s must be positive", budget)
	}
	scale := budget.Scale
	for _, p := range in.Projects {
		scale = max(scale, p.Cost.Scale)
	}
	e := &rules.Election{Unit: 1}
	for i := 0; i < scale; i++ {
		e.Unit *= 10
	}
	var ok bool
	if e.Budget, ok = budget.ScaledTo(scale); !ok {
		return nil, 0, fmt.Errorf("budget %s too large", budget)
	}
	e.Projects = make([]rules.Project, len(in.Projects))
	for i, p := range in.Projects {
		c, ok := p.Cost.ScaledTo(scale)
		if !ok {
			return nil, 0, fmt.Errorf("project %q: cost %s too large", p.ID, p.Cost)
		}
		e.Projects[i] = rules.Project{ID: p.ID, Cost: c}
	}
	vt := in.VoteType()
	e.Cardinal = vt == VoteCumulative || vt == VoteScoring
	pointScale := 0
	if e.Cardinal {
		for _, v := range in.Votes {
			if v.Points == nil {
				return nil, 0, fmt.Errorf("line %d: %s ballot without points", v.Line, vt)
			}
			for _, d := range v.Points {
				pointScale = max(pointScale, d.Scale)
			}
		}
	}
	idx := in.ProjectIndex()
	e.Ballots = make([]rules.Ballot, len(in.Votes))
	for i, v := range in.Votes {
		b := rules.Ballot{Projects: make([]int, len(v.Projects))}
		for k, id := range v.Projects {
			b.Projects[k] = idx[id]
		}
		if e.Cardinal {
			b.Scores = make([]int64, len(v.Points))
			for k, d := range v.Points {
				if b.Scores[k], ok = d.ScaledTo(pointScale); !ok {
					return nil, 0, fmt.Errorf("line %d: points %s too large", v.Line, d)
				}
			}
		}
		e.Ballots[i] = b
	}
	return e, scale, nil
}
