// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/polder-civic/polder/modules/sortition/leximin"
)

// randomPool draws a small pool with skewed features and quotas around the
// proportional share, retrying until some panel exists.
func randomPool(rng *rand.Rand, n, k int, households bool) *leximin.Pool {
	for {
		p := &leximin.Pool{}
		nCat := 2 + rng.IntN(2)
		for c := 0; c < nCat; c++ {
			nVal := 2 + rng.IntN(2)
			cat := leximin.Category{Name: fmt.Sprintf("c%d", c)}
			for v := 0; v < nVal; v++ {
				cat.Values = append(cat.Values, leximin.Quota{Value: fmt.Sprintf("v%d", v)})
			}
			p.Categories = append(p.Categories, cat)
		}
		for i := 0; i < n; i++ {
			v := leximin.Volunteer{ID: fmt.Sprint(i + 1)}
			for _, cat := range p.Categories {
				// skew: value 0 twice as likely as the others
				f := rng.IntN(len(cat.Values) + 1)
				if f >= len(cat.Values) {
					f = 0
				}
				v.Features = append(v.Features, f)
			}
			if households && rng.IntN(3) == 0 {
				v.Household = fmt.Sprintf("h%d", rng.IntN(n/3+1))
			}
			p.Volunteers = append(p.Volunteers, v)
		}
		for c := range p.Categories {
			cnt := make([]int, len(p.Categories[c].Values))
			for _, v := range p.Volunteers {
				cnt[v.Features[c]]++
			}
			for f := range p.Categories[c].Values {
				share := float64(k) / float64(len(cnt))
				p.Categories[c].Values[f].Min = max(0, int(math.Floor(share))-rng.IntN(2))
				p.Categories[c].Values[f].Max = int(math.Ceil(share)) + rng.IntN(2)
			}
		}
		if len(allPanels(p, k, households)) > 0 {
			return p
		}
	}
}

func allPanels(p *leximin.Pool, k int, households bool) [][]int {
	var out [][]int
	cur := make([]int, 0, k)
	var rec func(start int)
	rec = func(start int) {
		if len(cur) == k {
			if p.Panel(cur, k, households) == nil {
				out = append(out, append([]int(nil), cur...))
			}
			return
		}
		for i := start; i <= len(p.Volunteers)-(k-len(cur)); i++ {
			cur = append(cur, i)
			rec(i + 1)
			cur = cur[:len(cur)-1]
		}
	}
	rec(0)
	return out
}

// referenceLeximin is the textbook computation over people and all
// feasible panels, with gonum's simplex: maximise the minimum over the
// unfixed people, then test each unfixed person (can their probability
// exceed z while everyone else keeps their bound?) and fix those who
// cannot. Nothing is shared with the package under test.
func referenceLeximin(t *testing.T, n int, panels [][]int) []float64 {
	t.Helper()
	nP := len(panels)
	contains := make([][]float64, n)
	for i := range contains {
		contains[i] = make([]float64, nP)
	}
	for j, pn := range panels {
		for _, i := range pn {
			contains[i][j] = 1
		}
	}
	fixed := make([]float64, n)
	isFixed := make([]bool, n)
	left := n
	for left > 0 {
		// variables: q (nP), z, s (n). rows: n people + convexity.
		nv := nP + 1 + n
		A := mat.NewDense(n+1, nv, nil)
		b := make([]float64, n+1)
		c := make([]float64, nv)
		for i := 0; i < n; i++ {
			for j := 0; j < nP; j++ {
				A.Set(i, j, contains[i][j])
			}
			if isFixed[i] {
				b[i] = fixed[i] - 1e-9
			} else {
				A.Set(i, nP, -1)
			}
			A.Set(i, nP+1+i, -1)
		}
		for j := 0; j < nP; j++ {
			A.Set(n, j, 1)
		}
		b[n] = 1
		c[nP] = -1
		opt, _, err := lp.Simplex(c, A, b, 1e-10, nil)
		if err != nil {
			t.Fatalf("reference maximin: %v", err)
		}
		z := -opt
		// test each unfixed person with z as the floor of all unfixed
		var toFix []int
		for i := 0; i < n; i++ {
			if isFixed[i] {
				continue
			}
			A2 := mat.NewDense(n+1, nP+n, nil)
			b2 := make([]float64, n+1)
			c2 := make([]float64, nP+n)
			for r := 0; r < n; r++ {
				for j := 0; j < nP; j++ {
					A2.Set(r, j, contains[r][j])
				}
				A2.Set(r, nP+r, -1)
				if isFixed[r] {
					b2[r] = fixed[r] - 1e-9
				} else {
					b2[r] = z - 1e-9
				}
			}
			for j := 0; j < nP; j++ {
				A2.Set(n, j, 1)
				c2[j] = -contains[i][j]
			}
			b2[n] = 1
			best, _, err := lp.Simplex(c2, A2, b2, 1e-10, nil)
			if err != nil {
				t.Fatalf("reference fixing test: %v", err)
			}
			if -best <= z+1e-7 {
				toFix = append(toFix, i)
			}
		}
		if len(toFix) == 0 {
			t.Fatal("reference: nobody to fix")
		}
		for _, i := range toFix {
			isFixed[i] = true
			fixed[i] = z
			left--
		}
	}
	return fixed
}

func TestLeximinMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(2021, 596))
	instances := 12
	if testing.Short() {
		instances = 5
	}
	for inst := 0; inst < instances; inst++ {
		households := inst%3 == 2
		n := 8 + rng.IntN(9)
		k := 3 + rng.IntN(4)
		p := randomPool(rng, n, k, households)
		panels := allPanels(p, k, households)
		want := referenceLeximin(t, n, panels)
		got, err := leximin.Solve(context.Background(), p, k, leximin.Options{Households: households, Seed: uint64(inst)})
		if err != nil {
			t.Fatalf("instance %d: %v", inst, err)
		}
		if !got.Complete {
			t.Fatalf("instance %d: incomplete", inst)
		}
		for i := range want {
			if math.Abs(got.Probabilities[i]-want[i]) > 1e-6 {
				t.Fatalf("instance %d (n=%d k=%d households=%v, %d panels): volunteer %d gets %.9f, brute force %.9f\nours  %v\nbrute %v",
					inst, n, k, households, len(panels), i, got.Probabilities[i], want[i], got.Probabilities, want)
			}
		}
		checkSupport(t, p, got, k, households)
		t.Logf("instance %d: n=%d k=%d households=%v panels=%d min=%.4f stages=%d", inst, n, k, households, len(panels), got.Minimum, got.Stages)
	}
}
