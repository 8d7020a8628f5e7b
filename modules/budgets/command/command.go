// SPDX-License-Identifier: AGPL-3.0-or-later

// Package command is the `polder budgets` command line: it computes the
// outcome of a participatory budget from a pabulib .pb file.
package command

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/polder-civic/polder/modules/budgets/pabulib"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

const usage = `usage: polder budgets outcome FILE.pb [flags]

Computes what gets funded and explains it project by project.

flags:
  --rule greedy|mes            outcome rule (default mes)
  --completion none|add1|add1u|greedy
                               MES completion (default add1)
  --utility cost|cardinality   MES utilities for approval ballots (default cost)
  --comparison                 add the comparison step against greedy
  --json                       print JSON instead of text
`

// Run runs a budgets subcommand; args are the words after "polder budgets".
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage+"\n"+dbUsage)
		return nil
	}
	switch args[0] {
	case "outcome":
		return runOutcome(ctx, args[1:], stdout)
	case "import":
		return runImport(ctx, args[1:], stdout)
	case "export":
		return runExport(ctx, args[1:], stdout)
	}
	fmt.Fprint(stdout, usage+"\n"+dbUsage)
	return fmt.Errorf("unknown budgets subcommand %q", args[0])
}

// parseInterspersed parses flags wherever they appear among positional
// arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runOutcome(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("outcome", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprint(stdout, usage) }
	rule := fs.String("rule", "mes", "outcome rule")
	completion := fs.String("completion", "add1", "MES completion")
	utility := fs.String("utility", "cost", "MES utilities")
	comparison := fs.Bool("comparison", false, "comparison step")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("budgets outcome: %w", err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("budgets outcome: expected one .pb file, got %d arguments", len(pos))
	}
	opt := rules.Options{Rule: rules.Rule(*rule), Completion: rules.Completion(*completion), Comparison: *comparison}
	switch *utility {
	case "cost":
		opt.Utility = rules.UtilityCost
	case "cardinality":
		opt.Utility = rules.UtilityCardinality
	default:
		return fmt.Errorf("budgets outcome: unknown utility %q", *utility)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	in, err := pabulib.ParseFile(pos[0])
	if err != nil {
		return fmt.Errorf("budgets outcome: %w", err)
	}
	e, scale, err := in.Election()
	if err != nil {
		return fmt.Errorf("budgets outcome: %s: %w", pos[0], err)
	}
	out, err := rules.ComputeContext(ctx, e, opt)
	if err != nil {
		return fmt.Errorf("budgets outcome: %w", err)
	}
	took := time.Since(start)
	rep := newReport(pos[0], in, e, scale, out, took)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.writeText(stdout)
}

// report is what the command prints, in currency units.
type report struct {
	File       string          `json:"file"`
	Rule       string          `json:"rule"`
	Completion string          `json:"completion,omitempty"`
	Utility    string          `json:"utility,omitempty"`
	Budget     string          `json:"budget"`
	Voters     int             `json:"voters"`
	StartShare string          `json:"start_share,omitempty"`
	FinalShare string          `json:"final_share,omitempty"`
	MESRuns    int             `json:"mes_runs,omitempty"`
	Funded     []string        `json:"funded"`
	TotalCost  string          `json:"total_cost"`
	Projects   []projectReport `json:"projects"`
	Comparison *compareReport  `json:"comparison,omitempty"`
	Seconds    float64         `json:"seconds"`
	scale      int
}

type projectReport struct {
	ID             string   `json:"id"`
	Name           string   `json:"name,omitempty"`
	Cost           string   `json:"cost"`
	Votes          int64    `json:"votes"`
	Score          int64    `json:"score,omitempty"`
	Funded         bool     `json:"funded"`
	Stage          string   `json:"stage,omitempty"`
	Round          int      `json:"round,omitempty"`
	Rho            string   `json:"rho,omitempty"`
	EffectiveVotes float64  `json:"effective_votes,omitempty"`
	CoveredPercent float64  `json:"covered_percent,omitempty"`
	PaidFor        []string `json:"supporters_paid_for,omitempty"`
	LeftAtTurn     string   `json:"left_at_turn,omitempty"`
}

type compareReport struct {
	PreferMES    int      `json:"prefer_mes"`
	PreferGreedy int      `json:"prefer_greedy"`
	GreedyFunded []string `json:"greedy_funded"`
	GreedyCost   string   `json:"greedy_cost"`
	Kept         string   `json:"kept"`
}

func money(v int64, scale int) string {
	if scale == 0 {
		return fmt.Sprint(v)
	}
	return pabulib.Decimal{Units: v, Scale: scale}.String()
}

func ratMoney(r *big.Rat, scale int) string {
	if r == nil {
		return ""
	}
	unit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	v := new(big.Rat).Quo(r, unit)
	if v.IsInt() {
		return v.RatString()
	}
	return v.FloatString(scale+4) + " (" + v.RatString() + ")"
}

func newReport(file string, in *pabulib.Instance, e *rules.Election, scale int, out *rules.Outcome, took time.Duration) *report {
	rep := &report{
		File: file, Rule: string(out.Options.Rule), Budget: money(e.Budget, scale),
		Voters: len(e.Ballots), Funded: out.Funded, TotalCost: money(out.TotalCost, scale),
		Seconds: took.Seconds(), scale: scale,
	}
	if out.Options.Rule == rules.RuleMES {
		rep.Completion = string(out.Options.Completion)
		rep.Utility = out.Options.Utility.String()
		rep.StartShare = ratMoney(out.StartShare, scale)
		rep.FinalShare = ratMoney(out.FinalShare, scale)
		rep.MESRuns = out.Runs
	}
	for p, r := range out.Projects {
		name, _ := in.ProjectColumn(p, "name")
		pr := projectReport{ID: r.ID, Name: name, Cost: money(r.Cost, scale), Votes: r.Votes, Funded: r.Funded,
			Stage: string(r.Stage), Round: r.Round, Rho: r.Rho, EffectiveVotes: r.EffectiveVotes, CoveredPercent: r.CoveredPercent}
		if e.Cardinal {
			pr.Score = r.Score
		}
		if r.LeftAtTurn > 0 {
			pr.LeftAtTurn = money(r.LeftAtTurn, scale)
		}
		for _, pf := range r.PaidFor {
			pr.PaidFor = append(pr.PaidFor, fmt.Sprintf("%s (%.2f)", pf.ProjectID, pf.Amount/float64(e.Unit)))
		}
		rep.Projects = append(rep.Projects, pr)
	}
	if c := out.Comparison; c != nil {
		kept := "mes"
		if c.KeptGreedy {
			kept = "greedy"
		}
		rep.Comparison = &compareReport{PreferMES: c.PreferMES, PreferGreedy: c.PreferGreedy,
			GreedyFunded: c.GreedyFunded, GreedyCost: money(c.GreedyCost, scale), Kept: kept}
	}
	return rep
}

func (rep *report) writeText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", rep.File)
	fmt.Fprintf(&b, "rule %s", rep.Rule)
	if rep.Rule == string(rules.RuleMES) {
		fmt.Fprintf(&b, ", completion %s, %s utilities", rep.Completion, rep.Utility)
	}
	fmt.Fprintf(&b, "; budget %s, %d voters\n", rep.Budget, rep.Voters)
	if rep.FinalShare != "" {
		fmt.Fprintf(&b, "share per voter: %s → %s (%d MES runs)\n", rep.StartShare, rep.FinalShare, rep.MESRuns)
	}
	fmt.Fprintf(&b, "funded %d projects: %s\n", len(rep.Funded), strings.Join(rep.Funded, ", "))
	fmt.Fprintf(&b, "total cost %s of %s\n", rep.TotalCost, rep.Budget)
	if c := rep.Comparison; c != nil {
		fmt.Fprintf(&b, "comparison: %d voters prefer MES, %d prefer greedy (greedy funds %d projects for %s): %s kept\n",
			c.PreferMES, c.PreferGreedy, len(c.GreedyFunded), c.GreedyCost, c.Kept)
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "project\tcost\tvotes\tfunded\tround\tρ\teff. votes\tcovered\tsupporters paid for\tname")
	for _, p := range rep.Projects {
		funded := "no"
		if p.Funded {
			funded = "yes (" + p.Stage + ")"
		}
		round, eff, cov := "", "", ""
		if p.Round > 0 {
			round = fmt.Sprint(p.Round)
		}
		if p.EffectiveVotes > 0 {
			eff = fmt.Sprintf("%.2f", p.EffectiveVotes)
		}
		if !p.Funded && rep.Rule == string(rules.RuleMES) {
			cov = fmt.Sprintf("%.0f%%", p.CoveredPercent)
		}
		if p.LeftAtTurn != "" {
			cov = strings.TrimSpace(cov + " " + p.LeftAtTurn + " left at its turn")
		}
		name := p.Name
		if len([]rune(name)) > 40 {
			name = string([]rune(name)[:39]) + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Cost, p.Votes, funded, round, shortRho(p.Rho), eff, cov, strings.Join(p.PaidFor, ", "), name)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("formatting outcome: %w", err)
	}
	fmt.Fprintf(&b, "\ntime taken: %.3fs\n", rep.Seconds)
	_, err := io.WriteString(w, b.String())
	return err
}

// shortRho keeps exact ρ readable: long fractions are shown as decimals.
func shortRho(s string) string {
	if len(s) <= 16 {
		return s
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	f, _ := r.Float64()
	return fmt.Sprintf("%.6g", f)
}
