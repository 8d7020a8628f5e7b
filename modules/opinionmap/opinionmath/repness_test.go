// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"math"
	"testing"

	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %.12g, want %.12g", name, got, want)
	}
}

// TestRepnessHandComputed checks §5 on a group of 4 voters (3 agree,
// 1 disagree) against a rest of 5 voters (1 agree, 3 disagree, 1 pass),
// every value worked out by hand.
func TestRepnessHandComputed(t *testing.T) {
	g := opinionmath.Counts{Agree: 3, Disagree: 1, Seen: 4}
	rest := opinionmath.Counts{Agree: 1, Disagree: 3, Seen: 5}
	r := opinionmath.NewRepness(7, g, rest)

	near(t, "p_a", r.PA, 4.0/6)           // (1+3)/(2+4)
	near(t, "p_d", r.PD, 2.0/6)           // (1+1)/(2+4)
	near(t, "r_a", r.RA, (4.0/6)/(2.0/7)) // rest p_a = (1+1)/(2+5)
	near(t, "r_d", r.RD, (2.0/6)/(4.0/7)) // rest p_d = (1+3)/(2+5)
	// z_pa = 2·sqrt(4+1)·((3+1)/(4+1) − ½)
	near(t, "z_pa", r.ZPA, 2*math.Sqrt(5)*0.3)
	near(t, "z_pd", r.ZPD, 2*math.Sqrt(5)*(-0.1))
	// Two-proportion test on 4/5 against 2/6 (counts +1), pooled 6/11.
	se := math.Sqrt(6.0 / 11 * 5.0 / 11 * (1.0/5 + 1.0/6))
	near(t, "z_ra", r.ZRA, (4.0/5-2.0/6)/se)
	near(t, "z_rd", r.ZRD, (2.0/5-4.0/6)/se)
	if !r.Significant {
		t.Error("not significant, want significant (z_ra ≈ 1.548 and z_pa ≈ 1.342 both > 1.2816)")
	}
	if r.Direction != opinionmath.Agree {
		t.Errorf("direction %v, want agree", r.Direction)
	}
	near(t, "metric", r.Metric, r.RA*r.ZRA*r.PA*r.ZPA)

	// The same group with one more pass: z_pa falls to 2·sqrt(6)·(4/6 − ½)
	// ≈ 0.816, below the threshold, so no longer significant.
	g2 := opinionmath.Counts{Agree: 3, Disagree: 1, Seen: 5}
	r2 := opinionmath.NewRepness(7, g2, rest)
	near(t, "z_pa with pass", r2.ZPA, 2*math.Sqrt(6)*(4.0/6-0.5))
	if r2.Significant {
		t.Error("significant with z_pa ≈ 0.816, want not")
	}
}

func TestTwoPropTestDegenerate(t *testing.T) {
	// Everybody succeeded on both sides: pooled proportion 1, test 0.
	if z := opinionmath.TwoPropTest(3, 3, 2, 2); z != 0 {
		t.Errorf("TwoPropTest(3,3,2,2) = %v, want 0", z)
	}
	// Equal proportions give 0, symmetric swaps change the sign.
	near(t, "equal", opinionmath.TwoPropTest(1, 3, 1, 3), 0)
	near(t, "antisymmetric", opinionmath.TwoPropTest(5, 9, 1, 7), -opinionmath.TwoPropTest(1, 7, 5, 9))
	// One-proportion test: no votes at all gives 2·1·(1 − ½) = 1.
	near(t, "PropTest(0,0)", opinionmath.PropTest(0, 0), 1)
}

func rep(id int64, direction opinionmath.Vote, metric float64, significant bool, agree int, ra float64) opinionmath.Repness {
	return opinionmath.Repness{StatementID: id, Direction: direction, Metric: metric, Significant: significant,
		Group: opinionmath.Counts{Agree: agree, Seen: agree + 1}, RA: ra, ZRA: metric, PA: 1, ZPA: 1}
}

func ids(rs []opinionmath.Repness) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.StatementID
	}
	return out
}

func TestSelectRepresentative(t *testing.T) {
	t.Run("best agree first, five kept, agrees before disagrees", func(t *testing.T) {
		stats := []opinionmath.Repness{
			rep(1, opinionmath.Disagree, 9, true, 0, 0.5),
			rep(2, opinionmath.Agree, 2, true, 5, 1.5),
			rep(3, opinionmath.Disagree, 8, true, 0, 0.5),
			rep(4, opinionmath.Agree, 3, true, 6, 2), // best agree: r_a·z_ra·p_a·z_pa = 2·3
			rep(5, opinionmath.Disagree, 7, true, 0, 0.5),
			rep(6, opinionmath.Disagree, 6, true, 0, 0.5),
			rep(7, opinionmath.Agree, 1, false, 1, 1.1), // not significant
		}
		got := ids(opinionmath.SelectRepresentative(stats))
		// Picked: best agree 4, then by metric 1, 3, 5, 6; agrees first.
		want := []int64{4, 1, 3, 5, 6}
		if !equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("none significant: the best agree", func(t *testing.T) {
		stats := []opinionmath.Repness{
			rep(1, opinionmath.Agree, 1, false, 2, 0.9),
			rep(2, opinionmath.Agree, 2, false, 3, 0.8),
		}
		// No r_a > 1: best by p_a·z_pa, equal here (1), so the first.
		got := opinionmath.SelectRepresentative(stats)
		if !equal(ids(got), []int64{1}) || !got[0].BestAgree {
			t.Errorf("got %v, want [1] marked best agree", ids(got))
		}
	})
	t.Run("none significant and no agrees: highest z", func(t *testing.T) {
		stats := []opinionmath.Repness{
			{StatementID: 1, ZRA: 0.5, ZRD: 0.2},
			{StatementID: 2, ZRA: -1, ZRD: 0.9},
		}
		if got := ids(opinionmath.SelectRepresentative(stats)); !equal(got, []int64{2}) {
			t.Errorf("got %v, want [2]", got)
		}
	})
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAdjustedRandIndex(t *testing.T) {
	cases := []struct {
		name string
		a, b []int
		want float64
	}{
		{"identical up to renaming", []int{0, 0, 1, 1, 2}, []int{5, 5, 3, 3, 9}, 1},
		// Contingency (0,0):2 (1,1):1 (1,2):1: index 1, row pairs 2,
		// column pairs 1, expected 2·1/6, max 3/2: (1−1/3)/(3/2−1/3) = 4/7.
		{"hand computed", []int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 4.0 / 7},
		// Every item its own cluster against all in one: index 0, row pairs
		// 0, column pairs 6, expected 0, max 3: (0 − 0)/(3 − 0) = 0.
		{"singletons against one cluster", []int{0, 1, 2, 3}, []int{0, 0, 0, 0}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			near(t, "ARI", opinionmath.AdjustedRandIndex(tc.a, tc.b), tc.want)
		})
	}
}

func TestPriority(t *testing.T) {
	// A new statement (S = 0, E = 0): a = p = ½, importance = ¼,
	// boost 1 + 8 = 9, priority (9/4)².
	near(t, "new", opinionmath.Priority(opinionmath.Counts{}, 0), 81.0/16)
	// A = 8, D = 1, S = 10 (one pass), E = 0.5: a = 9/12, p = 2/12,
	// importance = (10/12)·1.5·(9/12), boost 1 + 8·2^(−2).
	imp := (10.0 / 12) * 1.5 * (9.0 / 12)
	near(t, "seen", opinionmath.Priority(opinionmath.Counts{Agree: 8, Disagree: 1, Seen: 10}, 0.5), math.Pow(imp*3, 2))
}
