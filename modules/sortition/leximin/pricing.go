// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"math"
)

// pricer solves the pricing problem of the column generation: the panel
// maximising Σ_t w_t·m_t, where m_t is how many members of type t it takes.
// It is an integer programme with one row per quota value, one for the
// panel size and one per household, solved by depth-first branch-and-bound
// over LP relaxations. The rows are few (one per feature value), so each
// relaxation is a small dense LP and the search stays short: a basic
// solution has at most as many fractional variables as rows.
type pricer struct {
	types     []personType
	nRows     int
	rowLo     []float64
	rowHi     []float64
	typeRows  [][]int
	k         int
	nodeLimit int
	nodes     int // nodes explored over the pricer's lifetime
	base      *simplex
	// early allows stopping at a good improving panel (see price).
	early      bool
	extraNodes int
	rebuilt    bool // root is re-solving from scratch after a failure
	free       []*simplex
}

func newPricer(p *Pool, k int, households bool) *pricer {
	types, householdOf, nHouse := groupTypes(p, households)
	off := p.valueOffsets()
	nVals := p.numValues()
	pr := &pricer{types: types, k: k, nodeLimit: 5000, extraNodes: 20}
	pr.nRows = nVals + 1 + nHouse
	pr.rowLo = make([]float64, pr.nRows)
	pr.rowHi = make([]float64, pr.nRows)
	for c, cat := range p.Categories {
		for f, q := range cat.Values {
			pr.rowLo[off[c]+f] = float64(q.Min)
			pr.rowHi[off[c]+f] = float64(q.Max)
		}
	}
	pr.rowLo[nVals], pr.rowHi[nVals] = float64(k), float64(k)
	for h := 0; h < nHouse; h++ {
		pr.rowLo[nVals+1+h], pr.rowHi[nVals+1+h] = 0, 1
	}
	pr.typeRows = make([][]int, len(types))
	for t, ty := range types {
		rows := make([]int, 0, len(ty.features)+2)
		for c, f := range ty.features {
			rows = append(rows, off[c]+f)
		}
		rows = append(rows, nVals)
		if householdOf[t] >= 0 {
			rows = append(rows, nVals+1+householdOf[t])
		}
		pr.typeRows[t] = rows
	}
	return pr
}

// root returns the LP relaxation without branching bounds, solved for
// weights w. The simplex is kept between calls: the constraints never
// change, so the previous optimal basis stays feasible and a new weight
// vector only needs phase-2 pivots from it.
func (pr *pricer) root(w []float64) (*simplex, lpStatus) {
	if pr.base == nil {
		s := newSimplex(make([]float64, pr.nRows))
		col := make([]float64, pr.nRows)
		for t := range pr.types {
			for _, r := range pr.typeRows[t] {
				col[r] = 1
			}
			s.addColumn(col, 0, 0, float64(len(pr.types[t].members)))
			for _, r := range pr.typeRows[t] {
				col[r] = 0
			}
		}
		for r := 0; r < pr.nRows; r++ {
			col[r] = -1
			s.addColumn(col, 0, pr.rowLo[r], pr.rowHi[r])
			col[r] = 0
		}
		if st := s.solve(); st != lpOptimal {
			return nil, st
		}
		pr.base = s
	}
	pr.base.setCosts(w)
	// New weights leave the basis primal feasible but far from optimal;
	// flipping the columns whose reduced cost points the other way and
	// running the dual simplex is much shorter than primal pivoting.
	var st lpStatus
	if pr.base.makeDualFeasible() {
		st = pr.base.dualSolve()
		pr.base.refresh()
	} else {
		st = pr.base.solve()
	}
	if st != lpOptimal && !pr.rebuilt {
		// The constraints have not changed, so this is numerical drift
		// after many warm starts: start again from a fresh tableau once.
		pr.base, pr.rebuilt = nil, true
		s, st := pr.root(w)
		pr.rebuilt = false
		return s, st
	}
	return pr.base, st
}

func (pr *pricer) objective(s *simplex, w []float64) ([]float64, float64) {
	x := s.values()[:len(pr.types)]
	var obj float64
	for t, v := range x {
		obj += w[t] * v
	}
	return x, obj
}

// pricingResult is the outcome of one pricing call.
type pricingResult struct {
	best      []int   // best panel found (type counts), nil if none beats the threshold
	value     float64 // its weight
	improving [][]int // every integral panel found that beats the threshold
	bound     float64 // upper bound on the optimum (root relaxation)
	exact     bool    // the search finished within the node limit
	feasible  bool    // some panel exists
}

// price finds the panel of largest weight, pruning every subtree whose
// relaxation cannot beat threshold (only panels above it are useful to the
// master LP). Set threshold to -Inf for a plain maximisation. Each node
// copies its parent's optimal tableau, tightens one bound and re-solves
// with the dual simplex.
func (pr *pricer) price(w []float64, threshold float64) pricingResult {
	nT := len(pr.types)
	res := pricingResult{exact: true, value: math.Inf(-1)}
	rs, st := pr.root(w)
	if st != lpOptimal {
		return res
	}
	res.feasible = true
	// A parent's tableau is copied for its first child and handed over to
	// the second; tableaux no longer needed go back to pr.free.
	type parent struct {
		s    *simplex
		refs int
	}
	type node struct {
		parent *parent
		j      int
		lo, hi float64
	}
	get := func(from *simplex) *simplex {
		var c *simplex
		if n := len(pr.free); n > 0 {
			c, pr.free = pr.free[n-1], pr.free[:n-1]
		}
		return from.cloneInto(c)
	}
	put := func(s *simplex) { pr.free = append(pr.free, s) }
	var stack []node
	nodes := 0
	// process reports whether s became the parent of two nodes.
	process := func(s *simplex) bool {
		x, obj := pr.objective(s, w)
		cut := math.Max(res.value, threshold)
		if !math.IsInf(cut, -1) && obj <= cut+1e-9*(1+math.Abs(cut)) {
			return false
		}
		branch, frac := -1, 0.0
		for t, v := range x {
			f := v - math.Floor(v)
			d := math.Min(f, 1-f)
			if d > 1e-6 && d > frac {
				branch, frac = t, d
			}
		}
		if branch < 0 {
			counts := make([]int, nT)
			var val float64
			for t, v := range x {
				counts[t] = int(math.Round(v))
				val += w[t] * float64(counts[t])
			}
			if pr.valid(counts) && val > res.value {
				res.best, res.value = counts, val
				if val > threshold {
					res.improving = append(res.improving, counts)
				}
			}
			return false
		}
		v := x[branch]
		col := s.m + branch
		par := &parent{s: s, refs: 2}
		down := node{par, branch, s.lo[col], math.Floor(v)}
		up := node{par, branch, math.Ceil(v), s.hi[col]}
		// depth first, nearer rounding explored first (pushed last)
		if v-math.Floor(v) >= 0.5 {
			stack = append(stack, down, up)
		} else {
			stack = append(stack, up, down)
		}
		return true
	}
	nodes++
	_, res.bound = pr.objective(rs, w)
	if s := get(rs); !process(s) {
		put(s)
	}
	firstFound := 0
	for len(stack) > 0 {
		if nodes >= pr.nodeLimit {
			res.exact = false
			break
		}
		// Column generation only needs an improving panel, not the best
		// one: stop early once one improves on the threshold by at least
		// half of what the root relaxation promises, or after a few more
		// nodes. Only the final pricing, which finds nothing, must finish.
		if pr.early && res.value > threshold {
			if firstFound == 0 {
				firstFound = nodes
			}
			if res.value-threshold >= 0.5*(res.bound-threshold) || nodes-firstFound >= pr.extraNodes {
				res.exact = false
				break
			}
		}
		nd := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nodes++
		var s *simplex
		if nd.parent.refs--; nd.parent.refs == 0 {
			s = nd.parent.s
		} else {
			s = get(nd.parent.s)
		}
		s.setBounds(nd.j, nd.lo, nd.hi)
		if st := s.dualSolve(); st != lpOptimal {
			put(s)
			continue
		}
		if !process(s) {
			put(s)
		}
	}
	pr.nodes += nodes
	if res.best != nil && res.value <= threshold {
		res.best = nil
	}
	return res
}

// feasiblePanel returns any panel meeting the quotas.
func (pr *pricer) feasiblePanel() ([]int, bool) {
	w := make([]float64, len(pr.types))
	r := pr.price(w, math.Inf(-1))
	if r.best == nil {
		// a zero objective makes every panel tie with -Inf: best is set on
		// the first integral leaf, so nil means none was found
		return nil, false
	}
	return r.best, true
}

// valid checks a type-count vector against every row.
func (pr *pricer) valid(counts []int) bool {
	act := make([]int, pr.nRows)
	for t, m := range counts {
		if m < 0 || m > len(pr.types[t].members) {
			return false
		}
		for _, r := range pr.typeRows[t] {
			act[r] += m
		}
	}
	for r, a := range act {
		if float64(a) < pr.rowLo[r]-0.5 || float64(a) > pr.rowHi[r]+0.5 {
			return false
		}
	}
	return true
}
