// SPDX-License-Identifier: AGPL-3.0-or-later

package rules

import (
	"context"
	"errors"
	"math/big"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// approvals builds an approval election from project costs and ballots.
func approvals(budget int64, costs []int64, ballots ...[]int) *Election {
	e := &Election{Budget: budget}
	for i, c := range costs {
		e.Projects = append(e.Projects, Project{ID: string(rune('A' + i)), Cost: c})
	}
	for _, b := range ballots {
		e.Ballots = append(e.Ballots, Ballot{Projects: b})
	}
	return e
}

func mustCompute(t *testing.T, e *Election, opt Options) *Outcome {
	t.Helper()
	out, err := Compute(e, opt)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMESThreeVoters is worked out by hand. A costs 30 (all three voters),
// B costs 20 (voters 1 and 2), C costs 20 (voter 3); B = 60, share 20.
// Round 1: A, each pays 10, ρ = 10/30 = 1/3 (effective votes 3), against
// ρ_B = 10/20 and ρ_C = 20/20. Round 2: B, voters 1 and 2 pay their last
// 10 each (ρ = 1/2); C is out of reach (voter 3 has 10). With add1 the
// share goes up to 29: at 30 voter 3 keeps 20 after A and buys C, which
// brings the total to 70 > 60.
func TestMESThreeVoters(t *testing.T) {
	e := approvals(60, []int64{30, 20, 20}, []int{0, 1}, []int{0, 1}, []int{0, 2})
	out := mustCompute(t, e, Options{Rule: RuleMES, Completion: CompletionNone})
	if !slices.Equal(out.Funded, []string{"A", "B"}) || out.TotalCost != 50 {
		t.Fatalf("plain MES funded %v for %d", out.Funded, out.TotalCost)
	}
	a, b, c := out.Projects[0], out.Projects[1], out.Projects[2]
	if a.Rho != "1/3" || a.Round != 1 || a.EffectiveVotes != 3 {
		t.Errorf("A: %+v", a)
	}
	if b.Rho != "1/2" || b.Round != 2 {
		t.Errorf("B: %+v", b)
	}
	// Voter 3 has 10 left of C's 20.
	if c.Funded || c.CoveredPercent != 50 || len(c.PaidFor) != 1 || c.PaidFor[0] != (PaidFor{"A", 10}) {
		t.Errorf("C: %+v", c)
	}

	out = mustCompute(t, e, Options{Rule: RuleMES, Completion: CompletionAdd1})
	if out.StartShare.Cmp(big.NewRat(20, 1)) != 0 || out.FinalShare.Cmp(big.NewRat(29, 1)) != 0 || out.Runs != 11 {
		t.Errorf("add1 share %v → %v in %d runs, want 20 → 29 in 11", out.StartShare, out.FinalShare, out.Runs)
	}
	if !slices.Equal(out.Funded, []string{"A", "B"}) {
		t.Errorf("add1 funded %v", out.Funded)
	}

	// add1u / greedy completion: 10 left, nothing else fits (C costs 20).
	out = mustCompute(t, e, Options{Rule: RuleMES, Completion: CompletionAdd1Greedy})
	if out.TotalCost != 50 {
		t.Errorf("add1u total %d", out.TotalCost)
	}

	// Cardinality utilities: ρ_A = 10, ρ_B = 10, ρ_C = 20. A and B tie on
	// ρ; B is cheaper and wins round 1 (voters 1, 2 pay 10 each), then A:
	// voters 1, 2 pay 10 and voter 3 pays 10. ρ = 10.
	out = mustCompute(t, e, Options{Rule: RuleMES, Completion: CompletionNone, Utility: UtilityCardinality})
	if !slices.Equal(out.Funded, []string{"B", "A"}) || out.Projects[0].Rho != "10" {
		t.Errorf("cardinality utilities funded %v (A ρ %s)", out.Funded, out.Projects[0].Rho)
	}
}

func TestMESRationalShare(t *testing.T) {
	// B/n = 10/3: the share is not an integer, every payment is exact.
	e := approvals(10, []int64{5, 5}, []int{0}, []int{0, 1}, []int{1})
	out := mustCompute(t, e, Options{Rule: RuleMES, Completion: CompletionNone})
	// Project A: voters 1, 2 pay 5/2 each (ρ = 1/2); same for B but voter 2
	// has 10/3 − 5/2 = 5/6 left: voter 2 pays 5/6, voter 3 needs 25/6 >
	// 10/3, so B is unaffordable (10/3 + 5/6 = 25/6 < 5).
	if !slices.Equal(out.Funded, []string{"A"}) {
		t.Fatalf("funded %v", out.Funded)
	}
	if got := out.Projects[1].CoveredPercent; got < 83.33 || got > 83.34 {
		t.Errorf("B covered %.4f%%, want 25/6 of 5 = 83.33%%", got)
	}
}

func TestTieBreaks(t *testing.T) {
	t.Run("SmallerCost", func(t *testing.T) {
		// Each project has one supporter who pays all: ρ = 1 for both (cost
		// utilities); the cheaper one goes first even though listed last.
		e := approvals(40, []int64{20, 10}, []int{0}, []int{1})
		out := mustCompute(t, e, Options{Rule: RuleMES, Completion: CompletionNone})
		if !slices.Equal(out.Funded, []string{"B", "A"}) {
			t.Fatalf("funded %v", out.Funded)
		}
	})
	t.Run("MoreVotes", func(t *testing.T) {
		// Cardinality utilities, 13 voters, share 5. Round 1: x (cost 20,
		// voters 1-8, ρ = 2.5). Round 2: "b" (cost 15, voters 1, 2, 9, 10)
		// has voters 1, 2 down to 2.5, so 9 and 10 pay 5: ρ = 5; "a"
		// (cost 15, voters 11-13) also has ρ = 5. Same ρ, same cost: "b"
		// has 4 votes against 3 and goes first despite its larger id.
		var ballots [][]int
		ballots = append(ballots, []int{0, 1}, []int{0, 1})
		for range 6 {
			ballots = append(ballots, []int{0})
		}
		ballots = append(ballots, []int{1}, []int{1}, []int{2}, []int{2}, []int{2})
		e := approvals(65, []int64{20, 15, 15}, ballots...)
		e.Projects[0].ID, e.Projects[1].ID, e.Projects[2].ID = "x", "b", "a"
		out := mustCompute(t, e, Options{Rule: RuleMES, Completion: CompletionNone, Utility: UtilityCardinality})
		if !slices.Equal(out.Funded, []string{"x", "b", "a"}) {
			t.Fatalf("funded %v", out.Funded)
		}
		if out.Projects[1].Rho != "5" || out.Projects[2].Rho != "5" {
			t.Fatalf("ρ %s and %s, want a tie at 5", out.Projects[1].Rho, out.Projects[2].Rho)
		}
	})
	t.Run("ProjectID", func(t *testing.T) {
		e := approvals(40, []int64{10, 10}, []int{1}, []int{0})
		e.Projects[0].ID, e.Projects[1].ID = "z", "a"
		out := mustCompute(t, e, Options{Rule: RuleMES, Completion: CompletionNone})
		if !slices.Equal(out.Funded, []string{"a", "z"}) {
			t.Fatalf("funded %v", out.Funded)
		}
	})
	t.Run("Greedy", func(t *testing.T) {
		// A and B tie on votes: smaller cost first (B), then A no longer
		// fits and is skipped, not a stop: D (cheaper than C, same votes)
		// still fits.
		e := approvals(100, []int64{60, 50, 80, 10}, []int{0, 1, 2}, []int{0, 1, 3})
		out := mustCompute(t, e, Options{Rule: RuleGreedy})
		if !slices.Equal(out.Funded, []string{"B", "D"}) || out.TotalCost != 60 {
			t.Fatalf("greedy funded %v for %d", out.Funded, out.TotalCost)
		}
		// A (60) came when 50 was left; C ties D on votes, D is cheaper
		// and goes first, so C (80) came when 40 was left.
		if out.Projects[0].LeftAtTurn != 50 || out.Projects[2].LeftAtTurn != 40 || out.Projects[1].LeftAtTurn != 0 {
			t.Fatalf("left at turn: %+v", out.Projects)
		}
	})
}

// refMES is a direct transcription of the definition in big.Rat, one
// budget per voter, no shortcuts: the reference the fast code must match.
func refMES(e *Election, util Utility, share *big.Rat) ([]int, []*big.Rat) {
	count, score := e.Votes()
	votes := count
	if e.Cardinal {
		votes = score
	}
	b := make([]*big.Rat, len(e.Ballots))
	for i := range b {
		b[i] = new(big.Rat).Set(share)
	}
	u := func(i, k int) int64 {
		bl := e.Ballots[i]
		switch {
		case e.Cardinal:
			return bl.Scores[k]
		case util == UtilityCardinality:
			return 1
		}
		return e.Projects[bl.Projects[k]].Cost
	}
	type sup struct {
		i int
		u int64
	}
	supporters := func(p int) []sup {
		var s []sup
		for i, bl := range e.Ballots {
			for k, q := range bl.Projects {
				if q == p && u(i, k) > 0 {
					s = append(s, sup{i, u(i, k)})
				}
			}
		}
		return s
	}
	funded := make([]bool, len(e.Projects))
	var order []int
	var rhos []*big.Rat
	for {
		best, bestRho := -1, (*big.Rat)(nil)
		for p := range e.Projects {
			if funded[p] {
				continue
			}
			s := supporters(p)
			c := big.NewRat(e.Projects[p].Cost, 1)
			total := new(big.Rat)
			for _, x := range s {
				total.Add(total, b[x.i])
			}
			if len(s) == 0 || total.Cmp(c) < 0 {
				continue
			}
			slices.SortStableFunc(s, func(x, y sup) int {
				return new(big.Rat).Mul(b[x.i], big.NewRat(y.u, 1)).Cmp(new(big.Rat).Mul(b[y.i], big.NewRat(x.u, 1)))
			})
			rem, U := new(big.Rat).Set(c), int64(0)
			for _, x := range s {
				U += x.u
			}
			var rho *big.Rat
			for _, x := range s {
				cand := new(big.Rat).Quo(rem, big.NewRat(U, 1))
				if cand.Cmp(new(big.Rat).Quo(b[x.i], big.NewRat(x.u, 1))) <= 0 {
					rho = cand
					break
				}
				rem.Sub(rem, b[x.i])
				U -= x.u
			}
			better := best < 0
			if !better {
				switch rho.Cmp(bestRho) {
				case -1:
					better = true
				case 0:
					pc, bc := e.Projects[p].Cost, e.Projects[best].Cost
					better = pc < bc || pc == bc && (votes[p] > votes[best] ||
						votes[p] == votes[best] && e.Projects[p].ID < e.Projects[best].ID)
				}
			}
			if better {
				best, bestRho = p, rho
			}
		}
		if best < 0 {
			return order, rhos
		}
		for _, x := range supporters(best) {
			pay := new(big.Rat).Mul(bestRho, big.NewRat(x.u, 1))
			if pay.Cmp(b[x.i]) > 0 {
				pay.Set(b[x.i])
			}
			b[x.i].Sub(b[x.i], pay)
		}
		funded[best] = true
		order = append(order, best)
		rhos = append(rhos, bestRho)
	}
}

// randomElection draws small instances with few distinct costs, so that
// exact ties (the cases float arithmetic gets wrong) are frequent.
func randomElection(rng *rand.Rand, cardinal bool) *Election {
	m, n := 2+rng.IntN(6), 1+rng.IntN(9)
	e := &Election{Cardinal: cardinal}
	costs := []int64{3, 4, 6, 7, 12}
	for p := range m {
		e.Projects = append(e.Projects, Project{ID: "p" + strconv.Itoa(p), Cost: costs[rng.IntN(len(costs))] * int64(1+rng.IntN(3))})
	}
	for range n {
		var bl Ballot
		for p := range m {
			if rng.IntN(3) > 0 {
				bl.Projects = append(bl.Projects, p)
				if cardinal {
					bl.Scores = append(bl.Scores, int64(rng.IntN(4)))
				}
			}
		}
		e.Ballots = append(e.Ballots, bl)
	}
	e.Budget = int64(n) * int64(1+rng.IntN(12))
	if rng.IntN(2) == 0 {
		e.Budget += int64(rng.IntN(n)) // a share that is not an integer
	}
	return e
}

func TestMESMatchesReference(t *testing.T) {
	cases := 3000
	if testing.Short() {
		cases = 500
	}
	testMESMatchesReference(t, cases)
}

// TestBallotClassCollisions reruns the reference comparison with a hash
// that makes every ballot collide, so the collision path of the ballot
// classes is what groups them.
func TestBallotClassCollisions(t *testing.T) {
	saved := hashPairs
	defer func() { hashPairs = saved }()
	hashPairs = func([]pu) uint64 { return 42 }
	testMESMatchesReference(t, 300)
}

func testMESMatchesReference(t *testing.T, cases int) {
	rng := rand.New(rand.NewPCG(1, 2))
	funded := 0
	for k := range cases {
		cardinal := k%3 == 2
		util := Utility(k % 2)
		e := randomElection(rng, cardinal)
		share := big.NewRat(e.Budget, int64(len(e.Ballots)))
		wantOrder, wantRho := refMES(e, util, share)
		in := compileMES(e, util)
		run := newMESRun(in)
		run.run(share.Num(), share.Denom())
		if !slices.Equal(run.order, wantOrder) {
			t.Fatalf("case %d (%+v): order %v, reference %v", k, e, run.order, wantOrder)
		}
		for r := range wantRho {
			if run.rounds[r].Cmp(wantRho[r]) != 0 {
				t.Fatalf("case %d round %d: ρ %v, reference %v", k, r, run.rounds[r], wantRho[r])
			}
		}
		funded += len(wantOrder)
	}
	if funded < cases {
		t.Fatalf("only %d projects funded over %d cases: the comparison is too weak", funded, cases)
	}
}

func TestValidate(t *testing.T) {
	cases := map[string]*Election{
		"ZeroBudget":     {Budget: 0, Projects: []Project{{ID: "a", Cost: 1}}},
		"ZeroCost":       {Budget: 5, Projects: []Project{{ID: "a", Cost: 0}}},
		"DuplicateID":    {Budget: 5, Projects: []Project{{ID: "a", Cost: 1}, {ID: "a", Cost: 2}}},
		"OutOfRange":     {Budget: 5, Projects: []Project{{ID: "a", Cost: 1}}, Ballots: []Ballot{{Projects: []int{1}}}},
		"TwiceInBallot":  {Budget: 5, Projects: []Project{{ID: "a", Cost: 1}}, Ballots: []Ballot{{Projects: []int{0, 0}}}},
		"ScoresMismatch": {Budget: 5, Projects: []Project{{ID: "a", Cost: 1}}, Ballots: []Ballot{{Projects: []int{0}, Scores: []int64{}}}},
		"NegativeScore":  {Budget: 5, Projects: []Project{{ID: "a", Cost: 1}}, Ballots: []Ballot{{Projects: []int{0}, Scores: []int64{-1}}}},
	}
	for name, e := range cases {
		if err := e.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ok := &Election{Budget: 5, Projects: []Project{{ID: "a", Cost: 1}, {ID: "b", Cost: 2}},
		Ballots: []Ballot{{Projects: []int{0, 1}}, {Projects: []int{1, 0}}}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid election refused: %v", err)
	}
}

// TestPathCounts shows how often the exact paths run on a real instance;
// it fails if the fast path is bypassed wholesale (a broken error bound).
func TestPathCounts(t *testing.T) {
	e := approvals(60, []int64{30, 20, 20}, []int{0, 1}, []int{0, 1}, []int{0, 2})
	in := compileMES(e, UtilityCost)
	run := newMESRun(in)
	run.run(big.NewInt(29), big.NewInt(1))
	t.Logf("3 voters: %d evaluations, %d exact checks, %d full exact", run.evals, run.exactChecks, run.fullExact)
	rng := rand.New(rand.NewPCG(3, 4))
	el := &Election{Budget: 1_000_000}
	for p := range 40 {
		el.Projects = append(el.Projects, Project{ID: strconv.Itoa(p), Cost: int64(5000 + rng.IntN(95000))})
	}
	for range 5000 {
		var b Ballot
		for p := range 40 {
			if rng.IntN(8) == 0 {
				b.Projects = append(b.Projects, p)
			}
		}
		el.Ballots = append(el.Ballots, b)
	}
	in = compileMES(el, UtilityCost)
	run = newMESRun(in)
	run.run(new(big.Int).SetInt64(300), new(big.Int).SetInt64(1))
	t.Logf("5000 voters: %d rounds, %d evaluations, %d exact checks, %d full exact", len(run.order), run.evals, run.exactChecks, run.fullExact)
	if run.fullExact > run.evals/4 {
		t.Errorf("the full exact path ran %d times in %d evaluations", run.fullExact, run.evals)
	}
}

// TestAdd1MatchesReference checks the add1 loop (start share, stop rule,
// the speculative parallel batches) against a plain sequential loop over
// the reference MES.
func TestAdd1MatchesReference(t *testing.T) {
	for _, procs := range []int{1, 3} {
		old := runtime.GOMAXPROCS(procs)
		rng := rand.New(rand.NewPCG(5, uint64(procs)))
		for k := range 150 {
			e := randomElection(rng, k%4 == 3)
			util := Utility(k % 2)
			n := int64(len(e.Ballots))
			count, _ := e.Votes()
			supported := 0
			for _, c := range count {
				if c > 0 {
					supported++
				}
			}
			b := e.Budget / n
			var last int64 = -1
			var lastOrder []int
			for {
				order, _ := refMES(e, util, big.NewRat(b, 1))
				var cost int64
				for _, p := range order {
					cost += e.Projects[p].Cost
				}
				if cost > e.Budget {
					break
				}
				last, lastOrder = b, order
				if len(order) == supported {
					break
				}
				b++
			}
			out, err := Compute(e, Options{Rule: RuleMES, Completion: CompletionAdd1, Utility: util})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, p := range lastOrder {
				want = append(want, e.Projects[p].ID)
			}
			if out.FinalShare.Cmp(big.NewRat(last, 1)) != 0 || !slices.Equal(out.Funded, want) {
				t.Fatalf("procs %d case %d: share %v funded %v, reference %d %v", procs, k, out.FinalShare, out.Funded, last, want)
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

func TestComputeCancelled(t *testing.T) {
	e := approvals(60, []int64{30, 20, 20}, []int{0, 1}, []int{0, 1}, []int{0, 2})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ComputeContext(ctx, e, Options{Rule: RuleMES}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled add1 returned %v", err)
	}
}

func TestBallotClasses(t *testing.T) {
	e := approvals(10, []int64{4, 6}, []int{0, 1}, []int{1, 0}, []int{0}, []int{0, 1}, []int{})
	for _, hash := range []func([]pu) uint64{hashPairs, func([]pu) uint64 { return 7 }} {
		saved := hashPairs
		hashPairs = hash
		in := compileMES(e, UtilityCost)
		hashPairs = saved
		// {0,1} three times (any order), {0} once; the empty ballot never pays.
		if in.n != 2 || !slices.Equal(in.weight, []int64{3, 1}) || !slices.Equal(in.supCount, []int64{4, 3}) {
			t.Fatalf("classes %d, weights %v, supporters %v", in.n, in.weight, in.supCount)
		}
	}
}
