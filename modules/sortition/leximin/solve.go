// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// Options tune Solve.
type Options struct {
	// Households enforces at most one member per household.
	Households bool
	// MaximinOnly stops after the first stage: the smallest probability is
	// maximised, the others are whatever that LP optimum gives.
	MaximinOnly bool
	// TimeLimit stops the computation (0: none). The result then says how
	// far from optimal it stopped.
	TimeLimit time.Duration
	// Seed drives the random weights of the starting panels.
	Seed uint64
	// InitialPanels is how many panels seed the column generation
	// (default 20).
	InitialPanels int
	// Logger receives progress at debug level (nil: discard).
	Logger *slog.Logger
}

// Panel is one panel of the distribution, described by how many members
// of each type it takes; the members inside a type are drawn uniformly.
type Panel struct {
	Counts      []int
	Probability float64
}

// Result is the selection distribution and the figures that describe it.
type Result struct {
	K int
	// Probabilities[i] is volunteer i's selection probability.
	Probabilities []float64
	// Minimum is the smallest selection probability.
	Minimum float64
	// Panels is the support of the distribution.
	Panels []Panel
	// TypeOf maps a volunteer to its type; TypeMembers lists each type.
	TypeOf      []int
	TypeMembers [][]int
	// Stages is the number of maximin LPs solved; FixedTypes how many
	// types had their probability fixed by them.
	Stages     int
	FixedTypes int
	// Complete is true when LEXIMIN (or, with MaximinOnly, maximin) was
	// solved to optimality; otherwise the time limit stopped it.
	Complete bool
	// Gap bounds how much the stage being solved when the computation
	// stopped could still have raised its minimum (0 when Complete).
	Gap float64
	// Columns is the number of panels generated; PricingNodes the
	// branch-and-bound nodes explored; LPIterations the master pivots.
	Columns      int
	PricingNodes int
	LPIterations int
	Elapsed      time.Duration
}

// ErrPanelSize is returned for a panel size the pool cannot fill.
var ErrPanelSize = errors.New("panel size out of range")

// Solve computes the LEXIMIN selection distribution for panels of size k.
// Infeasible quotas are reported as *InfeasibleError, naming the
// conflicting constraints, before any LP runs.
func Solve(ctx context.Context, p *Pool, k int, opt Options) (*Result, error) {
	start := time.Now()
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := Check(p, k, opt.Households); err != nil {
		return nil, err
	}
	pr := newPricer(p, k, opt.Households)
	first, ok := pr.feasiblePanel()
	if !ok {
		return nil, diagnoseJoint(p, k, opt.Households)
	}
	nT := len(pr.types)
	size := make([]float64, nT)
	for t, ty := range pr.types {
		size[t] = float64(len(ty.members))
	}
	cg := &colgen{pr: pr, size: size, seen: map[string]bool{}, log: log}
	cg.add(first)
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	cg.cover(rng)
	// The starting panels stop only at the overall time limit. They used
	// to get a third of it, but on a loaded machine that cut them short,
	// and the master LP then generated the missing panels at a far higher
	// cost: on synthetic_2000_150 under a 120 s limit, 94k master pivots
	// and no optimum, where the full start leads to the optimum in 25k.
	mwDeadline := time.Time{}
	if opt.TimeLimit > 0 {
		mwDeadline = start.Add(opt.TimeLimit)
	}
	cg.multiplicativeWeights(200+nT/2, mwDeadline)
	nInit := opt.InitialPanels
	if nInit == 0 {
		nInit = 20
	}
	w := make([]float64, nT)
	for i := 1; i < nInit; i++ {
		for t := range w {
			w[t] = rng.Float64() / size[t]
		}
		if r := pr.price(w, math.Inf(-1)); r.best != nil {
			cg.add(r.best)
		}
	}

	deadline := time.Time{}
	if opt.TimeLimit > 0 {
		deadline = start.Add(opt.TimeLimit)
	}
	fixed := make([]float64, nT)
	isFixed := make([]bool, nT)
	res := &Result{K: k, Complete: true}
	var q []float64
	// done is the distribution of the last stage solved to optimality: a
	// stage cut short mid-LP may be worse in the leximin order.
	var done []float64
	for nFixed := 0; nFixed < nT; {
		res.Stages++
		st, err := cg.stage(ctx, isFixed, fixed, deadline)
		if err != nil {
			return nil, fmt.Errorf("stage %d: %w", res.Stages, err)
		}
		if st.q != nil {
			q = st.q
		} else if q == nil {
			// stopped inside the first LP's phase 1: fall back to the
			// uniform mixture of the panels found, a valid distribution
			q = make([]float64, len(cg.cols))
			for j := range q {
				q[j] = 1
			}
		}
		res.LPIterations += st.iters
		log.Debug("leximin stage", "stage", res.Stages, "z", st.z, "columns", len(cg.cols), "fixed", nFixed, "complete", st.complete)
		if !st.complete {
			res.Complete = false
			res.Gap = st.gap
			break
		}
		done = append(done[:0], q...)
		if opt.MaximinOnly {
			break
		}
		// Types whose constraint has a positive dual are at z in every
		// optimum (complementary slackness), so fixing them loses nothing.
		// The duals of the unfixed types sum to one, so at least one
		// qualifies; the fallback covers numerical ties.
		newly := 0
		bestT, bestY := -1, -1.0
		for t := 0; t < nT; t++ {
			if isFixed[t] {
				continue
			}
			if st.dual[t] > bestY {
				bestT, bestY = t, st.dual[t]
			}
			if st.dual[t] > 1e-7 {
				isFixed[t] = true
				fixed[t] = st.z
				newly++
			}
		}
		if newly == 0 {
			isFixed[bestT] = true
			fixed[bestT] = st.z
			newly = 1
		}
		nFixed += newly
		res.FixedTypes = nFixed
		if ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline)) {
			if nFixed < nT {
				res.Complete = false
			}
			break
		}
	}

	if !res.Complete {
		// Stopped early: the LP's distribution may leave types outside
		// its active rows at zero; fall back to the uniform mixture of the
		// panels found when that has the larger minimum.
		uni := make([]float64, len(cg.cols))
		for j := range uni {
			uni[j] = 1
		}
		if leximinLess(cg.personProbs(normalised(q)), cg.personProbs(normalised(uni))) {
			q = uni
		}
		if done != nil {
			// the columns only grew since: pad the earlier distribution
			prev := make([]float64, len(cg.cols))
			copy(prev, done)
			if leximinLess(cg.personProbs(normalised(q)), cg.personProbs(normalised(prev))) {
				q = prev
			}
		}
		if math.IsNaN(res.Gap) {
			// no bound from the LP: the mean k/n caps every minimum
			res.Gap = math.Max(0, float64(k)/float64(len(p.Volunteers))-minOf(cg.typeProbs(normalised(q))))
		}
	}

	// Assemble the distribution.
	pi := make([]float64, nT)
	var total float64
	for _, qj := range q {
		if qj > 1e-12 {
			total += qj
		}
	}
	for j, qj := range q {
		if qj <= 1e-12 {
			continue
		}
		prob := qj / total
		res.Panels = append(res.Panels, Panel{Counts: cg.cols[j], Probability: prob})
		for t, m := range cg.cols[j] {
			if m > 0 {
				pi[t] += prob * float64(m) / size[t]
			}
		}
	}
	res.TypeOf = make([]int, len(p.Volunteers))
	res.TypeMembers = make([][]int, nT)
	res.Probabilities = make([]float64, len(p.Volunteers))
	res.Minimum = math.Inf(1)
	for t, ty := range pr.types {
		res.TypeMembers[t] = ty.members
		for _, i := range ty.members {
			res.TypeOf[i] = t
			res.Probabilities[i] = pi[t]
		}
		res.Minimum = math.Min(res.Minimum, pi[t])
	}
	res.Columns = len(cg.cols)
	res.PricingNodes = pr.nodes
	res.Elapsed = time.Since(start)
	return res, nil
}

// cover adds panels until every type that can sit on a panel appears in
// one (as the replication code does, one panel per agent): without this
// the master LP starts at z = 0 with hopelessly degenerate duals, and
// column generation crawls until the last type is covered. Each panel is
// the integer programme's best at covering still-uncovered types, with a
// small random weight to vary the choice.
func (cg *colgen) cover(rng *rand.Rand) {
	nT := len(cg.size)
	covered := make([]bool, nT)
	for _, c := range cg.cols {
		for t, m := range c {
			if m > 0 {
				covered[t] = true
			}
		}
	}
	w := make([]float64, nT)
	for {
		left := 0
		for t := range w {
			w[t] = 0
			if !covered[t] {
				w[t] = 1 + 0.01*rng.Float64()
				left++
			}
		}
		if left == 0 {
			return
		}
		cg.pr.early = true
		r := cg.pr.price(w, 0.5)
		cg.pr.early = false
		if r.best == nil && len(r.improving) == 0 {
			// no panel holds any uncovered type: they get probability 0
			return
		}
		best := r.best
		if best == nil {
			best = r.improving[len(r.improving)-1]
		}
		cg.add(best)
		for t, m := range best {
			if m > 0 {
				covered[t] = true
			}
		}
	}
}

// multiplicativeWeights seeds the column pool with the panels of an
// approximate maximin: the adversary keeps a weight per type, the panel
// maker answers with the panel of largest weighted probability (the
// pricing problem, solved approximately) and the types it selects lose
// weight by exp(−η·probability). The answers are the panels a near-optimal
// distribution uses, found at the cost of one pricing each, whereas
// letting the master LP find them one column generation round at a time
// costs a full re-optimisation of a large dense LP per panel.
func (cg *colgen) multiplicativeWeights(iters int, deadline time.Time) {
	nT := len(cg.size)
	if nT < 3 {
		return
	}
	eta := math.Sqrt(math.Log(float64(nT)) / float64(iters))
	logu := make([]float64, nT)
	w := make([]float64, nT)
	cg.pr.early = true
	defer func() { cg.pr.early = false }()
	for it := 0; it < iters; it++ {
		if !deadline.IsZero() && time.Now().After(deadline) {
			return
		}
		top := math.Inf(-1)
		for _, l := range logu {
			top = math.Max(top, l)
		}
		var sum float64
		for t, l := range logu {
			w[t] = math.Exp(l - top)
			sum += w[t]
		}
		for t := range w {
			w[t] /= sum * cg.size[t]
		}
		r := cg.pr.price(w, 0)
		panel := r.best
		if panel == nil {
			if len(r.improving) == 0 {
				return
			}
			panel = r.improving[len(r.improving)-1]
		}
		cg.add(panel)
		for t, m := range panel {
			if m > 0 {
				logu[t] -= eta * float64(m) / cg.size[t]
			}
		}
	}
}

// colgen holds the panels generated so far, shared by all stages.
type colgen struct {
	log *slog.Logger
	// active lists the types whose rows are in the master LP.
	active []int
	// warm is the best distribution over cols found so far (nil before
	// the first master LP): the next master LP starts from it.
	warm []float64
	pr   *pricer
	size []float64
	cols [][]int
	seen map[string]bool
}

func (cg *colgen) add(counts []int) bool {
	key := featureKey(counts)
	if cg.seen[key] {
		return false
	}
	cg.seen[key] = true
	cg.cols = append(cg.cols, counts)
	return true
}

type stageResult struct {
	z        float64
	q        []float64
	dual     []float64 // −y_t: nonnegative dual of each type row (0 off the active rows)
	iters    int
	complete bool
	gap      float64
}

// stage solves one maximin LP by column generation and row generation:
//
//	max z  s.t.  π_t(q) ≥ z (t unfixed),  π_t(q) ≥ fixed_t (t fixed),
//	             Σ q = 1,  q ≥ 0,
//
// where π_t(q) = Σ_P q_P m_t(P)/|t|. Only the rows of the active types
// are in the LP (a dense tableau of 1,257 rows is what made large pools
// slow, and most types sit well above the minimum); when the restricted
// optimum violates an omitted row, the violated types join the active set
// and the LP is rebuilt. The restricted optimum that violates no omitted
// row is optimal for the full LP, and its duals (zero on omitted rows)
// prove it, so pricing is unchanged.
func (cg *colgen) stage(ctx context.Context, isFixed []bool, fixed []float64, deadline time.Time) (stageResult, error) {
	nT := len(cg.size)
	if cg.active == nil {
		cg.initActive()
	}
	iters := 0
	cg.ensureUnfixedRow(isFixed)
	// Warm starts only in the maximin stage: once rows are fixed (tight
	// to within the hair at the previous optimum), phase 2 from the
	// mixture wandered through long degenerate sequences, and LEXIMIN
	// stages on synthetic_600_60 took several times the pivots of a cold
	// start; rebuilds of the maximin stage saved a fifth of the pivots on
	// synthetic_2000_150.
	anyFixed := slices.Contains(isFixed, true)
	cg.warm = nil
	for {
		if anyFixed {
			cg.warm = nil
		}
		out, err := cg.stageRows(ctx, isFixed, fixed, deadline)
		if cg.log != nil {
			cg.log.Debug("master LP", "active rows", len(cg.active), "columns", len(cg.cols), "pivots", out.iters, "z", out.z, "complete", out.complete)
		}
		iters += out.iters
		out.iters = iters
		if err != nil || !out.complete {
			return out, err
		}
		cg.warm = normalised(out.q)
		pi := cg.typeProbs(out.q)
		in := make([]bool, nT)
		for _, t := range cg.active {
			in[t] = true
		}
		var add []int
		for t := 0; t < nT; t++ {
			if in[t] {
				continue
			}
			lim := out.z
			if isFixed[t] {
				lim = fixed[t]
			}
			if pi[t] < lim-1e-9 {
				add = append(add, t)
			}
		}
		if len(add) == 0 {
			return out, nil
		}
		// Also take the omitted types just above the bound: they are the
		// next to be violated once the new rows push z around, and every
		// round rebuilds the LP.
		for t := 0; t < nT; t++ {
			lim := out.z
			if isFixed[t] {
				lim = fixed[t]
			}
			if !in[t] && pi[t] >= lim-1e-9 && pi[t] < lim+0.25*out.z {
				add = append(add, t)
			}
		}
		cg.active = append(cg.active, add...)
	}
}

// perturb and fixHair bound the anti-degeneracy perturbation of the
// master rows and the slack given to fixed probabilities; both are far
// below any probability difference that matters (results are exact to
// about 1e-7).
const (
	perturb = 1e-8
	fixHair = 5e-8
)

// initialActiveRows is the smallest starting active set (a variable so a
// test can force row generation on small pools).
var initialActiveRows = 300

// initActive picks the starting rows: every type for small pools, else
// the half of the types (at least 300) least often selected by a uniform
// mixture of the panels found so far.
func (cg *colgen) initActive() {
	nT := len(cg.size)
	want := max(initialActiveRows, nT/2)
	if nT <= want {
		cg.active = make([]int, nT)
		for t := range cg.active {
			cg.active[t] = t
		}
		return
	}
	q := make([]float64, len(cg.cols))
	for j := range q {
		q[j] = 1 / float64(len(q))
	}
	pi := cg.typeProbs(q)
	order := make([]int, nT)
	for t := range order {
		order[t] = t
	}
	sort.SliceStable(order, func(a, b int) bool { return pi[order[a]] < pi[order[b]] })
	cg.active = append([]int(nil), order[:want]...)
}

// ensureUnfixedRow adds unfixed types to the active set when it has none
// (z would be unbounded): those least often selected by a uniform mixture
// of the panels found.
func (cg *colgen) ensureUnfixedRow(isFixed []bool) {
	in := make([]bool, len(cg.size))
	for _, t := range cg.active {
		if !isFixed[t] {
			return
		}
		in[t] = true
	}
	q := make([]float64, len(cg.cols))
	for j := range q {
		q[j] = 1 / float64(len(q))
	}
	pi := cg.typeProbs(q)
	var cand []int
	for t := range cg.size {
		if !isFixed[t] && !in[t] {
			cand = append(cand, t)
		}
	}
	sort.SliceStable(cand, func(a, b int) bool { return pi[cand[a]] < pi[cand[b]] })
	cg.active = append(cg.active, cand[:min(len(cand), max(1, initialActiveRows/4))]...)
}

func (cg *colgen) typeProbs(q []float64) []float64 {
	pi := make([]float64, len(cg.size))
	for j, qj := range q {
		if qj <= 0 {
			continue
		}
		for t, m := range cg.cols[j] {
			if m > 0 {
				pi[t] += qj * float64(m) / cg.size[t]
			}
		}
	}
	return pi
}

func (cg *colgen) activeColumn(counts []int) []float64 {
	nA := len(cg.active)
	col := make([]float64, nA+1)
	for r, t := range cg.active {
		if m := counts[t]; m > 0 {
			col[r] = float64(m) / cg.size[t]
		}
	}
	col[nA] = 1
	return col
}

// stageRows solves the maximin LP restricted to the active rows by column
// generation. Rows: one per active type and the convexity row. Columns:
// z, a surplus per fixed active type (the unfixed ones use their row's
// artificial as surplus), then the panels.
func (cg *colgen) stageRows(ctx context.Context, isFixed []bool, fixed []float64, deadline time.Time) (stageResult, error) {
	nT := len(cg.size)
	nA := len(cg.active)
	b := make([]float64, nA+1)
	for r, t := range cg.active {
		if isFixed[t] {
			// A hair below the value found, so the previous optimum stays
			// feasible despite rounding and the perturbation below.
			b[r] = math.Max(0, fixed[t]-fixHair)
		} else {
			// The master LP is massively degenerate (many types tie at
			// the minimum) and the simplex stalls on it for tens of
			// thousands of pivots; a tiny distinct relaxation of each row
			// (π_t ≥ z − ε_t) breaks the ties. It stays below fixHair.
			b[r] = -perturb * (1 + float64((t*7919)%1000)/1000)
		}
	}
	b[nA] = 1
	s := newSimplex(b)
	s.deadline = deadline
	col := make([]float64, nA+1)
	for r, t := range cg.active {
		if !isFixed[t] {
			col[r] = -1
			// π_t − z ≥ 0 holds at the all-zero start: the row's
			// artificial serves as its surplus.
			s.markSlack(r)
		}
	}
	s.addColumn(col, 1, 0, math.Inf(1)) // z
	clear(col)
	surplus := make([]int, nA)
	for r, t := range cg.active {
		surplus[r] = -1
		if isFixed[t] {
			col[r] = -1
			surplus[r] = s.addColumn(col, 0, 0, math.Inf(1))
			col[r] = 0
		}
	}
	// Warm start: the best distribution known so far (the previous
	// stage's, or the previous round's before new rows joined) enters as
	// one column, the mixture of its panels; with it in the convexity row
	// and the surplus of each fixed row basic, the basis is feasible, so
	// phase 1 has nothing left to do. Rebuilt LPs used to spend most of
	// their pivots there.
	var warm []float64
	mixCol := -1
	if cg.warm != nil {
		warm = make([]float64, len(cg.cols))
		copy(warm, cg.warm)
		mix := make([]float64, nA+1)
		for j, wj := range warm {
			if wj <= 0 {
				continue
			}
			for r, t := range cg.active {
				if m := cg.cols[j][t]; m > 0 {
					mix[r] += wj * float64(m) / cg.size[t]
				}
			}
		}
		mix[nA] = 1
		mixCol = s.addColumn(mix, 0, 0, math.Inf(1))
	}
	panelBase := len(s.cols)
	for _, c := range cg.cols {
		s.addColumn(cg.activeColumn(c), 0, 0, math.Inf(1))
	}
	if mixCol >= 0 {
		pairs := [][2]int{{nA, mixCol}}
		for r := range cg.active {
			if surplus[r] >= 0 {
				pairs = append(pairs, [2]int{r, surplus[r]})
			}
		}
		if !s.warmStart(pairs) {
			// not feasible after all (a fixed row omitted before):
			// start from scratch
			cg.warm = nil
			return cg.stageRows(ctx, isFixed, fixed, deadline)
		}
	}
	// panels returns the distribution over cg.cols, the mixture column's
	// weight spread back over the panels it mixes.
	panels := func(x []float64) []float64 {
		q := append([]float64(nil), x[panelBase:]...)
		if mixCol >= 0 {
			for j, wj := range warm {
				q[j] += x[mixCol] * wj
			}
		}
		return q
	}
	var out stageResult
	cleanups := 0
	for {
		st := s.solve()
		out.iters = s.iters
		if st == lpIterLimit {
			// Out of time inside the simplex. After phase 1 the basis is
			// a feasible distribution; before, there is none to report.
			out.complete = false
			out.gap = math.NaN()
			if s.phase == 2 {
				out.z = s.objective()
				out.q = panels(s.values())
			}
			return out, nil
		}
		if st != lpOptimal {
			return out, fmt.Errorf("master LP: %s", st)
		}
		y := s.duals()
		w := make([]float64, nT)
		for r, t := range cg.active {
			w[t] = math.Max(0, -y[r]) / cg.size[t]
		}
		thr := y[nA]
		cg.pr.early = true
		r := cg.pr.price(w, thr+1e-9)
		cg.pr.early = false
		added := 0
		for _, c := range r.improving {
			if cg.add(c) {
				s.addColumn(cg.activeColumn(c), 0, 0, math.Inf(1))
				added++
			}
		}
		stop := ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline))
		if added == 0 && !stop && len(r.improving) > 0 && cleanups < 3 {
			// Panels already in the LP price positive: the incrementally
			// updated reduced costs have drifted. Recompute them and
			// re-optimise from the same basis.
			cleanups++
			s.computeReduced()
			continue
		}
		if added == 0 || stop {
			out.z = s.objective()
			x := s.values()
			out.q = panels(x)
			out.dual = make([]float64, nT)
			for r, t := range cg.active {
				out.dual[t] = -y[r]
			}
			// Lagrangian bound: any distribution has Σq = 1, so z can rise
			// by at most the largest reduced cost of a panel.
			out.gap = math.Max(0, r.bound-thr)
			// Only panels already in the LP may still price positive, by
			// rounding: within the 1e-7 the results are exact to, the
			// stage is optimal.
			out.complete = added == 0 && r.exact && (len(r.improving) == 0 || r.value-thr <= 1e-7)
			if out.complete {
				out.gap = 0
			}
			return out, nil
		}
	}
}

// personProbs returns every volunteer's probability, sorted ascending
// (types weighted by their size), for leximin comparisons.
func (cg *colgen) personProbs(q []float64) []float64 {
	var out []float64
	for t, p := range cg.typeProbs(q) {
		for range int(cg.size[t]) {
			out = append(out, p)
		}
	}
	sort.Float64s(out)
	return out
}

// leximinLess reports whether the sorted probability vector a is below b
// in the leximin order (ties within 1e-9).
func leximinLess(a, b []float64) bool {
	for i := range a {
		if a[i] < b[i]-1e-9 {
			return true
		}
		if a[i] > b[i]+1e-9 {
			return false
		}
	}
	return false
}

func minOf(x []float64) float64 {
	m := math.Inf(1)
	for _, v := range x {
		m = math.Min(m, v)
	}
	return m
}

func normalised(q []float64) []float64 {
	var total float64
	for _, v := range q {
		total += math.Max(0, v)
	}
	out := make([]float64, len(q))
	for j, v := range q {
		if total > 0 {
			out[j] = math.Max(0, v) / total
		}
	}
	return out
}
