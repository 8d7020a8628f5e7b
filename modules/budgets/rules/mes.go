// SPDX-License-Identifier: AGPL-3.0-or-later

package rules

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/big"
	"slices"
)

// Utility selects the utility u_i(p) MES gives an approval ballot.
type Utility int

const (
	// UtilityCost is u_i(p) = c(p), the variant the cities that adopted MES
	// used: the round winner is the project with the largest "effective
	// vote count" c(p) / payment asked of a full-paying supporter.
	UtilityCost Utility = iota
	// UtilityCardinality is u_i(p) = 1.
	UtilityCardinality
)

// String names the utility as the CLI spells it.
func (u Utility) String() string {
	if u == UtilityCardinality {
		return "cardinality"
	}
	return "cost"
}

// How exactness is kept cheap.
//
// A voter's budget only changes when a project she supports is funded, and
// then she either pays ρ·u_i(p) or everything she has left (and is broke for
// good). So an unbroke voter's budget is exactly
//
//	b − Σ_{funded p she supports} ρ_p · u_i(p).
//
// All money is kept as integers over one common denominator L: bL = b·L and
// R_p = ρ_p·L for every funded p, rescaled together when a new ρ needs a
// bigger denominator. The exact budget of a voter is then the big integer
// E_i = bL − Σ u_i(p)·R_p, computed only when needed.
//
// Each voter also carries a float64 copy of her budget, off by at most
// errV (one rounding per funded project, bounded with a wide margin). To
// evaluate a project, the capped set C (the voters who cannot pay the full
// ρ·u_i) is found in floats, and the partition is certified: every
// supporter must clear ρ·u_i by more than the combined error bound, and
// then ρ lies in a proven interval around its float value. Σ_i min(b_i,
// ρu_i) is strictly increasing below the largest b_i/u_i, so a certified
// partition determines the exact ρ = (c·L − Σ_{i∈C} E_i) / (L·Σ_{i∉C} u_i),
// which is computed (in big integers) only when needed: for the winner of
// a round, which is charged exactly, and when two candidates' intervals
// overlap (true ties are common: equal vote counts give equal ρ). A voter
// too close to call sends the project to the exact certificate (the
// integer test E_i·Σu vs P·u_i per near voter), and a wrong partition, or
// an affordability too close to call, to a full big-integer computation.
//
// Budgets only shrink, so a project's ρ only grows: candidates are visited
// by the lower end of their last interval, only projects whose supporters
// paid since are recomputed, and the scan stops once a lower end exceeds
// the best upper end.

// mesInput is an election compiled for fast MES runs. Identical ballots
// are merged into one weighted voter class (they pay the same in every
// round, so their budgets never differ): real instances have three to five
// times fewer distinct ballots than voters. Supporters per project and
// projects per class are flat arrays, utilities integers.
type mesInput struct {
	e        *Election
	n        int     // voter classes
	weight   []int64 // voters per class
	cost     []int64
	votes    []int64
	supCount []int64 // voters (not classes) supporting each project
	supStart []int32
	supVoter []int32 // class
	supUtil  []int64
	supW     []int32 // weight of the class, inline for the hot loop
	apStart  []int32
	apProj   []int32
	apUtil   []int64
}

func compileMES(e *Election, util Utility) *mesInput {
	in := &mesInput{e: e}
	m := len(e.Projects)
	in.cost = make([]int64, m)
	for p, pr := range e.Projects {
		in.cost[p] = pr.Cost
	}
	count, score := e.Votes()
	in.votes = score
	if !e.Cardinal {
		in.votes = count
	}
	utility := func(b *Ballot, k int) int64 {
		switch {
		case e.Cardinal && b.Scores != nil:
			return b.Scores[k]
		case util == UtilityCardinality:
			return 1
		}
		return in.cost[b.Projects[k]]
	}
	// Classes: ballots with the same sorted (project, utility) pairs,
	// found through a 64-bit hash checked against the stored pairs (a
	// string-keyed map costs more than the MES run on large instances).
	// Ballots without any positive utility never pay and are left out.
	approvals := 0
	for i := range e.Ballots {
		approvals += len(e.Ballots[i].Projects)
	}
	// Sized for the worst case (all ballots distinct) so that nothing
	// grows, which on large instances costs more than the MES run.
	classOf := make(map[uint64]int32, len(e.Ballots))
	in.apProj = make([]int32, 0, approvals)
	in.apUtil = make([]int64, 0, approvals)
	in.weight = make([]int64, 0, len(e.Ballots))
	var collided map[string]int32 // pairs whose hash another class took
	var pairs []pu
	var key []byte
	samePairs := func(c int32) bool {
		lo, hi := in.apStart[c], in.apStart[c+1]
		if int(hi-lo) != len(pairs) {
			return false
		}
		for k, x := range pairs {
			if int(in.apProj[int(lo)+k]) != x.p || in.apUtil[int(lo)+k] != x.u {
				return false
			}
		}
		return true
	}
	in.apStart = make([]int32, 1, len(e.Ballots)+1)
	for i := range e.Ballots {
		b := &e.Ballots[i]
		pairs = pairs[:0]
		for k, p := range b.Projects {
			if u := utility(b, k); u > 0 {
				pairs = append(pairs, pu{p, u})
			}
		}
		if len(pairs) == 0 {
			continue
		}
		byProject := func(x, y pu) int { return cmp.Compare(x.p, y.p) }
		if !slices.IsSortedFunc(pairs, byProject) {
			slices.SortFunc(pairs, byProject)
		}
		h := hashPairs(pairs)
		c, ok := classOf[h]
		if ok && !samePairs(c) {
			key = key[:0]
			for _, x := range pairs {
				key = binary.AppendUvarint(key, uint64(x.p))
				key = binary.AppendUvarint(key, uint64(x.u))
			}
			if collided == nil {
				collided = make(map[string]int32)
			}
			c, ok = collided[string(key)]
			if !ok {
				collided[string(key)] = int32(len(in.weight))
			}
		} else if !ok {
			classOf[h] = int32(len(in.weight))
		}
		if !ok {
			c = int32(len(in.weight))
			in.weight = append(in.weight, 0)
			for _, x := range pairs {
				in.apProj = append(in.apProj, int32(x.p))
				in.apUtil = append(in.apUtil, x.u)
			}
			in.apStart = append(in.apStart, int32(len(in.apProj)))
		}
		in.weight[c]++
	}
	in.n = len(in.weight)
	in.supStart = make([]int32, m+1)
	in.supCount = make([]int64, m)
	for _, p := range in.apProj {
		in.supStart[p+1]++
	}
	for p := 0; p < m; p++ {
		in.supStart[p+1] += in.supStart[p]
	}
	total := len(in.apProj)
	in.supVoter = make([]int32, total)
	in.supUtil = make([]int64, total)
	in.supW = make([]int32, total)
	next := slices.Clone(in.supStart[:m])
	for c := 0; c < in.n; c++ {
		for a := in.apStart[c]; a < in.apStart[c+1]; a++ {
			p := in.apProj[a]
			in.supVoter[next[p]] = int32(c)
			in.supUtil[next[p]] = in.apUtil[a]
			in.supW[next[p]] = int32(in.weight[c])
			in.supCount[p] += in.weight[c]
			next[p]++
		}
	}
	return in
}

// pu is one (project, utility) pair of a ballot.
type pu struct {
	p int
	u int64
}

// hashPairs is FNV-1a over the pairs; a variable so that a test can force
// collisions.
var hashPairs = func(pairs []pu) uint64 {
	h := uint64(14695981039346656037)
	for _, x := range pairs {
		h = (h ^ uint64(x.p)) * 1099511628211
		h = (h ^ uint64(x.u)) * 1099511628211
	}
	return h
}

type mesItem struct {
	voter int32 // class
	w     int32 // voters in the class (packed with voter: 32-byte items)
	util  int64
	key   float64 // budget / utility
	bf    float64
}

// payment is what one voter of a class paid for a funded project (floats:
// display only).
type payment struct {
	voter  int32
	amount float64
}

// mesRun holds the state of one MES computation; its buffers are reused
// across the many runs of the add1 completion.
type mesRun struct {
	in      *mesInput
	bf      []float64 // float budget per voter; -1 once broke
	capped  []bool
	funded  []bool
	removed []bool
	dirty   []bool
	rho     []*big.Rat
	rhoF    []float64
	rhoErr  []float64
	R       []*big.Int
	L, bL   *big.Int
	errV    float64
	order   []int
	rounds  []*big.Rat
	cost    int64
	record  bool
	paid    [][]payment

	items     []mesItem
	bestItems []mesItem
	scratch   []mesItem
	// Counters of how often each path ran, for tests and tuning.
	evals, exactChecks, fullExact int
	w                             []int64
	wList                         []int32
	cands                         []int
	t1                            big.Int
	t2                            big.Int
	t3                            big.Int
}

func newMESRun(in *mesInput) *mesRun {
	m := len(in.cost)
	return &mesRun{
		in:      in,
		bf:      make([]float64, in.n),
		capped:  make([]bool, in.n),
		funded:  make([]bool, m),
		removed: make([]bool, m),
		dirty:   make([]bool, m),
		rho:     make([]*big.Rat, m),
		rhoF:    make([]float64, m),
		rhoErr:  make([]float64, m),
		R:       make([]*big.Int, m),
		w:       make([]int64, m),
		L:       new(big.Int),
		bL:      new(big.Int),
	}
}

type mesEval struct {
	ok bool
	// rho is the exact ρ, nil when only the float was certified.
	rho *big.Rat
	// rhoF is within rhoErr of the exact ρ.
	rhoF, rhoErr float64
	nc           int // items[:nc] is the capped set
	// noItems is set when the result came without listing the supporters.
	noItems bool
}

// halfULP bounds the relative error of one float64 rounding.
const halfULP = 1.0 / (1 << 53)

func exactEval(rho *big.Rat, nc int) mesEval {
	f, _ := rho.Float64()
	return mesEval{ok: true, rho: rho, rhoF: f, rhoErr: 2 * halfULP * f, nc: nc}
}

// run computes MES with every voter starting with share = num/den.
func (r *mesRun) run(num, den *big.Int) {
	in := r.in
	r.L.Set(den)
	r.bL.Set(num)
	share, _ := new(big.Rat).SetFrac(num, den).Float64()
	// Each float budget update is off by at most a few half-ulps of the
	// share; this bound covers one update per project (plus the rounding
	// of the share itself) with a safety factor of about 100.
	r.errV = share * 1e-13 * float64(len(in.cost)+64)
	for i := range r.bf {
		r.bf[i] = share
		r.capped[i] = false
	}
	r.cands = r.cands[:0]
	for p := range in.cost {
		r.funded[p], r.removed[p], r.dirty[p] = false, false, true
		r.rho[p], r.rhoF[p], r.rhoErr[p], r.R[p] = nil, 0, 0, nil
		if in.supStart[p+1] > in.supStart[p] {
			r.cands = append(r.cands, p)
		}
	}
	r.order, r.rounds, r.cost = r.order[:0], r.rounds[:0], 0
	r.paid = r.paid[:0]
	for {
		// Stale ρ values are lower bounds (budgets only shrink), so
		// candidates are visited by the lower end of their stale ρ
		// interval and the scan stops once that exceeds the upper end of
		// the best fresh one.
		slices.SortStableFunc(r.cands, func(a, b int) int {
			return cmp.Compare(r.lo(a), r.lo(b))
		})
		best := -1
		var bestEv mesEval
		keep := r.cands[:0]
		stopped := false
		for _, p := range r.cands {
			if stopped || r.removed[p] {
				if !r.removed[p] {
					keep = append(keep, p)
				}
				continue
			}
			if best >= 0 && r.lo(p) > r.hi(best) {
				stopped = true
				keep = append(keep, p)
				continue
			}
			fresh := false
			var ev mesEval
			if r.dirty[p] {
				ev = r.eval(p, false, &r.items)
				if !ev.ok {
					r.removed[p] = true
					continue
				}
				r.rho[p], r.rhoF[p], r.rhoErr[p], r.dirty[p] = ev.rho, ev.rhoF, ev.rhoErr, false
				fresh = true
			}
			keep = append(keep, p)
			if best < 0 || r.better(p, best) {
				best = p
				// Keep the winner's partition so that charging it
				// needs no recomputation.
				bestEv = mesEval{}
				if fresh && !ev.noItems {
					r.items, r.bestItems = r.bestItems, r.items
					bestEv = ev
				}
			}
		}
		r.cands = keep
		if best < 0 {
			return
		}
		if !bestEv.ok || r.rho[best] == nil || bestEv.rho == nil {
			bestEv = r.eval(best, true, &r.bestItems)
		}
		r.charge(best, bestEv, r.bestItems)
		r.cands = slices.DeleteFunc(r.cands, func(p int) bool { return p == best })
	}
}

func (r *mesRun) lo(p int) float64 { return r.rhoF[p] - r.rhoErr[p] }
func (r *mesRun) hi(p int) float64 { return r.rhoF[p] + r.rhoErr[p] }

// exactRho makes sure r.rho[p] holds the exact ρ of the fresh project p.
func (r *mesRun) exactRho(p int) {
	if r.rho[p] != nil {
		return
	}
	ev := r.eval(p, true, &r.scratch)
	if !ev.ok {
		// Cannot happen: the float evaluation certified affordability
		// with a proven margin. Stay correct anyway.
		r.removed[p] = true
		r.rho[p], r.rhoF[p], r.rhoErr[p] = big.NewRat(1<<62, 1), math.Inf(1), 0
		return
	}
	r.rho[p], r.rhoF[p], r.rhoErr[p] = ev.rho, ev.rhoF, ev.rhoErr
}

// better reports whether project a beats b: smaller ρ, then smaller cost,
// then more votes, then smaller id.
func (r *mesRun) better(a, b int) bool {
	if r.hi(a) < r.lo(b) {
		return true
	}
	if r.hi(b) < r.lo(a) {
		return false
	}
	r.exactRho(a)
	r.exactRho(b)
	if r.removed[a] {
		return false
	}
	if c := r.rho[a].Cmp(r.rho[b]); c != 0 {
		return c < 0
	}
	return tieBreak(r.in, a, b)
}

func tieBreak(in *mesInput, a, b int) bool {
	if in.cost[a] != in.cost[b] {
		return in.cost[a] < in.cost[b]
	}
	if in.votes[a] != in.votes[b] {
		return in.votes[a] > in.votes[b]
	}
	return in.e.Projects[a].ID < in.e.Projects[b].ID
}

// exactBudget sets dst to E_i = b_i·L.
func (r *mesRun) exactBudget(dst *big.Int, i int32) *big.Int {
	if r.capped[i] {
		return dst.SetInt64(0)
	}
	dst.Set(r.bL)
	in := r.in
	for a := in.apStart[i]; a < in.apStart[i+1]; a++ {
		if q := in.apProj[a]; r.funded[q] {
			r.t3.Mul(r.t3.SetInt64(in.apUtil[a]), r.R[q])
			dst.Sub(dst, &r.t3)
		}
	}
	return dst
}

// budgetVsRho compares b_i with ρ·u exactly: sign(E_i·Q − P·u) where
// ρ = P / (Q·L).
func (r *mesRun) budgetVsRho(i int32, u int64, P, Q *big.Int) int {
	r.exactBudget(&r.t1, i)
	r.t1.Mul(&r.t1, Q)
	r.t2.Mul(P, r.t2.SetInt64(u))
	return r.t1.Cmp(&r.t2)
}

// eval computes ρ of project p and its capped set into *buf. With exact
// false it may return a float ρ with a certified error bound instead of the
// exact value.
func (r *mesRun) eval(p int, exact bool, buf *[]mesItem) mesEval {
	r.evals++
	in := r.in
	c := in.cost[p]
	if len(r.order) == 0 && !in.e.Cardinal && !exact {
		return r.evalFirstRound(p)
	}
	items := (*buf)[:0]
	var tf float64
	var U, voters int64
	minKey := math.Inf(1)
	for k := in.supStart[p]; k < in.supStart[p+1]; k++ {
		j := in.supVoter[k]
		// A broke voter's float budget is -1 (see charge): one memory
		// access instead of two on this hot path.
		b := r.bf[j]
		if b < 0 {
			continue
		}
		u, w := in.supUtil[k], int64(in.supW[k])
		key := b / float64(u)
		minKey = min(minKey, key)
		items = append(items, mesItem{voter: j, w: int32(w), util: u, key: key, bf: b})
		tf += float64(w) * b
		U += w * u
		voters += w
	}
	*buf = items
	if len(items) == 0 {
		return mesEval{}
	}
	cf := float64(c)
	// The float total is off by the budgets' errors plus the summation's
	// own rounding (at most one half-ulp of the running sum per term).
	tol := float64(voters)*r.errV + float64(len(items))*2*halfULP*(tf+cf) + cf*1e-12
	if tf < cf-tol {
		return mesEval{}
	}
	if tf <= cf+tol {
		return r.evalExact(p, items)
	}
	nc := 0
	if minKey*float64(U) < cf {
		// ρ_{t+1} = (c − Σ_{key<ρ_t} b) / (U − Σ_{key<ρ_t} u), starting
		// from ρ_0 = c/U, only grows and reaches the fixed point, the
		// float ρ; each step moves the newly capped voters to the front.
		// That needs no sort when few voters are capped.
		rem, ur := cf, U
		for iter := 0; ; iter++ {
			rho := rem / float64(ur)
			moved := false
			for i := nc; i < len(items); i++ {
				if items[i].key < rho {
					rem -= float64(items[i].w) * items[i].bf
					ur -= int64(items[i].w) * items[i].util
					items[i], items[nc] = items[nc], items[i]
					nc++
					moved = true
				}
			}
			if !moved {
				break
			}
			if nc == len(items) || ur <= 0 {
				return r.evalExact(p, items)
			}
			if iter == 8 {
				// Slow convergence: finish with a sort of the rest.
				rest := items[nc:]
				slices.SortFunc(rest, func(a, b mesItem) int { return cmp.Compare(a.key, b.key) })
				for nc < len(items) && items[nc].key*float64(ur) < rem {
					rem -= float64(items[nc].w) * items[nc].bf
					ur -= int64(items[nc].w) * items[nc].util
					nc++
				}
				if nc == len(items) {
					return r.evalExact(p, items)
				}
				break
			}
		}
	}
	var uOut int64
	for _, it := range items[nc:] {
		uOut += int64(it.w) * it.util
	}
	if !exact {
		if ev, ok := r.floatCertificate(items, nc, cf, uOut); ok {
			return ev
		}
	}
	return r.exactCertificate(p, items, nc, uOut)
}

// evalFirstRound is the closed form of the first round for approval
// ballots: every supporter has the same budget b and the same utility u, so
// ρ = c / (k·u) when k·b ≥ c, and nobody is capped.
func (r *mesRun) evalFirstRound(p int) mesEval {
	in := r.in
	lo, hi := in.supStart[p], in.supStart[p+1]
	k := in.supCount[p]
	if hi == lo {
		return mesEval{}
	}
	u := in.supUtil[lo]
	// k·b ≥ c  ⟺  k·bL ≥ c·L.
	r.t1.Mul(r.bL, r.t1.SetInt64(k))
	r.t2.Mul(r.L, r.t2.SetInt64(in.cost[p]))
	if r.t1.Cmp(&r.t2) < 0 {
		return mesEval{}
	}
	rho := new(big.Rat).SetFrac(new(big.Int).SetInt64(in.cost[p]), new(big.Int).Mul(big.NewInt(k), big.NewInt(u)))
	ev := exactEval(rho, 0)
	ev.noItems = true
	return ev
}

// floatCertificate certifies the partition items[:nc] in floats alone: the
// float ρ carries an error bound from the float budgets (errV each) and the
// roundings, and every voter must clear ρ·u by more than the combined
// bound. It reports false when some voter is too close to call.
func (r *mesRun) floatCertificate(items []mesItem, nc int, cf float64, uOut int64) (mesEval, bool) {
	rem := cf
	var wC int64
	for _, it := range items[:nc] {
		rem -= float64(it.w) * it.bf
		wC += int64(it.w)
	}
	if rem <= 0 {
		return mesEval{}, false
	}
	ur := float64(uOut)
	rhoF := rem / ur
	// Each capped voter's budget error, plus two roundings per class term.
	rhoErr := 2 * ((float64(wC)*r.errV+float64(nc+1)*8*halfULP*cf)/ur + 4*halfULP*rhoF)
	for i, it := range items {
		u := float64(it.util)
		pay := rhoF * u
		margin := r.errV + rhoErr*u + 4*halfULP*pay
		d := it.bf - pay
		if i < nc {
			if d > -margin {
				return mesEval{}, false
			}
		} else if d < margin {
			return mesEval{}, false
		}
	}
	return mesEval{ok: true, rhoF: rhoF, rhoErr: rhoErr, nc: nc}, true
}

// exactCertificate computes the exact ρ of the partition items[:nc] and
// checks it exactly, falling back to evalExact when the partition is wrong.
func (r *mesRun) exactCertificate(p int, items []mesItem, nc int, uOut int64) mesEval {
	r.exactChecks++
	c := r.in.cost[p]
	P := new(big.Int).Mul(big.NewInt(c), r.L)
	if nc > 0 {
		sumC := r.sumCapped(items[:nc])
		P.Sub(P, sumC)
		if P.Sign() <= 0 {
			return r.evalExact(p, items)
		}
	}
	Q := big.NewInt(uOut)
	rho := new(big.Rat).SetFrac(P, new(big.Int).Mul(Q, r.L))
	ev := exactEval(rho, nc)
	rhoF := ev.rhoF
	for i, it := range items {
		pay := rhoF * float64(it.util)
		margin := r.errV + 1e-12*pay
		d := it.bf - pay
		if i < nc {
			if d > margin || (d > -margin && r.budgetVsRho(it.voter, it.util, P, Q) > 0) {
				return r.evalExact(p, items)
			}
		} else if d < -margin || (d < margin && r.budgetVsRho(it.voter, it.util, P, Q) < 0) {
			return r.evalExact(p, items)
		}
	}
	return ev
}

// sumCapped returns Σ E_i over the given voters, grouping the funded
// projects' R so the big-integer work is per project, not per voter.
func (r *mesRun) sumCapped(items []mesItem) *big.Int {
	in := r.in
	r.wList = r.wList[:0]
	var voters int64
	for _, it := range items {
		voters += int64(it.w)
		for a := in.apStart[it.voter]; a < in.apStart[it.voter+1]; a++ {
			if q := in.apProj[a]; r.funded[q] {
				if r.w[q] == 0 {
					r.wList = append(r.wList, q)
				}
				r.w[q] += int64(it.w) * in.apUtil[a]
			}
		}
	}
	sum := new(big.Int).Mul(r.bL, big.NewInt(voters))
	for _, q := range r.wList {
		r.t1.Mul(r.t1.SetInt64(r.w[q]), r.R[q])
		sum.Sub(sum, &r.t1)
		r.w[q] = 0
	}
	return sum
}

// evalExact computes ρ for project p entirely in big integers; items
// holds its unbroke supporters.
func (r *mesRun) evalExact(p int, items []mesItem) mesEval {
	r.fullExact++
	E := make([]*big.Int, len(items))
	T := new(big.Int)
	var U int64
	var wE big.Int
	for i, it := range items {
		E[i] = r.exactBudget(new(big.Int), it.voter)
		T.Add(T, wE.Mul(E[i], big.NewInt(int64(it.w))))
		U += int64(it.w) * it.util
	}
	cL := new(big.Int).Mul(big.NewInt(r.in.cost[p]), r.L)
	switch T.Cmp(cL) {
	case -1:
		return mesEval{}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var x, y big.Int
	slices.SortStableFunc(idx, func(a, b int) int {
		x.Mul(E[a], big.NewInt(items[b].util))
		y.Mul(E[b], big.NewInt(items[a].util))
		return x.Cmp(&y)
	})
	sorted := make([]mesItem, len(items))
	for i, k := range idx {
		sorted[i] = items[k]
	}
	copy(items, sorted)
	var rho *big.Rat
	nc := 0
	if T.Cmp(cL) == 0 {
		// Everyone pays all she has; ρ is the largest budget/utility.
		last := idx[len(idx)-1]
		nc = len(items)
		rho = new(big.Rat).SetFrac(E[last], new(big.Int).Mul(big.NewInt(items[len(items)-1].util), r.L))
	} else {
		rem := new(big.Int).Set(cL)
		ur := U
		for nc < len(items) {
			e := E[idx[nc]]
			x.Mul(rem, big.NewInt(items[nc].util))
			y.Mul(e, big.NewInt(ur))
			if x.Cmp(&y) <= 0 {
				break
			}
			rem.Sub(rem, wE.Mul(e, big.NewInt(int64(items[nc].w))))
			ur -= int64(items[nc].w) * items[nc].util
			nc++
		}
		rho = new(big.Rat).SetFrac(rem, new(big.Int).Mul(big.NewInt(ur), r.L))
	}
	return exactEval(rho, nc)
}

// charge funds project p; items and ev are the result of an exact eval(p).
func (r *mesRun) charge(p int, ev mesEval, items []mesItem) {
	in := r.in
	den := ev.rho.Denom()
	g := new(big.Int).GCD(nil, nil, r.L, den)
	f := new(big.Int).Quo(den, g)
	if f.Cmp(big.NewInt(1)) != 0 {
		r.L.Mul(r.L, f)
		r.bL.Mul(r.bL, f)
		for _, q := range r.order {
			r.R[q].Mul(r.R[q], f)
		}
	}
	R := new(big.Int).Quo(r.L, den)
	r.R[p] = R.Mul(R, ev.rho.Num())
	var pays []payment
	if r.record {
		pays = make([]payment, 0, len(items))
	}
	// Marking is only worth it when sparse; marking every project dirty
	// is always safe.
	markAll := len(items) > 4*len(in.cost)
	for i, it := range items {
		j := it.voter
		var pay float64
		if i < ev.nc {
			pay = r.bf[j]
			r.bf[j] = -1
			r.capped[j] = true
		} else {
			pay = ev.rhoF * float64(it.util)
			r.bf[j] = max(r.bf[j]-pay, 0)
		}
		if r.record {
			pays = append(pays, payment{voter: j, amount: pay})
		}
		if !markAll {
			for a := in.apStart[j]; a < in.apStart[j+1]; a++ {
				r.dirty[in.apProj[a]] = true
			}
		}
	}
	if markAll {
		for q := range r.dirty {
			r.dirty[q] = true
		}
	}
	r.funded[p] = true
	r.order = append(r.order, p)
	r.rounds = append(r.rounds, ev.rho)
	r.cost += in.cost[p]
	if r.record {
		r.paid = append(r.paid, pays)
	}
}
