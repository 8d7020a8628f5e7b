// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"testing"

	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// TestEdgeCases: degenerate conversations give a valid result, not a panic.
func TestEdgeCases(t *testing.T) {
	build := func(participants, statements int, vote func(p, s int) (opinionmath.Vote, bool)) *opinionmath.Matrix {
		m := opinionmath.NewMatrix()
		for s := 0; s < statements; s++ {
			m.SetStatement(opinionmath.Statement{ID: int64(s), Moderation: opinionmath.Accepted})
		}
		for p := 0; p < participants; p++ {
			m.AddParticipant(int64(p))
			for s := 0; s < statements; s++ {
				if v, ok := vote(p, s); ok {
					if err := m.SetVote(int64(p), int64(s), v); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		return m
	}
	cases := []struct {
		name string
		m    *opinionmath.Matrix
		// wantClustered is the number of clustered participants.
		wantClustered int
	}{
		{"empty", opinionmath.NewMatrix(), 0},
		{"statements, no votes", build(0, 5, nil), 0},
		{"one participant", build(1, 3, func(p, s int) (opinionmath.Vote, bool) { return opinionmath.Agree, true }), 1},
		{"everybody agrees with everything", build(30, 10, func(p, s int) (opinionmath.Vote, bool) { return opinionmath.Agree, true }), 30},
		{"two camps on one statement", build(20, 1, func(p, s int) (opinionmath.Vote, bool) { return opinionmath.Vote(1 - 2*(p%2)), true }), 20},
		{"silent participants", build(20, 10, func(p, s int) (opinionmath.Vote, bool) { return opinionmath.Pass, p < 5 }), 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := opinionmath.Compute(tc.m, nil, opinionmath.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Validate(); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, p := range res.Participants {
				if p.Clustered {
					n++
				}
			}
			if n != tc.wantClustered {
				t.Errorf("%d clustered, want %d", n, tc.wantClustered)
			}
			if n > 0 && len(res.Groups) == 0 {
				t.Error("clustered participants but no group")
			}
			if _, err := opinionmath.Update(tc.m, res, tc.m.Participants(), 1, opinionmath.Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
