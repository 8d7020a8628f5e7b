// SPDX-License-Identifier: AGPL-3.0-or-later

package rules

import (
	"cmp"
	"context"
	"fmt"
	"math/big"
	"runtime"
	"slices"
	"sync"
)

// Rule names an outcome rule.
type Rule string

// Outcome rules.
const (
	RuleGreedy Rule = "greedy"
	RuleMES    Rule = "mes"
)

// Completion names what is done after MES when it leaves money unspent.
type Completion string

// Completions of MES.
const (
	// CompletionNone is plain MES with share B/n.
	CompletionNone Completion = "none"
	// CompletionAdd1 raises the integral share one currency unit at a
	// time, rerunning MES, and keeps the last outcome within B.
	CompletionAdd1 Completion = "add1"
	// CompletionAdd1Greedy is add1 followed by greedy-by-votes on what is
	// left of B.
	CompletionAdd1Greedy Completion = "add1u"
	// CompletionGreedy is plain MES followed by greedy-by-votes.
	CompletionGreedy Completion = "greedy"
)

// Options selects the rule. The zero value is greedy by votes.
type Options struct {
	Rule       Rule
	Completion Completion // MES only; "" means add1
	Utility    Utility    // MES on approval ballots only
	// Comparison adds the comparison step: MES stands unless strictly more
	// voters prefer the greedy outcome.
	Comparison bool
}

// Stage says how a project got funded.
type Stage string

// Stages.
const (
	StageMES    Stage = "mes"
	StageGreedy Stage = "greedy"
)

// PaidFor is how much the supporters of an unfunded project paid for one
// funded project.
type PaidFor struct {
	ProjectID string
	Amount    float64
}

// ProjectResult explains the outcome for one project.
type ProjectResult struct {
	ID     string
	Cost   int64
	Votes  int64 // ballots supporting it
	Score  int64 // total score (= Votes for approval ballots)
	Funded bool
	Stage  Stage // how it was funded ("" if not)
	// Round is the 1-based MES round (or greedy position) it was funded in.
	Round int
	// Rho is the exact ρ of its MES round ("" if not funded by MES).
	Rho      string
	RhoFloat float64
	// EffectiveVotes is c(p) / payment asked of a full-paying supporter
	// (per point for cardinal ballots): the number that MES ranks by.
	EffectiveVotes float64
	// CoveredPercent is, for an unfunded project under MES, how much of
	// its cost its supporters' remaining money covered at the end.
	CoveredPercent float64
	// PaidFor lists (at most three, largest first) the funded projects its
	// supporters paid most for, for unfunded projects under MES.
	PaidFor []PaidFor
	// LeftAtTurn is, for a project greedy-by-votes reached but could not
	// fund, what was left of the budget at its turn (less than its cost).
	LeftAtTurn int64
}

// Comparison is the result of the comparison step.
type Comparison struct {
	PreferMES     int
	PreferGreedy  int
	GreedyFunded  []string
	GreedyCost    int64
	KeptGreedy    bool
	MESFunded     []string
	MESTotalCost  int64
	MESFinalShare *big.Rat
}

// Outcome is the result of a rule on an election.
type Outcome struct {
	Options Options
	Budget  int64
	// Funded lists the funded project ids in the order they were funded.
	Funded    []string
	TotalCost int64
	// StartShare and FinalShare are the per-voter shares (money units) of
	// the first and of the kept MES run; nil for greedy.
	StartShare *big.Rat
	FinalShare *big.Rat
	// Runs counts the MES computations.
	Runs       int
	Projects   []ProjectResult
	Comparison *Comparison
}

// Compute applies the rule of opt to e.
func Compute(e *Election, opt Options) (*Outcome, error) {
	return ComputeContext(context.Background(), e, opt)
}

// ComputeContext is Compute with cancellation: the add1 completion may run
// MES hundreds of times, and checks ctx between runs.
func ComputeContext(ctx context.Context, e *Election, opt Options) (*Outcome, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	switch opt.Rule {
	case RuleGreedy, "":
		opt.Rule = RuleGreedy
		return greedyOutcome(e, opt), nil
	case RuleMES:
	default:
		return nil, fmt.Errorf("unknown rule %q", opt.Rule)
	}
	if opt.Completion == "" {
		opt.Completion = CompletionAdd1
	}
	switch opt.Completion {
	case CompletionNone, CompletionAdd1, CompletionAdd1Greedy, CompletionGreedy:
	default:
		return nil, fmt.Errorf("unknown completion %q", opt.Completion)
	}
	if len(e.Ballots) == 0 {
		return nil, fmt.Errorf("%w: no ballots", ErrInvalidElection)
	}
	if err := e.checkUtilityTotals(opt.Utility); err != nil {
		return nil, err
	}
	out, err := mesOutcome(ctx, e, opt)
	if err != nil {
		return nil, err
	}
	if opt.Comparison {
		compare(e, out)
	}
	return out, nil
}

func newResults(e *Election) []ProjectResult {
	count, score := e.Votes()
	res := make([]ProjectResult, len(e.Projects))
	for p, pr := range e.Projects {
		res[p] = ProjectResult{ID: pr.ID, Cost: pr.Cost, Votes: count[p], Score: score[p]}
	}
	return res
}

// greedyOrder orders projects by total score (approvals) descending, then
// smaller cost, then project id.
func greedyOrder(e *Election) []int {
	_, score := e.Votes()
	order := make([]int, len(e.Projects))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(score[b], score[a]); c != 0 {
			return c
		}
		if c := cmp.Compare(e.Projects[a].Cost, e.Projects[b].Cost); c != 0 {
			return c
		}
		return cmp.Compare(e.Projects[a].ID, e.Projects[b].ID)
	})
	return order
}

// greedyFill funds, greedily by votes, the supported projects not yet
// funded that still fit; it returns the funded indices in order.
// When res is not nil, the projects that did not fit get LeftAtTurn.
func greedyFill(e *Election, funded []bool, spent int64, res []ProjectResult) ([]int, int64) {
	_, score := e.Votes()
	var added []int
	for _, p := range greedyOrder(e) {
		if funded[p] || score[p] <= 0 {
			continue
		}
		if c := e.Projects[p].Cost; spent+c <= e.Budget {
			funded[p] = true
			spent += c
			added = append(added, p)
		} else if res != nil {
			res[p].LeftAtTurn = e.Budget - spent
		}
	}
	return added, spent
}

func greedyOutcome(e *Election, opt Options) *Outcome {
	out := &Outcome{Options: opt, Budget: e.Budget, Projects: newResults(e)}
	funded := make([]bool, len(e.Projects))
	added, spent := greedyFill(e, funded, 0, out.Projects)
	for k, p := range added {
		out.Funded = append(out.Funded, e.Projects[p].ID)
		r := &out.Projects[p]
		r.Funded, r.Stage, r.Round = true, StageGreedy, k+1
	}
	out.TotalCost = spent
	return out
}

func mesOutcome(ctx context.Context, e *Election, opt Options) (*Outcome, error) {
	in := compileMES(e, opt.Utility)
	run := newMESRun(in)
	n := big.NewInt(int64(len(e.Ballots)))
	out := &Outcome{Options: opt, Budget: e.Budget, Projects: newResults(e)}
	var share *big.Rat
	switch opt.Completion {
	case CompletionAdd1, CompletionAdd1Greedy:
		var err error
		share, out.Runs, err = add1Share(ctx, e, in, run)
		if err != nil {
			return nil, err
		}
		unit := e.unit()
		out.StartShare = big.NewRat(e.Budget/int64(len(e.Ballots))/unit*unit, 1)
	default:
		share = new(big.Rat).SetFrac(big.NewInt(e.Budget), n)
		out.StartShare = share
		out.Runs = 1
	}
	out.FinalShare = share
	// One more run with payments recorded, for the explanation.
	run.record = true
	run.run(share.Num(), share.Denom())
	run.record = false
	funded := make([]bool, len(e.Projects))
	for k, p := range run.order {
		funded[p] = true
		out.Funded = append(out.Funded, e.Projects[p].ID)
		r := &out.Projects[p]
		r.Funded, r.Stage, r.Round = true, StageMES, k+1
		rho := run.rounds[k]
		r.Rho = rho.RatString()
		r.RhoFloat, _ = rho.Float64()
		r.EffectiveVotes = effectiveVotes(e, opt.Utility, p, rho)
	}
	out.TotalCost = run.cost
	explainUnfunded(e, in, run, out)
	if opt.Completion == CompletionGreedy || opt.Completion == CompletionAdd1Greedy {
		added, spent := greedyFill(e, funded, run.cost, out.Projects)
		for k, p := range added {
			out.Funded = append(out.Funded, e.Projects[p].ID)
			r := &out.Projects[p]
			r.Funded, r.Stage, r.Round = true, StageGreedy, len(run.order)+k+1
			r.CoveredPercent, r.PaidFor = 0, nil
		}
		out.TotalCost = spent
	}
	return out, nil
}

// effectiveVotes is c / (ρ·u): with cost utilities 1/ρ, with cardinality
// utilities c/ρ, for cardinal ballots the cost per point bought.
func effectiveVotes(e *Election, util Utility, p int, rho *big.Rat) float64 {
	if rho.Sign() == 0 {
		return 0
	}
	ev := new(big.Rat).Inv(rho)
	// With cost utilities the payment is ρ·c(p), so c / (ρ·c) = 1/ρ.
	if e.Cardinal || util == UtilityCardinality {
		ev.Mul(ev, big.NewRat(e.Projects[p].Cost, 1))
	}
	f, _ := ev.Float64()
	return f
}

// add1Share runs the add1 completion and returns the share of the last
// outcome within budget and the number of MES runs the definition needs.
//
// The runs for successive shares are independent, so with several CPUs a
// batch of the next shares is computed speculatively in parallel and then
// read in order, which gives exactly the sequential result.
func add1Share(ctx context.Context, e *Election, in *mesInput, run *mesRun) (*big.Rat, int, error) {
	unit := e.unit()
	n := int64(len(e.Ballots))
	b := e.Budget / n / unit * unit
	supported := 0
	for p := range in.cost {
		if in.supStart[p+1] > in.supStart[p] {
			supported++
		}
	}
	one := big.NewInt(1)
	run.run(big.NewInt(b), one)
	runs, last := 1, b
	workers := min(runtime.GOMAXPROCS(0), 8)
	pool := []*mesRun{run}
	for len(pool) < workers {
		pool = append(pool, newMESRun(in))
	}
	type result struct {
		cost   int64
		funded int
	}
	results := make([]result, workers)
	allFunded := len(run.order) == supported
	// Once every supported project is funded, they all fit in B: no larger
	// share can overspend, so the definition would never stop, and every
	// large enough share funds exactly this set. Stop here.
	for !allFunded {
		if err := ctx.Err(); err != nil {
			return nil, runs, fmt.Errorf("add1 completion stopped at share %d: %w", last, err)
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				pool[w].run(big.NewInt(b+int64(w+1)*unit), one)
				results[w] = result{pool[w].cost, len(pool[w].order)}
			})
		}
		wg.Wait()
		for w := range workers {
			runs++
			if results[w].cost > e.Budget {
				return big.NewRat(last, 1), runs, nil
			}
			last = b + int64(w+1)*unit
			if results[w].funded == supported {
				allFunded = true
				break
			}
		}
		b += int64(workers) * unit
	}
	return big.NewRat(last, 1), runs, nil
}

// explainUnfunded fills CoveredPercent and PaidFor for the projects MES
// did not fund.
func explainUnfunded(e *Election, in *mesInput, run *mesRun, out *Outcome) {
	m, rounds := len(e.Projects), len(run.order)
	// paidFor[q*rounds+k] is what the supporters of q paid in round k.
	paidFor := make([]float64, m*rounds)
	for k, pays := range run.paid {
		for _, py := range pays {
			amount := py.amount * float64(in.weight[py.voter])
			for a := in.apStart[py.voter]; a < in.apStart[py.voter+1]; a++ {
				paidFor[int(in.apProj[a])*rounds+k] += amount
			}
		}
	}
	for p := range e.Projects {
		if run.funded[p] {
			continue
		}
		var left float64
		for k := in.supStart[p]; k < in.supStart[p+1]; k++ {
			// -1 marks a broke voter class.
			left += float64(in.supW[k]) * max(run.bf[in.supVoter[k]], 0)
		}
		res := &out.Projects[p]
		res.CoveredPercent = 100 * left / float64(e.Projects[p].Cost)
		var pf []PaidFor
		for k, a := range paidFor[p*rounds : (p+1)*rounds] {
			if a > 0 {
				pf = append(pf, PaidFor{ProjectID: e.Projects[run.order[k]].ID, Amount: a})
			}
		}
		slices.SortStableFunc(pf, func(a, b PaidFor) int { return cmp.Compare(b.Amount, a.Amount) })
		if len(pf) > 3 {
			pf = pf[:3]
		}
		res.PaidFor = pf
	}
}

// compare runs the comparison step on an MES outcome.
func compare(e *Election, out *Outcome) {
	g := greedyOutcome(e, Options{Rule: RuleGreedy})
	idx := make(map[string]int, len(e.Projects))
	for p, pr := range e.Projects {
		idx[pr.ID] = p
	}
	inMES := make([]bool, len(e.Projects))
	for _, id := range out.Funded {
		inMES[idx[id]] = true
	}
	inG := make([]bool, len(e.Projects))
	for _, id := range g.Funded {
		inG[idx[id]] = true
	}
	c := &Comparison{GreedyFunded: g.Funded, GreedyCost: g.TotalCost,
		MESFunded: out.Funded, MESTotalCost: out.TotalCost, MESFinalShare: out.FinalShare}
	for _, b := range e.Ballots {
		var m, gr int64
		for k, p := range b.Projects {
			s := int64(1)
			if b.Scores != nil {
				s = b.Scores[k]
			}
			if inMES[p] {
				m += s
			}
			if inG[p] {
				gr += s
			}
		}
		switch {
		case m > gr:
			c.PreferMES++
		case gr > m:
			c.PreferGreedy++
		}
	}
	out.Comparison = c
	if c.PreferGreedy > c.PreferMES {
		c.KeptGreedy = true
		cmpOpt := out.Options
		*out = *g
		out.Options = cmpOpt
		out.Comparison = c
	}
}
