// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/polder-civic/polder/modules/opinionmap"
	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// TestIncrementalRecompute: after a full run, a few new votes take the
// incremental path, whose groups, consensus and routing mean the same as
// a full run's on the same votes; many votes, or a new statement, take a
// full run again.
func TestIncrementalRecompute(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.svc()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := t0
	svc.Now = func() time.Time { return clock }
	var bodies []string
	for i := range 16 {
		bodies = append(bodies, fmt.Sprintf("Statement %d", i))
	}
	ids := e.seed(bodies...)
	// Two camps of unequal sizes: statements 0–5 split them, 6 and 7 unite
	// them, the rest get mixed votes.
	campVote := func(camp, i, j int) int {
		switch {
		case j < 6:
			if (camp == 0) == (j%2 == 0) {
				return 1
			}
			return -1
		case j < 8:
			return 1
		}
		return []int{1, -1, 0}[(i+j)%3]
	}
	participant := func(key string) *opinionmap.Participant {
		p, err := svc.Participant(ctx, e.comp.ID, opinionmap.Who{AnonKey: key}, true)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	castAll := func(p *opinionmap.Participant, camp, i int, statements []int64) {
		for j, id := range statements {
			if err := svc.Vote(ctx, e.comp, p, id, campVote(camp, i, j)); err != nil {
				t.Fatal(err)
			}
		}
	}
	clock = t0.Add(-time.Hour)
	camp := map[int64]int{}
	for i := range 60 {
		c := 0
		if i%3 == 2 {
			c = 1
		}
		p := participant(fmt.Sprintf("old-%d", i))
		camp[p.ID] = c
		castAll(p, c, i, ids)
	}
	clock = t0
	first, err := svc.Recompute(ctx, e.comp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first.Result.Incremental || len(first.Result.Groups) != 2 {
		t.Fatalf("first run: incremental %v, %d groups; want a full run with 2 groups", first.Result.Incremental, len(first.Result.Groups))
	}

	// Three newcomers (48 votes, under 10% of 1,008): incremental.
	clock = t0.Add(time.Minute)
	for i := range 3 {
		p := participant(fmt.Sprintf("new-%d", i))
		camp[p.ID] = i % 2
		castAll(p, i%2, 100+i, ids)
	}
	clock = t0.Add(2 * time.Minute)
	inc, err := svc.Recompute(ctx, e.comp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !inc.Result.Incremental {
		t.Fatal("48 new votes of 1,008: want the incremental path")
	}
	if inc.VotesCount != 63*16 || inc.ParticipantsCount != 63 {
		t.Fatalf("incremental run reflects %d votes of %d participants, want %d of 63", inc.VotesCount, inc.ParticipantsCount, 63*16)
	}
	// Same meaning as a full run on the same votes: every participant in
	// the group of their camp (the newcomers were placed by the update
	// alone), the same consensus.
	m, _, err := svc.Matrix(ctx, e.comp.ID)
	if err != nil {
		t.Fatal(err)
	}
	full, err := opinionmath.Compute(m, first.Result.History, opinionmath.Options{Seed: uint64(e.comp.ID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range []*opinionmath.Result{inc.Result, full} {
		var ours, planted []int
		for _, p := range res.Participants {
			if !p.Clustered {
				t.Fatalf("participant %d (incremental %v) not clustered", p.ID, res.Incremental)
			}
			ours = append(ours, p.Group)
			planted = append(planted, camp[p.ID])
		}
		if ari := opinionmath.AdjustedRandIndex(ours, planted); ari != 1 {
			t.Errorf("incremental %v: ARI %.3f with the camps, want 1", res.Incremental, ari)
		}
		if got := topConsensus(res); got != ids[6] && got != ids[7] {
			t.Errorf("incremental %v: first consensus statement %d, want %d or %d", res.Incremental, got, ids[6], ids[7])
		}
	}
	// A new statement changes the axes: full run.
	clock = t0.Add(3 * time.Minute)
	extra := e.seed("A statement added later")
	if err := svc.Vote(ctx, e.comp, participant("new-0"), extra[0], 1); err != nil {
		t.Fatal(err)
	}
	clock = t0.Add(4 * time.Minute)
	r, err := svc.Recompute(ctx, e.comp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Result.Incremental {
		t.Fatal("after a new statement: want a full run")
	}

	// More than 10% of the votes since the last full run: full run.
	clock = t0.Add(5 * time.Minute)
	for i := range 8 {
		castAll(participant(fmt.Sprintf("late-%d", i)), i%2, 200+i, ids)
	}
	clock = t0.Add(6 * time.Minute)
	if r, err = svc.Recompute(ctx, e.comp.ID); err != nil {
		t.Fatal(err)
	}
	if r.Result.Incremental {
		t.Fatal("128 new votes of 1,137: want a full run")
	}
}

func topConsensus(res *opinionmath.Result) int64 {
	if len(res.GroupConsensus) == 0 {
		return 0
	}
	return res.GroupConsensus[0].StatementID
}

// TestVoteAndList: the statements returned with a vote (one statement on
// PostgreSQL) are those the participant has voted on now, a changed vote
// included once, another participant's votes not.
func TestVoteAndList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.seed("One", "Two", "Three")
	p, err := e.svc().Participant(ctx, e.comp.ID, opinionmap.Who{AnonKey: "k"}, true)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.svc().Participant(ctx, e.comp.ID, opinionmap.Who{AnonKey: "other"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc().Vote(ctx, e.comp, other, ids[2], 1); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		statement int64
		vote      int
		want      map[int64]bool
	}{
		{ids[0], 1, map[int64]bool{ids[0]: true}},
		{ids[1], -1, map[int64]bool{ids[0]: true, ids[1]: true}},
		{ids[0], 0, map[int64]bool{ids[0]: true, ids[1]: true}},
	}
	for i, st := range steps {
		got, err := e.svc().VoteAndList(ctx, e.comp, p, st.statement, st.vote)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(st.want) {
			t.Fatalf("step %d: votes %v, want %v", i, got, st.want)
		}
	}
	if n := e.countVotes(0); n != 3 {
		t.Fatalf("%d vote rows, want 3", n)
	}
	// The changed vote holds its new value.
	if got, err := e.svc().MyVotes(ctx, p); err != nil || got[ids[0]] != 0 || got[ids[1]] != -1 {
		t.Fatalf("votes %v %v, want %d: 0 and %d: -1", got, err, ids[0], ids[1])
	}
}
