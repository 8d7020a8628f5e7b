// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import (
	"fmt"
	"maps"
	"slices"
)

// Update refreshes prev after new votes without a full recompute: only the
// participants in changed (those who voted since prev, including new ones)
// are re-projected with prev's PCA (statements newer than it contribute
// nothing yet), admitted to the clustering if they now qualify, and put in
// the base cluster nearest to them, whose group they join; base centres,
// groups and k stay as they were. The statistics (repness, consensus,
// priorities…) are then recomputed from the current votes, which is one
// pass over the votes.
//
// newVotes is the number of votes applied since prev. Once the votes since
// the last full run reach Options.FullEvery, or when prev has no groups
// yet, Update runs a full Compute with prev's history instead: the map
// drifts a little between full runs, and the full run corrects it.
func Update(m *Matrix, prev *Result, changed []int64, newVotes int, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	if prev == nil || prev.History == nil {
		return Compute(m, nil, opts)
	}
	hist := prev.History
	if hist.VotesSinceFull+newVotes >= opts.FullEvery || len(prev.BaseClusters) == 0 {
		return Compute(m, hist, opts)
	}
	if len(prev.Participants) > len(m.participants) {
		return nil, fmt.Errorf("update: previous result has %d participants, matrix only %d", len(prev.Participants), len(m.participants))
	}

	inMath := make([]bool, len(m.statements))
	nInMath := 0
	for j, s := range m.statements {
		inMath[j] = s.inMath(opts.StrictModeration)
		if inMath[j] {
			nInMath++
		}
	}
	res := &Result{
		PCA:           prev.PCA,
		BestK:         prev.BestK,
		Silhouettes:   prev.Silhouettes,
		BaseGroupsByK: prev.BaseGroupsByK,
		Incremental:   true,
		Participants:  make([]ParticipantResult, len(m.participants)),
		BaseClusters:  slices.Clone(prev.BaseClusters),
		partIndex:     make(map[int64]int, len(m.participants)),
	}
	copy(res.Participants, prev.Participants)
	for r := len(prev.Participants); r < len(m.participants); r++ {
		res.Participants[r] = ParticipantResult{ID: m.participants[r], Base: -1, Group: -1}
	}
	for r, p := range res.Participants {
		res.partIndex[p.ID] = r
	}
	next := *hist
	next.InConv = maps.Clone(hist.InConv)
	next.VotesSinceFull = hist.VotesSinceFull + newVotes
	res.History = &next

	centres := make([]Point, len(res.BaseClusters))
	for b, bc := range res.BaseClusters {
		centres[b] = bc.Center
	}
	colOf := res.PCA.columnMap(m)
	threshold := min(minVotesInConv, len(m.statements))
	for _, id := range changed {
		r, ok := m.partIndex[id]
		if !ok {
			continue
		}
		p := &res.Participants[r]
		x, y, _ := res.PCA.project(m, inMath, colOf, len(m.statements)-nInMath, r)
		p.Point = Point{x, y}
		p.Votes = len(m.rows[r])
		if !p.Clustered && p.Votes >= threshold && p.Votes > 0 {
			p.Clustered = true
			next.InConv[p.ID] = true
		}
		if !p.Clustered {
			continue
		}
		b, _ := nearest(p.Point, centres)
		if p.Base >= 0 {
			res.BaseClusters[p.Base].Size--
		}
		res.BaseClusters[b].Size++
		p.Base = b
		p.Group = res.BaseClusters[b].Group
	}

	res.Groups = make([]Group, len(prev.Groups))
	for g, pg := range prev.Groups {
		res.Groups[g] = Group{ID: pg.ID, Center: pg.Center}
	}
	for _, p := range res.Participants {
		if p.Group >= 0 {
			res.Groups[p.Group].Members = append(res.Groups[p.Group].Members, p.ID)
		}
	}
	res.computeStatistics(m, inMath, opts)
	return res, nil
}
