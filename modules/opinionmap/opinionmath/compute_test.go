// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

func smallSpec(seed uint64) synthSpec {
	return synthSpec{Seed: seed, Participants: 400, GroupShares: []float64{0.5, 0.3, 0.2}, Consensus: 3, Signatures: 3,
		Bloc: 60, MissingMin: 0.3, MissingMax: 0.8, Noise: 0.1}
}

func TestDeterminism(t *testing.T) {
	for _, seed := range []uint64{0, 7} {
		opts := opinionmath.Options{Seed: seed}
		a, err := opinionmath.Compute(generate(smallSpec(3)).m, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := opinionmath.Compute(generate(smallSpec(3)).m, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("seed %d: two runs on the same input differ", seed)
		}
		// And a second run with the first's history is reproducible too.
		a2, _ := opinionmath.Compute(generate(smallSpec(3)).m, a.History, opts)
		b2, _ := opinionmath.Compute(generate(smallSpec(3)).m, b.History, opts)
		if !reflect.DeepEqual(a2, b2) {
			t.Errorf("seed %d: warm-started runs differ", seed)
		}
	}
}

func TestMatrixLatestVoteCounts(t *testing.T) {
	m := opinionmath.NewMatrix()
	m.SetStatement(opinionmath.Statement{ID: 10, Moderation: opinionmath.Accepted})
	m.SetStatement(opinionmath.Statement{ID: 20, Moderation: opinionmath.Accepted})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.SetVote(1, 20, opinionmath.Agree))
	must(m.SetVote(1, 10, opinionmath.Disagree))
	must(m.SetVote(1, 20, opinionmath.Pass))
	if m.NumVotes() != 2 {
		t.Errorf("NumVotes = %d, want 2", m.NumVotes())
	}
	if v, ok := m.Vote(1, 20); !ok || v != opinionmath.Pass {
		t.Errorf("latest vote on 20 = %v %v, want pass", v, ok)
	}
	if got := m.VotedStatements(1); !slices.Equal(got, []int64{10, 20}) {
		t.Errorf("VotedStatements = %v, want [10 20] in column order", got)
	}
	if err := m.SetVote(1, 99, opinionmath.Agree); err == nil {
		t.Error("vote on an unknown statement accepted")
	}
	if err := m.SetVote(1, 10, 3); err == nil {
		t.Error("vote value 3 accepted")
	}
}

// TestModeratedOutStatements: rejected and meta statements take no part in
// the math (zero components) and are never representative or consensus,
// even when everybody agrees with them.
func TestModeratedOutStatements(t *testing.T) {
	c := generate(smallSpec(5))
	m := c.m
	rejected, meta := int64(1000), int64(1001)
	m.SetStatement(opinionmath.Statement{ID: rejected, Moderation: opinionmath.Rejected})
	m.SetStatement(opinionmath.Statement{ID: meta, Moderation: opinionmath.Accepted, Meta: true})
	for _, p := range m.Participants() {
		if c.group[p] == 0 {
			_ = m.SetVote(p, rejected, opinionmath.Agree)
			_ = m.SetVote(p, meta, opinionmath.Agree)
		} else {
			_ = m.SetVote(p, rejected, opinionmath.Disagree)
			_ = m.SetVote(p, meta, opinionmath.Disagree)
		}
	}
	res, err := opinionmath.Compute(m, nil, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for j, id := range res.PCA.StatementIDs {
		if id == rejected || id == meta {
			if res.PCA.Components[0][j] != 0 || res.PCA.Components[1][j] != 0 || res.PCA.Center[j] != 0 {
				t.Errorf("statement %d: column not zeroed", id)
			}
		}
	}
	out := func(id int64) bool { return id == rejected || id == meta }
	for _, g := range res.Groups {
		for _, r := range g.Representative {
			if out(r.StatementID) {
				t.Errorf("group %d: moderated-out statement %d representative", g.ID, r.StatementID)
			}
		}
	}
	for _, list := range [][]opinionmath.Scored{res.ConsensusAgree, res.ConsensusDisagree, res.GroupConsensus, res.Majority, res.Divisive} {
		for _, s := range list {
			if out(s.StatementID) {
				t.Errorf("moderated-out statement %d listed", s.StatementID)
			}
		}
	}
	for _, st := range res.Statements {
		switch st.ID {
		case rejected:
			if st.Priority != 0 {
				t.Errorf("rejected statement priority %v, want 0", st.Priority)
			}
		case meta:
			if st.Priority != 49 {
				t.Errorf("meta statement priority %v, want 49", st.Priority)
			}
		}
	}
}

func TestNextStatement(t *testing.T) {
	c := generate(smallSpec(4))
	res, err := opinionmath.Compute(c.m, nil, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.m.SetStatement(opinionmath.Statement{ID: 5000, Moderation: opinionmath.Rejected})
	participant := c.m.Participants()[0]
	voted := map[int64]bool{}
	for _, id := range c.m.VotedStatements(participant) {
		voted[id] = true
	}
	draw := func(seed uint64) []int64 {
		rng := rand.New(rand.NewPCG(seed, 1))
		var out []int64
		for i := 0; i < 200; i++ {
			id, ok := opinionmath.NextStatement(c.m, res, participant, rng, opinionmath.Options{})
			if !ok {
				t.Fatal("nothing to show")
			}
			out = append(out, id)
		}
		return out
	}
	a := draw(1)
	if !slices.Equal(a, draw(1)) {
		t.Error("same seed, different draws")
	}
	// Without a matrix (the vote path's): the same draws.
	votes := map[int64]int{}
	for id := range voted {
		v, _ := c.m.Vote(participant, id)
		votes[id] = int(v)
	}
	rng0 := rand.New(rand.NewPCG(1, 1))
	for i, want := range a {
		id, ok := opinionmath.NextStatementOf(c.m.Statements(), votes, res, rng0, opinionmath.Options{})
		if !ok || id != want {
			t.Fatalf("draw %d without a matrix: %d %v, want %d", i, id, ok, want)
		}
	}
	if len(voted) == 0 {
		t.Fatal("the participant voted on nothing: the test shows nothing")
	}
	for _, id := range a {
		if voted[id] {
			t.Fatalf("drew statement %d the participant already voted on", id)
		}
		if id == 5000 {
			t.Fatal("drew a rejected statement")
		}
	}

	// The draw follows the weights: index 1 has 3/4 of the mass.
	rng := rand.New(rand.NewPCG(9, 9))
	hits := 0
	for i := 0; i < 4000; i++ {
		if k, _ := opinionmath.WeightedPick([]float64{1, 3, 0}, rng); k == 1 {
			hits++
		} else if k == 2 {
			t.Fatal("picked a zero weight")
		}
	}
	if hits < 2800 || hits > 3200 {
		t.Errorf("weight-3 item picked %d/4000 times, want about 3000", hits)
	}
}

// TestUpdate: the incremental path places new voters like a full run would
// and hands over to a full run after FullEvery votes.
func TestUpdate(t *testing.T) {
	c := generate(smallSpec(6))
	opts := opinionmath.Options{FullEvery: 10_000}
	first, err := opinionmath.Compute(c.m, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Twenty new participants from planted group 0 vote on every
	// statement as group 0 does.
	var changed []int64
	votes := 0
	g0 := int64(-1)
	for _, p := range c.m.Participants() {
		if c.group[p] == 0 {
			g0 = p
			break
		}
	}
	for i := 0; i < 20; i++ {
		id := int64(100_000 + i)
		for _, s := range c.m.VotedStatements(g0) {
			v, _ := c.m.Vote(g0, s)
			if err := c.m.SetVote(id, s, v); err != nil {
				t.Fatal(err)
			}
			votes++
		}
		changed = append(changed, id)
	}
	up, err := opinionmath.Update(c.m, first, changed, votes, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !up.Incremental {
		t.Fatal("Update ran a full recompute below FullEvery")
	}
	if err := up.Validate(); err != nil {
		t.Fatal(err)
	}
	want := first.GroupOf(g0)
	for _, id := range changed {
		if got := up.GroupOf(id); got != want {
			t.Errorf("new participant %d in group %d, want %d (the group of the participant they copied)", id, got, want)
		}
	}
	full, err := opinionmath.Update(c.m, up, nil, 10_000, opts)
	if err != nil {
		t.Fatal(err)
	}
	if full.Incremental || full.History.VotesSinceFull != 0 {
		t.Error("Update did not run a full recompute after FullEvery votes")
	}
}

// TestWarmStartStability: a run warm-started from the previous one, on the
// same votes plus a few more, keeps the axes' orientation and the groups.
func TestWarmStartStability(t *testing.T) {
	c := generate(smallSpec(8))
	first, err := opinionmath.Compute(c.m, nil, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Ten more participants copying existing ones.
	ps := c.m.Participants()
	for i := 0; i < 10; i++ {
		src := ps[i*7]
		for _, s := range c.m.VotedStatements(src) {
			v, _ := c.m.Vote(src, s)
			_ = c.m.SetVote(int64(50_000+i), s, v)
		}
	}
	second, err := opinionmath.Compute(c.m, first.History, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 2; k++ {
		var d float64
		for j := range first.PCA.Components[k] {
			d += first.PCA.Components[k][j] * second.PCA.Components[k][j]
		}
		if d < 0.99 {
			t.Errorf("component %d turned: cosine %.4f between runs", k, d)
		}
	}
	if len(second.Groups) != len(first.Groups) {
		t.Fatalf("%d groups, then %d", len(first.Groups), len(second.Groups))
	}
	var a, b []int
	same := 0
	for _, p := range first.Participants {
		if p.Clustered {
			g := second.GroupOf(p.ID)
			a = append(a, p.Group)
			b = append(b, g)
			if g == p.Group {
				same++
			}
		}
	}
	// Group identities are kept, not just the partition.
	if same < len(a)*95/100 {
		t.Errorf("only %d of %d participants kept their group number", same, len(a))
	}
	if ari := opinionmath.AdjustedRandIndex(a, b); ari < 0.95 {
		t.Errorf("ARI between successive runs %.3f", ari)
	}
}

func TestRemoveParticipant(t *testing.T) {
	c := generate(smallSpec(9))
	ps := c.m.Participants()
	victim := ps[3]
	votes := c.m.NumVotes() - len(c.m.VotedStatements(victim))
	if !c.m.RemoveParticipant(victim) || c.m.RemoveParticipant(victim) {
		t.Fatal("RemoveParticipant: want true once, then false")
	}
	if c.m.NumVotes() != votes || c.m.NumParticipants() != len(ps)-1 {
		t.Errorf("%d votes, %d participants after erasure; want %d, %d", c.m.NumVotes(), c.m.NumParticipants(), votes, len(ps)-1)
	}
	if got := c.m.Participants(); !slices.Equal(got, slices.Delete(slices.Clone(ps), 3, 4)) {
		t.Error("order of the remaining participants changed")
	}
	// The matrix stays writable and consistent.
	if err := c.m.SetVote(ps[4], 0, opinionmath.Agree); err != nil {
		t.Fatal(err)
	}
	if v, ok := c.m.Vote(ps[4], 0); !ok || v != opinionmath.Agree {
		t.Error("vote after erasure lost")
	}
	res, err := opinionmath.Compute(c.m, nil, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Participant(victim); ok {
		t.Error("erased participant still in the result")
	}
}
