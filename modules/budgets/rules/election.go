// SPDX-License-Identifier: AGPL-3.0-or-later

package rules

import (
	"errors"
	"fmt"
	"math"
)

// Project is a fundable project; Cost is in the election's integer money
// unit (see Election.Unit).
type Project struct {
	ID   string
	Cost int64
}

// Ballot is one voter's ballot: indices into Election.Projects, and for
// cardinal ballots the aligned positive scores (points). Scores is nil for
// approval ballots.
type Ballot struct {
	Projects []int
	Scores   []int64
}

// Election is the input of the outcome rules. Money is in integers: a file
// with decimal costs is scaled (cents) before it gets here.
type Election struct {
	Budget   int64
	Projects []Project
	Ballots  []Ballot
	// Cardinal is true for cumulative and scoring ballots: greedy orders by
	// total score and MES uses the scores as utilities.
	Cardinal bool
	// Unit is how many money units make one currency unit: the add1
	// completion raises every voter's share by one currency unit per step.
	// Zero means 1.
	Unit int64
}

// ErrInvalidElection is wrapped by Validate's errors.
var ErrInvalidElection = errors.New("invalid election")

// Validate checks the invariants the rules rely on.
func (e *Election) Validate() error {
	if e.Budget <= 0 {
		return fmt.Errorf("%w: budget %d must be positive", ErrInvalidElection, e.Budget)
	}
	if e.Unit < 0 {
		return fmt.Errorf("%w: negative unit", ErrInvalidElection)
	}
	if e.Budget > maxExact {
		return fmt.Errorf("%w: budget %d above 2^53", ErrInvalidElection, e.Budget)
	}
	seen := make(map[string]bool, len(e.Projects))
	for _, p := range e.Projects {
		if p.Cost > maxExact {
			return fmt.Errorf("%w: project %q costs %d, above 2^53", ErrInvalidElection, p.ID, p.Cost)
		}
		if p.Cost <= 0 {
			return fmt.Errorf("%w: project %q has cost %d", ErrInvalidElection, p.ID, p.Cost)
		}
		if seen[p.ID] {
			return fmt.Errorf("%w: duplicate project %q", ErrInvalidElection, p.ID)
		}
		seen[p.ID] = true
	}
	// seenBy[p] is 1 + the last ballot listing p: a duplicate check
	// without a map per ballot.
	seenBy := make([]int, len(e.Projects))
	approvals := 0
	for i, b := range e.Ballots {
		approvals += len(b.Projects)
		if approvals > math.MaxInt32 {
			return fmt.Errorf("%w: more than 2^31 approvals", ErrInvalidElection)
		}
		if b.Scores != nil && len(b.Scores) != len(b.Projects) {
			return fmt.Errorf("%w: ballot %d has %d scores for %d projects", ErrInvalidElection, i, len(b.Scores), len(b.Projects))
		}
		for k, p := range b.Projects {
			if p < 0 || p >= len(e.Projects) || seenBy[p] == i+1 {
				return fmt.Errorf("%w: ballot %d lists project index %d out of range or twice", ErrInvalidElection, i, p)
			}
			seenBy[p] = i + 1
			if b.Scores != nil && (b.Scores[k] < 0 || b.Scores[k] > maxExact) {
				return fmt.Errorf("%w: ballot %d has a negative score", ErrInvalidElection, i)
			}
		}
	}
	return nil
}

// maxExact bounds money, scores and per-project utility totals: up to 2^53
// they convert to float64 exactly, which the float filters of MES assume,
// and their sums and products stay far from int64 overflow.
const maxExact = 1 << 53

// checkUtilityTotals refuses elections where a project's total utility
// (approvals × cost with cost utilities, the score total for cardinal
// ballots) exceeds maxExact.
func (e *Election) checkUtilityTotals(util Utility) error {
	count, score := e.Votes()
	for p, pr := range e.Projects {
		var total float64 // float: the product itself may overflow int64
		switch {
		case e.Cardinal:
			total = float64(score[p])
		case util == UtilityCardinality:
			total = float64(count[p])
		default:
			total = float64(count[p]) * float64(pr.Cost)
		}
		if total > maxExact {
			return fmt.Errorf("%w: project %q: total utility %.3g above 2^53", ErrInvalidElection, pr.ID, total)
		}
	}
	return nil
}

func (e *Election) unit() int64 {
	if e.Unit <= 0 {
		return 1
	}
	return e.Unit
}

// Votes returns per project the number of ballots supporting it (approval,
// or positive score) and the total score (equal to the count for approval
// ballots).
func (e *Election) Votes() (count, score []int64) {
	count = make([]int64, len(e.Projects))
	score = make([]int64, len(e.Projects))
	for _, b := range e.Ballots {
		for k, p := range b.Projects {
			s := int64(1)
			if b.Scores != nil {
				s = b.Scores[k]
			}
			if s > 0 {
				count[p]++
				score[p] += s
			}
		}
	}
	return count, score
}
