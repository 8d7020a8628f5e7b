// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"math"
	"sync"
	"time"
)

// lpStatus is the outcome of a simplex run.
type lpStatus int

const (
	lpOptimal lpStatus = iota
	lpInfeasible
	lpUnbounded
	lpIterLimit
)

func (s lpStatus) String() string {
	switch s {
	case lpOptimal:
		return "optimal"
	case lpInfeasible:
		return "infeasible"
	case lpUnbounded:
		return "unbounded"
	default:
		return "iteration limit"
	}
}

const (
	optTol   = 1e-9 // reduced cost below which a column does not improve
	pivTol   = 1e-9 // smallest usable pivot element
	feasTol  = 1e-9 // slack allowed on bounds and on the phase-1 objective
	blandMax = 50   // degenerate pivots in a row before switching to Bland's rule
)

// simplex is a bounded-variable primal simplex method on a dense tableau:
//
//	maximise c·x  subject to  A x = b,  lo ≤ x ≤ hi.
//
// Every row gets an artificial column; the artificial block of the tableau
// is B⁻¹ up to the row signs, which is what lets column generation append a
// column to a solved problem (its tableau column is B⁻¹a) and re-optimise
// from the current basis instead of starting over. Columns are stored
// artificial block first, so appending a column is an append to each row.
//
// We wrote our own instead of using gonum's lp.Simplex because that one
// takes only x ≥ 0 (upper bounds would cost a row each: 1,256 extra rows in
// the pricing problem of a 1,256-type pool), refactorises the basis every
// iteration and cannot be warm-started after a column is added. gonum's
// solver is still used in the tests as an independent reference.
type simplex struct {
	m     int
	b     []float64
	cols  [][]float64 // original structural columns (length m each)
	cost  []float64   // per tableau column (artificials first)
	lo    []float64
	hi    []float64
	sign  []float64 // artificial i is sign[i]·e_i in the original rows
	tab   [][]float64
	d     []float64 // reduced costs of every tableau column
	basis []int
	upper []bool // nonbasic column sits at its upper bound
	xB    []float64
	built bool
	phase int
	iters int
	// maxIter bounds the pivots of one solve call (0: no limit).
	maxIter int
	nz      []int // scratch: nonzero positions of the pivot row
	// slack marks rows whose artificial column is kept as a real surplus
	// variable u ≥ 0 (row: A x − u = b), saving a structural column per
	// row and a third of the master LP's tableau width.
	slack []bool
	// deadline, when set, stops iterate with lpIterLimit.
	deadline time.Time
	cands    []dualCand // scratch: the dual ratio test's breakpoints
}

// dualCand is a breakpoint of the dual ratio test.
type dualCand struct {
	k        int
	ratio, a float64
}

// candHeap is a binary min-heap of breakpoints: smallest ratio first, and
// among equal ratios the larger pivot element (numerically safer).
type candHeap []dualCand

func (h candHeap) less(i, j int) bool {
	if h[i].ratio != h[j].ratio {
		return h[i].ratio < h[j].ratio
	}
	return math.Abs(h[i].a) > math.Abs(h[j].a)
}

func (h candHeap) down(i int) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (h candHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *candHeap) pop() dualCand {
	old := *h
	top := old[0]
	n := len(old) - 1
	old[0] = old[n]
	*h = old[:n]
	(*h).down(0)
	return top
}

// markSlack turns row i's artificial into the row's surplus variable: the
// row becomes A_i x ≥ b_i. The caller guarantees that the row is satisfied
// (b_i ≤ A_i x) at the starting point, where every column sits at its lower
// bound. Must be called before the first solve.
func (s *simplex) markSlack(i int) {
	if s.slack == nil {
		s.slack = make([]bool, s.m)
	}
	s.slack[i] = true
}

func newSimplex(b []float64) *simplex {
	m := len(b)
	s := &simplex{m: m, b: append([]float64(nil), b...)}
	s.cost = make([]float64, m)
	s.lo = make([]float64, m)
	s.hi = make([]float64, m)
	for i := range s.hi {
		s.hi[i] = math.Inf(1)
	}
	return s
}

// addColumn appends a structural column and returns its index among the
// structural columns. Before the first solve it is only recorded; after,
// its tableau column and reduced cost are computed from the current basis
// and it enters as nonbasic at its lower bound.
func (s *simplex) addColumn(col []float64, cost, lo, hi float64) int {
	c := append([]float64(nil), col...)
	s.cols = append(s.cols, c)
	s.cost = append(s.cost, cost)
	s.lo = append(s.lo, lo)
	s.hi = append(s.hi, hi)
	s.upper = append(s.upper, false)
	j := s.m + len(s.cols) - 1
	if !s.built {
		return len(s.cols) - 1
	}
	// tableau column = B⁻¹ col = artBlock · (sign ∘ col)
	sc := make([]float64, s.m)
	for i, v := range c {
		sc[i] = s.sign[i] * v
	}
	for i := 0; i < s.m; i++ {
		row := s.tab[i]
		var v float64
		for k := 0; k < s.m; k++ {
			if sc[k] != 0 {
				v += row[k] * sc[k]
			}
		}
		s.tab[i] = append(row, v)
	}
	y := s.duals()
	dj := cost
	for i, v := range c {
		dj -= y[i] * v
	}
	if s.phase == 1 {
		dj = 0
		for i := 0; i < s.m; i++ {
			dj -= s.cost[s.basis[i]] * s.tab[i][j]
		}
	}
	s.d = append(s.d, dj)
	if lo != 0 {
		for i := 0; i < s.m; i++ {
			s.xB[i] -= s.tab[i][j] * lo
		}
	}
	return len(s.cols) - 1
}

func (s *simplex) build() {
	n := len(s.cols)
	res := append([]float64(nil), s.b...)
	for j, c := range s.cols {
		x := s.lo[s.m+j]
		if x != 0 {
			for i, v := range c {
				res[i] -= v * x
			}
		}
	}
	s.sign = make([]float64, s.m)
	s.tab = make([][]float64, s.m)
	s.basis = make([]int, s.m)
	s.xB = make([]float64, s.m)
	s.upper = make([]bool, s.m+n)
	for i := 0; i < s.m; i++ {
		s.sign[i] = 1
		if res[i] < 0 {
			s.sign[i] = -1
		}
		if s.slack != nil && s.slack[i] {
			// a slack row's artificial is the row's surplus (sign −1):
			// Σ a x − u = b with u ≥ 0, feasible at u = −res ≥ 0 only
			// when res ≤ 0, which markSlack's caller guarantees.
			s.sign[i] = -1
		}
		row := make([]float64, s.m+n, s.m+n+64)
		row[i] = 1
		for j, c := range s.cols {
			row[s.m+j] = s.sign[i] * c[i]
		}
		s.tab[i] = row
		s.basis[i] = i
		s.xB[i] = math.Abs(res[i])
	}
	s.built = true
}

// crash pivots structural column j into row i when row i still holds a
// zero-valued artificial; the basic values do not move, so it cannot break
// feasibility, and it saves phase-1 pivots on rows that start satisfied.
func (s *simplex) crash(i, j int) {
	if !s.built {
		s.build()
	}
	col := s.m + j
	if s.basis[i] >= s.m || math.Abs(s.xB[i]) > feasTol || math.Abs(s.tab[i][col]) < 0.5 {
		return
	}
	s.pivot(i, col)
	s.basis[i] = col
	s.xB[i] = s.lo[col]
}

func (s *simplex) computeReduced() {
	w := len(s.tab[0])
	if s.d == nil || len(s.d) != w {
		s.d = make([]float64, w)
	}
	copy(s.d, s.cost[:w])
	for i := 0; i < s.m; i++ {
		cb := s.cost[s.basis[i]]
		if cb == 0 {
			continue
		}
		for j, v := range s.tab[i] {
			s.d[j] -= cb * v
		}
	}
}

// refresh recomputes the basic values from the nonbasic ones, removing the
// drift that accumulates over many pivots.
func (s *simplex) refresh() {
	res := append([]float64(nil), s.b...)
	for j, c := range s.cols {
		col := s.m + j
		if s.isBasic(col) {
			continue
		}
		x := s.nonbasicValue(col)
		if x != 0 {
			for i, v := range c {
				res[i] -= v * x
			}
		}
	}
	for i := 0; i < s.m; i++ {
		if !s.isBasic(i) {
			x := s.nonbasicValue(i)
			res[i] -= s.sign[i] * x
		}
	}
	for i := 0; i < s.m; i++ {
		var v float64
		row := s.tab[i]
		for k := 0; k < s.m; k++ {
			if row[k] != 0 {
				v += row[k] * s.sign[k] * res[k]
			}
		}
		s.xB[i] = v
	}
}

func (s *simplex) isBasic(col int) bool {
	// Basic columns are few compared with the columns; a linear scan is
	// fine because refresh runs once per solve.
	for _, b := range s.basis {
		if b == col {
			return true
		}
	}
	return false
}

func (s *simplex) nonbasicValue(col int) float64 {
	if s.upper[col] {
		return s.hi[col]
	}
	return s.lo[col]
}

func (s *simplex) pivot(r, j int) {
	rowR := s.tab[r]
	p := rowR[j]
	nz := s.nz[:0]
	for k := range rowR {
		if rowR[k] != 0 {
			rowR[k] /= p
			nz = append(nz, k)
		}
	}
	rowR[j] = 1
	s.nz = nz
	dense := len(nz)*3 > len(rowR)
	update := func(from, to int) {
		for i := from; i < to; i++ {
			if i == r {
				continue
			}
			row := s.tab[i]
			f := row[j]
			if f == 0 {
				continue
			}
			if dense {
				row = row[:len(rowR)]
				for k, v := range rowR {
					row[k] -= f * v
				}
			} else {
				for _, k := range nz {
					row[k] -= f * rowR[k]
				}
			}
			row[j] = 0
		}
	}
	// Large master LPs: split the row updates over two goroutines (the
	// target machine has two cores); small LPs are not worth the overhead.
	if s.m*len(nz) > 1<<18 {
		var wg sync.WaitGroup
		half := s.m / 2
		wg.Add(1)
		go func() {
			defer wg.Done()
			update(half, s.m)
		}()
		update(0, half)
		wg.Wait()
	} else {
		update(0, s.m)
	}
	if s.d == nil {
		return // before the first pricing of the columns (crash)
	}
	if f := s.d[j]; f != 0 {
		for _, k := range nz {
			s.d[k] -= f * rowR[k]
		}
		s.d[j] = 0
	}
}

// solve runs phase 1 (if not done) and phase 2 from the current basis.
func (s *simplex) solve() lpStatus {
	if !s.built {
		s.build()
	}
	if s.phase == 0 {
		s.phase = 1
		phase2cost := s.cost
		s.cost = make([]float64, len(phase2cost))
		for i := 0; i < s.m; i++ {
			if s.slack == nil || !s.slack[i] {
				s.cost[i] = -1
			}
		}
		s.computeReduced()
		st := s.iterate()
		s.refresh()
		var infeas float64
		for i := 0; i < s.m; i++ {
			if s.basis[i] < s.m {
				if s.slack == nil || !s.slack[s.basis[i]] {
					infeas += math.Abs(s.xB[i])
				}
			}
		}
		s.cost = phase2cost
		if st == lpIterLimit {
			s.phase = 0
			return st
		}
		if infeas > feasTol*float64(1+s.m) {
			return lpInfeasible
		}
		for i := 0; i < s.m; i++ {
			if s.slack != nil && s.slack[i] {
				continue
			}
			s.hi[i] = 0
			s.upper[i] = false
		}
		s.phase = 2
		s.computeReduced()
	}
	st := s.iterate()
	s.refresh()
	return st
}

func (s *simplex) iterate() lpStatus {
	degenerate := 0
	start := s.iters
	for {
		if s.maxIter > 0 && s.iters-start >= s.maxIter {
			return lpIterLimit
		}
		if !s.deadline.IsZero() && (s.iters-start)%32 == 31 && time.Now().After(s.deadline) {
			return lpIterLimit
		}
		bland := degenerate > blandMax
		j, dir := s.entering(bland)
		if j < 0 {
			return lpOptimal
		}
		s.iters++
		theta := s.hi[j] - s.lo[j]
		r := -1
		var best float64
		for i := 0; i < s.m; i++ {
			alpha := dir * s.tab[i][j]
			if math.Abs(alpha) < pivTol {
				continue
			}
			bv := s.basis[i]
			var lim float64
			if alpha > 0 {
				lim = (s.xB[i] - s.lo[bv]) / alpha
			} else {
				if math.IsInf(s.hi[bv], 1) {
					continue
				}
				lim = (s.hi[bv] - s.xB[i]) / -alpha
			}
			if lim < 0 {
				lim = 0
			}
			switch {
			case lim < theta-1e-12:
				theta, r, best = lim, i, math.Abs(alpha)
			case lim <= theta+1e-12 && r >= 0:
				if bland {
					if bv < s.basis[r] {
						r, best = i, math.Abs(alpha)
					}
				} else if math.Abs(alpha) > best {
					r, best = i, math.Abs(alpha)
				}
			}
		}
		if math.IsInf(theta, 1) {
			return lpUnbounded
		}
		if theta < 1e-12 {
			degenerate++
		} else {
			degenerate = 0
		}
		if theta != 0 {
			for i := 0; i < s.m; i++ {
				if a := s.tab[i][j]; a != 0 {
					s.xB[i] -= theta * dir * a
				}
			}
		}
		if r < 0 {
			s.upper[j] = !s.upper[j]
			continue
		}
		enterVal := s.nonbasicValue(j) + dir*theta
		leaving := s.basis[r]
		s.upper[leaving] = dir*s.tab[r][j] < 0
		s.pivot(r, j)
		s.basis[r] = j
		s.upper[j] = false
		s.xB[r] = enterVal
	}
}

func (s *simplex) entering(bland bool) (int, float64) {
	// Basic columns have a reduced cost of exactly zero (pivot sets it and
	// later pivots never touch it), so the sign test alone excludes them.
	bestJ, bestDir, bestV := -1, 0.0, 0.0
	for j, dj := range s.d {
		var dir float64
		switch {
		case dj > optTol && !s.upper[j]:
			dir = 1
		case dj < -optTol && s.upper[j]:
			dir = -1
		default:
			continue
		}
		if s.lo[j] == s.hi[j] {
			continue
		}
		if bland {
			return j, dir
		}
		if v := math.Abs(dj); v > bestV {
			bestJ, bestDir, bestV = j, dir, v
		}
	}
	return bestJ, bestDir
}

// value returns structural column j's value.
func (s *simplex) value(j int) float64 {
	col := s.m + j
	for i, b := range s.basis {
		if b == col {
			return s.xB[i]
		}
	}
	return s.nonbasicValue(col)
}

// values returns all structural values.
func (s *simplex) values() []float64 {
	x := make([]float64, len(s.cols))
	for j := range x {
		x[j] = s.nonbasicValue(s.m + j)
	}
	for i, b := range s.basis {
		if b >= s.m {
			x[b-s.m] = s.xB[i]
		}
	}
	return x
}

// objective returns c·x at the current basis.
func (s *simplex) objective() float64 {
	var v float64
	for j, x := range s.values() {
		v += s.cost[s.m+j] * x
	}
	return v
}

// duals returns y = c_B B⁻¹, read off the reduced costs of the artificial
// columns (their phase-2 cost is zero, so d_i = −y·sign_i e_i).
func (s *simplex) duals() []float64 {
	y := make([]float64, s.m)
	for i := range y {
		y[i] = -s.sign[i] * s.d[i]
	}
	return y
}

// clone returns an independent copy sharing only the read-only parts.
func (s *simplex) clone() *simplex { return s.cloneInto(nil) }

// cloneInto is clone reusing the buffers of c (a simplex of the same shape
// that is no longer needed, or nil): branch-and-bound copies a tableau per
// node, and allocating each afresh made the garbage collector a large
// share of the pricing time.
func (s *simplex) cloneInto(c *simplex) *simplex {
	if c == nil {
		c = &simplex{}
	}
	tab, d, basis, upper, xB, lo, hi, cost, nz, cands := c.tab, c.d, c.basis, c.upper, c.xB, c.lo, c.hi, c.cost, c.nz, c.cands
	*c = *s
	if cap(tab) < s.m {
		tab = make([][]float64, s.m)
	}
	tab = tab[:s.m]
	for i, row := range s.tab {
		tab[i] = append(tab[i][:0], row...)
	}
	c.tab = tab
	c.d = append(d[:0], s.d...)
	c.basis = append(basis[:0], s.basis...)
	c.upper = append(upper[:0], s.upper...)
	c.xB = append(xB[:0], s.xB...)
	c.lo = append(lo[:0], s.lo...)
	c.hi = append(hi[:0], s.hi...)
	c.cost = append(cost[:0], s.cost...)
	c.nz = nz[:0]
	c.cands = cands[:0]
	return c
}

// setCosts replaces the phase-2 costs of the first len(c) structural
// columns and recomputes the reduced costs; the basis stays primal
// feasible, so the next solve only runs phase 2 from it.
func (s *simplex) setCosts(c []float64) {
	copy(s.cost[s.m:], c)
	if s.phase == 2 {
		s.computeReduced()
	}
}

// setBounds changes the bounds of structural column j. A nonbasic column
// moves to its new bound and the basic values follow; a basic column keeps
// its value, which may now violate the bounds: dualSolve repairs that.
func (s *simplex) setBounds(j int, lo, hi float64) {
	col := s.m + j
	if !s.built || s.isBasic(col) {
		s.lo[col], s.hi[col] = lo, hi
		return
	}
	old := s.nonbasicValue(col)
	s.lo[col], s.hi[col] = lo, hi
	if s.upper[col] && math.IsInf(hi, 1) {
		s.upper[col] = false
	}
	nv := s.nonbasicValue(col)
	if nv != old {
		for i := 0; i < s.m; i++ {
			if a := s.tab[i][col]; a != 0 {
				s.xB[i] -= a * (nv - old)
			}
		}
	}
}

// warmStart builds the tableau, pivots each given structural column into
// the given row and recomputes the basic values. It reports whether the
// basis is primal feasible; when it is not, the caller must start afresh
// (the simplex is left in an unusable state).
func (s *simplex) warmStart(pairs [][2]int) bool {
	if !s.built {
		s.build()
	}
	for _, p := range pairs {
		i, col := p[0], s.m+p[1]
		if math.Abs(s.tab[i][col]) < pivTol {
			return false
		}
		s.pivot(i, col)
		s.basis[i] = col
	}
	s.refresh()
	for i, b := range s.basis {
		if s.xB[i] < s.lo[b]-feasTol || s.xB[i] > s.hi[b]+feasTol {
			return false
		}
	}
	return true
}

// makeDualFeasible moves every nonbasic column whose reduced cost has the
// wrong sign for the bound it sits at to its other bound, which makes the
// basis dual feasible; the dual simplex then restores primal feasibility.
// After new costs (the pricing problem's weights change at every call)
// this takes a few dual pivots where the primal simplex would move the
// columns one by one, a pivot or a flip each. It needs finite bounds on
// the columns it moves and reports false (changing nothing) otherwise.
func (s *simplex) makeDualFeasible() bool {
	var flip []int
	for j, dj := range s.d {
		// Basic columns have a reduced cost of exactly zero.
		wrong := (dj > optTol && !s.upper[j]) || (dj < -optTol && s.upper[j])
		if !wrong || s.lo[j] == s.hi[j] {
			continue
		}
		if math.IsInf(s.hi[j], 1) || math.IsInf(s.lo[j], -1) {
			return false
		}
		flip = append(flip, j)
	}
	for _, j := range flip {
		delta := s.hi[j] - s.lo[j]
		if s.upper[j] {
			delta = -delta
		}
		for i := 0; i < s.m; i++ {
			if a := s.tab[i][j]; a != 0 {
				s.xB[i] -= a * delta
			}
		}
		s.upper[j] = !s.upper[j]
	}
	return true
}

// dualSolve restores primal feasibility after bound changes with the
// bounded dual simplex method (the basis is dual feasible, being optimal
// before the change), then polishes with primal iterations. This is what
// makes a branch-and-bound node cost a handful of pivots instead of a
// full solve.
func (s *simplex) dualSolve() lpStatus {
	for iter := 0; ; iter++ {
		if s.maxIter > 0 && iter > s.maxIter {
			return lpIterLimit
		}
		r, worst := -1, feasTol
		var target float64
		for i := 0; i < s.m; i++ {
			bv := s.basis[i]
			if v := s.lo[bv] - s.xB[i]; v > worst {
				r, worst, target = i, v, s.lo[bv]
			}
			if v := s.xB[i] - s.hi[bv]; v > worst {
				r, worst, target = i, v, s.hi[bv]
			}
		}
		if r < 0 {
			break
		}
		s.iters++
		increase := target > s.xB[r]
		row := s.tab[r]
		cands := s.cands[:0]
		for k, a := range row {
			if math.Abs(a) < pivTol || s.lo[k] == s.hi[k] {
				continue
			}
			// x_Br moves by −a·Δx_k; a column at its lower bound can only
			// rise, one at its upper bound only fall.
			var ok bool
			if s.upper[k] {
				ok = (a > 0) == increase
			} else {
				ok = (a < 0) == increase
			}
			if !ok || k == s.basis[r] {
				continue
			}
			cands = append(cands, dualCand{k: k, ratio: math.Abs(s.d[k]) / math.Abs(a), a: a})
		}
		s.cands = cands
		if len(cands) == 0 {
			return lpInfeasible
		}
		// Bound-flipping ratio test: walk the breakpoints in ratio order;
		// a boxed column whose whole range does not yet repair the row's
		// infeasibility is flipped to its other bound (its reduced cost
		// changes sign at the pivot, which matches the new bound) and the
		// walk goes on. With hundreds of [0, c_t] columns this replaces
		// hundreds of short dual steps by one long one.
		// The walk usually stops after a few breakpoints: a heap gives
		// them in order without sorting all of them.
		h := candHeap(cands)
		h.init()
		slope := math.Abs(target - s.xB[r])
		var pick dualCand
		found := false
		for len(h) > 0 {
			c := h.pop()
			span := s.hi[c.k] - s.lo[c.k]
			if math.IsInf(span, 0) {
				pick, found = c, true
				break
			}
			slope -= math.Abs(c.a) * span
			if slope <= feasTol {
				pick, found = c, true
				break
			}
			// flip c to its other bound
			delta := span
			if s.upper[c.k] {
				delta = -delta
			}
			for i := 0; i < s.m; i++ {
				if a := s.tab[i][c.k]; a != 0 {
					s.xB[i] -= a * delta
				}
			}
			s.upper[c.k] = !s.upper[c.k]
		}
		if !found {
			// Every column can move its whole range and the row stays
			// infeasible.
			return lpInfeasible
		}
		j, bestA := pick.k, pick.a
		delta := (target - s.xB[r]) / -bestA
		enterVal := s.nonbasicValue(j) + delta
		for i := 0; i < s.m; i++ {
			if a := s.tab[i][j]; a != 0 {
				s.xB[i] -= a * delta
			}
		}
		leaving := s.basis[r]
		s.upper[leaving] = target == s.hi[leaving] && target != s.lo[leaving]
		s.pivot(r, j)
		s.basis[r] = j
		s.upper[j] = false
		s.xB[r] = enterVal
	}
	return s.iterate()
}
