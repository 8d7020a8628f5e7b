// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"testing"
	"time"

	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// TestReplay checks Replay's bookkeeping on a planted conversation: one
// run per cadence tick that has votes, the history carried through, a
// later vote replacing an earlier one, and the same result twice.
func TestReplay(t *testing.T) {
	c := generate(synthSpec{Seed: 3, Participants: 120, GroupShares: []float64{0.6, 0.4}, Consensus: 3, Signatures: 3, MissingMin: 0.3, MissingMax: 0.6, Noise: 0.05})
	var votes []opinionmath.TimedVote
	stmts := c.m.Statements()
	// Participant i votes during minute i/10: 12 ticks of one minute.
	for i, p := range c.m.Participants() {
		for _, s := range c.m.VotedStatements(p) {
			v, _ := c.m.Vote(p, s)
			votes = append(votes, opinionmath.TimedVote{Time: int64(i/10) * 60_000, Participant: p, Statement: s, Vote: v})
		}
	}
	// A first vote later replaced: the replay must end with the latest.
	first := votes[0]
	votes = append(votes, opinionmath.TimedVote{Time: 11*60_000 + 1, Participant: first.Participant, Statement: first.Statement, Vote: -first.Vote})

	res, _, err := opinionmath.Replay(stmts, votes, time.Minute, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.History.Runs != 12 {
		t.Errorf("runs = %d, want 12 (one per minute with votes)", res.History.Runs)
	}
	if err := res.Validate(); err != nil {
		t.Fatal(err)
	}
	var ours, planted []int
	for _, p := range res.Participants {
		if p.Clustered {
			ours = append(ours, p.Group)
			planted = append(planted, c.group[p.ID])
		}
	}
	if got := opinionmath.AdjustedRandIndex(ours, planted); got < 0.9 {
		t.Errorf("replayed groups: ARI %.3f with the planted ones, want ≥ 0.9", got)
	}
	again, _, err := opinionmath.Replay(stmts, votes, time.Minute, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := res.History.PCA, 0; v == nil {
		t.Fatal("no PCA in the history")
	}
	for i, p := range res.Participants {
		if q := again.Participants[i]; q.Group != p.Group || q.Point != p.Point {
			t.Fatalf("participant %d: not deterministic (%v vs %v)", p.ID, p, q)
		}
	}
	hourly, _, err := opinionmath.Replay(stmts, votes, time.Hour, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if hourly.History.Runs != 1 {
		t.Errorf("hourly runs = %d, want 1", hourly.History.Runs)
	}
	if _, _, err := opinionmath.Replay(stmts, votes, 0, opinionmath.Options{}); err == nil {
		t.Error("cadence 0 accepted")
	}
	if _, _, err := opinionmath.Replay(stmts, nil, time.Minute, opinionmath.Options{}); err == nil {
		t.Error("no votes accepted")
	}
}
