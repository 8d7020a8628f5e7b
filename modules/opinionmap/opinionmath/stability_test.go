// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"testing"

	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// TestStability: planted groups come back whole under resampling, with
// their signature statements; groups cut out of structureless random votes
// are less stable, and so are their representative statements.
func TestStability(t *testing.T) {
	planted := generate(smallSpec(2))
	res, err := opinionmath.Compute(planted.m, nil, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := opinionmath.Stability(planted.m, res, 30, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sig := map[int64]bool{}
	for _, s := range planted.signatures {
		for _, id := range s {
			sig[id] = true
		}
	}
	minPlanted, sigFreq, sigN := 1.0, 0.0, 0
	for _, g := range st {
		minPlanted = min(minPlanted, g.Jaccard)
		if g.Jaccard < 0.95 {
			t.Errorf("planted group %d: Jaccard %.3f under resampling, want ≥ 0.95", g.Group, g.Jaccard)
		}
		for id, f := range g.Representative {
			if sig[id] {
				sigFreq += f
				sigN++
				if f < 0.9 {
					t.Errorf("group %d: signature statement %d representative in %.0f%% of resamples", g.Group, id, 100*f)
				}
			}
		}
	}
	if sigN == 0 {
		t.Fatal("no signature statement among the representatives")
	}

	// Structureless: the same shape, every group voting at random.
	random := generate(synthSpec{Seed: 2, Participants: 400, GroupShares: []float64{1}, Consensus: 0, Signatures: 0,
		Bloc: 0, MissingMin: 0.3, MissingMax: 0.8, Noise: 0})
	for i := 0; i < 60; i++ {
		random.m.SetStatement(opinionmath.Statement{ID: int64(1000 + i), Moderation: opinionmath.Accepted})
	}
	rng := newRand(3)
	for _, p := range random.m.Participants() {
		for i := 0; i < 60; i++ {
			if rng.Float64() < 0.5 {
				_ = random.m.SetVote(p, int64(1000+i), opinionmath.Vote(rng.IntN(3)-1))
			}
		}
	}
	rres, err := opinionmath.Compute(random.m, nil, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rst, err := opinionmath.Stability(random.m, rres, 30, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	minRandom, repFreq, repN := 1.0, 0.0, 0
	for _, g := range rst {
		minRandom = min(minRandom, g.Jaccard)
		for _, f := range g.Representative {
			repFreq += f
			repN++
		}
	}
	t.Logf("least stable group: planted %.3f, random %.3f; representative frequency: signatures %.2f, random %.2f",
		minPlanted, minRandom, sigFreq/float64(sigN), repFreq/float64(max(repN, 1)))
	if minRandom >= minPlanted {
		t.Errorf("random groups as stable as planted ones (%.3f ≥ %.3f)", minRandom, minPlanted)
	}
	if repN > 0 && repFreq/float64(repN) >= sigFreq/float64(sigN) {
		t.Error("random representatives as stable as planted signatures")
	}
}
