// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// TimedVote is a vote with the time it was cast, for Replay.
type TimedVote struct {
	// Time is when the vote was cast, in milliseconds since the Unix epoch
	// (any monotone clock in milliseconds will do).
	Time        int64
	Participant int64
	Statement   int64
	Vote        Vote
}

// Replay recomputes a conversation the way a live Pol.is server did: the
// votes arrive in time order and the math runs again, with the previous
// run's history (PCA, base clusters and group clusters warm-started, k
// smoothed over runs, admitted participants kept), at the end of every
// cadence-long tick in which new votes arrived, as Pol.is's math worker
// does when it polls for new votes (every second by default). The result
// of the last run is returned with the final vote matrix it was computed
// on; its History.Runs counts the runs.
//
// Pol.is's published groups are the end of such a history, not of one cold
// run: near-tied clusterings are decided by which one the groups fell into
// early on. Replay reproduces that mechanism; it cannot reproduce the
// server's exact timing (recompute durations, restarts), so results may
// still differ where the choice was a near tie.
//
// statements carry their final moderation state (exports do not say when
// moderation happened); a statement becomes a column when its first vote
// arrives, and a participant a row at their first vote (Pol.is's order).
// Group clusterings that start cold use Pol.is's first-distinct-points
// start only (Options.PolisColdStart). Votes with equal times keep their
// order; a later vote of a participant on a statement replaces the earlier.
func Replay(statements []Statement, votes []TimedVote, cadence time.Duration, opts Options) (*Result, *Matrix, error) {
	if cadence < time.Millisecond {
		return nil, nil, fmt.Errorf("replay: cadence %v, want at least 1ms", cadence)
	}
	if len(votes) == 0 {
		return nil, nil, errors.New("replay: no votes")
	}
	opts.PolisColdStart = true
	byID := make(map[int64]Statement, len(statements))
	for _, s := range statements {
		byID[s.ID] = s
	}
	ordered := slices.Clone(votes)
	slices.SortStableFunc(ordered, func(a, b TimedVote) int { return cmp.Compare(a.Time, b.Time) })

	tick := cadence.Milliseconds()
	m := NewMatrix()
	added := make(map[int64]bool, len(statements))
	var res *Result
	var hist *History
	for i, v := range ordered {
		if !added[v.Statement] {
			added[v.Statement] = true
			s, ok := byID[v.Statement]
			if !ok {
				s = Statement{ID: v.Statement}
			}
			m.SetStatement(s)
		}
		if err := m.SetVote(v.Participant, v.Statement, v.Vote); err != nil {
			return nil, nil, fmt.Errorf("replay: vote %d: %w", i, err)
		}
		// Run at the end of the tick: when the next vote falls in a later
		// tick, or after the last vote.
		if i+1 < len(ordered) && floorDiv(ordered[i+1].Time, tick) == floorDiv(v.Time, tick) {
			continue
		}
		runOpts := opts
		runOpts.skipStatistics = i+1 < len(ordered) // only the last run is returned
		var err error
		if res, err = Compute(m, hist, runOpts); err != nil {
			return nil, nil, fmt.Errorf("replay: run %d: %w", hist.runs()+1, err)
		}
		hist = res.History
	}
	return res, m, nil
}

func (h *History) runs() int {
	if h == nil {
		return 0
	}
	return h.Runs
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
