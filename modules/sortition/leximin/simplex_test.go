// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"math"
	"testing"
)

func TestSimplexSmall(t *testing.T) {
	// max 3x + 2y  s.t. x + y ≤ 4, x + 3y ≤ 7, x ≤ 3 (as a bound), x,y ≥ 0
	// optimum x = 3, y = 1, value 11. Rows as equalities with slacks.
	s := newSimplex([]float64{4, 7})
	s.addColumn([]float64{1, 1}, 3, 0, 3)
	s.addColumn([]float64{1, 3}, 2, 0, math.Inf(1))
	s.addColumn([]float64{1, 0}, 0, 0, math.Inf(1))
	s.addColumn([]float64{0, 1}, 0, 0, math.Inf(1))
	if st := s.solve(); st != lpOptimal {
		t.Fatalf("status %v", st)
	}
	x := s.values()
	if math.Abs(x[0]-3) > 1e-9 || math.Abs(x[1]-1) > 1e-9 || math.Abs(s.objective()-11) > 1e-9 {
		t.Fatalf("x = %v, objective %v; want (3, 1), 11", x, s.objective())
	}
	// duals: x + y ≤ 4 binds with shadow price 2, x + 3y ≤ 7 is slack (0)
	y := s.duals()
	if math.Abs(y[0]-2) > 1e-9 || math.Abs(y[1]) > 1e-9 {
		t.Fatalf("duals %v, want [2 0]", y)
	}
	// Column generation: a new column z with cost 5, row usage (1, 1):
	// now z = 4 (x = y = 0) gives 20.
	s.addColumn([]float64{1, 1}, 5, 0, math.Inf(1))
	if st := s.solve(); st != lpOptimal || math.Abs(s.objective()-20) > 1e-9 {
		t.Fatalf("after adding a column: %v, objective %v, want 20", st, s.objective())
	}
}

func TestSimplexInfeasibleAndUnbounded(t *testing.T) {
	s := newSimplex([]float64{1})
	s.addColumn([]float64{1}, 1, 2, 3) // x = 1 but x ∈ [2, 3]
	if st := s.solve(); st != lpInfeasible {
		t.Fatalf("status %v, want infeasible", st)
	}
	u := newSimplex([]float64{0})
	u.addColumn([]float64{1}, 1, 0, math.Inf(1))
	u.addColumn([]float64{-1}, 0, 0, math.Inf(1))
	if st := u.solve(); st != lpUnbounded {
		t.Fatalf("status %v, want unbounded", st)
	}
}

// Beale's example cycles under the textbook Dantzig rule with lowest-index
// ties; the Bland fallback must terminate at the optimum 5/4 (x4 = x6 = 1).
func TestSimplexBealeCycling(t *testing.T) {
	// max 3/4 x4 − 20 x5 + 1/2 x6 − 6 x7
	// s.t. 1/4 x4 − 8 x5 − x6 + 9 x7 ≤ 0
	//      1/2 x4 − 12 x5 − 1/2 x6 + 3 x7 ≤ 0
	//      x6 ≤ 1
	s := newSimplex([]float64{0, 0, 1})
	inf := math.Inf(1)
	s.addColumn([]float64{0.25, 0.5, 0}, 0.75, 0, inf)
	s.addColumn([]float64{-8, -12, 0}, -20, 0, inf)
	s.addColumn([]float64{-1, -0.5, 1}, 0.5, 0, inf)
	s.addColumn([]float64{9, 3, 0}, -6, 0, inf)
	for i := 0; i < 3; i++ {
		col := make([]float64, 3)
		col[i] = 1
		s.addColumn(col, 0, 0, inf)
	}
	if st := s.solve(); st != lpOptimal || math.Abs(s.objective()-1.25) > 1e-9 {
		t.Fatalf("status %v objective %v, want optimal 1.25", st, s.objective())
	}
}

func TestDualSolveAfterBoundChange(t *testing.T) {
	// max x + y s.t. x + y ≤ 1.5, x, y ∈ [0, 1]; then force y ≤ 0.25.
	s := newSimplex([]float64{1.5})
	s.addColumn([]float64{1}, 1, 0, 1)
	s.addColumn([]float64{1}, 1.01, 0, 1)
	s.addColumn([]float64{1}, 0, 0, math.Inf(1))
	if st := s.solve(); st != lpOptimal {
		t.Fatal(st)
	}
	c := s.clone()
	c.setBounds(0, 0, 0.25)
	if st := c.dualSolve(); st != lpOptimal {
		t.Fatal(st)
	}
	x := c.values()
	if math.Abs(x[0]-0.25) > 1e-9 || math.Abs(x[1]-1) > 1e-9 {
		t.Fatalf("after bound change x = %v, want (0.25, 1)", x)
	}
	// the original is untouched
	if x0 := s.values(); math.Abs(x0[0]-0.5) > 1e-9 {
		t.Fatalf("clone shares state: %v", x0)
	}
}
