// SPDX-License-Identifier: AGPL-3.0-or-later

// Package command is the opinionmap part of the polder command line:
// `polder opinionmap analyze DIR` computes the opinion map of a Pol.is
// open-data export and prints the groups, their representative statements,
// the consensus and the divisive statements.
package command

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
	"github.com/polder-civic/polder/modules/opinionmap/polisdata"
)

const usage = `usage: polder opinionmap <command> [arguments]

commands:
  analyze DIR [--json] [--seed N] [--strict] [--stability ROUNDS] [--replay CADENCE]
      compute the opinion map of a Pol.is export folder (comments.csv,
      votes.csv): groups (participant → group), representative statements
      per group with their significance, consensus and divisive statements;
      with --stability, how often each group and representative statement
      comes back when participants are resampled ROUNDS times; with
      --replay (e.g. 10m), replay the votes in time order with a recompute
      every CADENCE carrying history (warm starts, k smoothing), as Pol.is's
      live server did, instead of one run on the final votes
  import DIR --database URL --component ID [--recompute]
      load a Pol.is export folder into an empty opinion-map component
      (statements, anonymous participants, latest votes)
  export DIR --database URL --component ID
      write a component's conversation as a Pol.is export folder
`

// Run executes `polder opinionmap ARGS...`.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errors.New("opinionmap: missing command")
	}
	switch args[0] {
	case "analyze":
		return runAnalyze(ctx, args[1:], stdout)
	case "import":
		return runImport(ctx, args[1:], stdout)
	case "export":
		return runExport(ctx, args[1:], stdout)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("opinionmap: unknown command %q", args[0])
	}
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments, which the flag package alone stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func runAnalyze(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stdout)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	seed := fs.Uint64("seed", 0, "seed of the pseudo-random PCA start and k-means++ restarts")
	strict := fs.Bool("strict", false, "strict moderation: leave unmoderated statements out")
	rounds := fs.Int("stability", 0, "bootstrap rounds for group and statement stability (0: none)")
	replay := fs.Duration("replay", 0, "replay the votes in time order, recomputing with history every this long (0: one run on the final votes)")
	fs.Usage = func() { fmt.Fprint(stdout, usage) }
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opinionmap analyze: %w", err)
	}
	if *replay < 0 {
		return fmt.Errorf("opinionmap analyze: --replay %v: want a positive cadence", *replay)
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("opinionmap analyze: want exactly one export folder")
	}
	start := time.Now()
	exp, err := polisdata.ReadDir(pos[0])
	if err != nil {
		return fmt.Errorf("opinionmap analyze: %w", err)
	}
	m, err := exp.Matrix()
	if err != nil {
		return fmt.Errorf("opinionmap analyze: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	loaded := time.Now()
	opts := opinionmath.Options{Seed: *seed, StrictModeration: *strict}
	var res *opinionmath.Result
	if *replay > 0 {
		votes, err := exp.TimedVotes()
		if err != nil {
			return fmt.Errorf("opinionmap analyze: %w", err)
		}
		if res, m, err = opinionmath.Replay(exp.Statements(), votes, *replay, opts); err != nil {
			return fmt.Errorf("opinionmap analyze: %w", err)
		}
	} else if res, err = opinionmath.Compute(m, nil, opts); err != nil {
		return fmt.Errorf("opinionmap analyze: %w", err)
	}
	computed := time.Now()
	var stability []opinionmath.GroupStability
	if *rounds > 0 {
		if stability, err = opinionmath.Stability(m, res, *rounds, opts); err != nil {
			return fmt.Errorf("opinionmap analyze: %w", err)
		}
	}
	rep := newReport(exp, m, res)
	rep.Runs = res.History.Runs
	rep.LoadSeconds = loaded.Sub(start).Seconds()
	rep.ComputeSeconds = computed.Sub(loaded).Seconds()
	rep.addStability(stability, *rounds, time.Since(computed))
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.writeText(stdout)
	return nil
}

// report is what analyze prints, in JSON as is.
type report struct {
	Participants int             `json:"participants"`
	Statements   int             `json:"statements"`
	Votes        int             `json:"votes"`
	Clustered    int             `json:"clustered"`
	Silhouettes  map[int]float64 `json:"silhouettes"`
	// Runs is the number of recomputes (more than 1 with --replay).
	Runs             int                `json:"runs"`
	Groups           []groupReport      `json:"groups"`
	Assignments      []assignment       `json:"assignments"`
	ConsensusAgree   []scoredStatement  `json:"consensus_agree"`
	ConsensusDis     []scoredStatement  `json:"consensus_disagree"`
	GroupConsensus   []scoredStatement  `json:"group_informed_consensus"`
	Divisive         []scoredStatement  `json:"divisive"`
	PolisAgreement   *polisAgreementRep `json:"polis_agreement,omitempty"`
	StabilityRounds  int                `json:"stability_rounds,omitempty"`
	StabilitySeconds float64            `json:"stability_seconds,omitempty"`
	LoadSeconds      float64            `json:"load_seconds"`
	ComputeSeconds   float64            `json:"compute_seconds"`
}

type assignment struct {
	Participant int64   `json:"participant"`
	Group       int     `json:"group"`
	X           float64 `json:"x"`
	Y           float64 `json:"y"`
}

type groupReport struct {
	ID   int `json:"id"`
	Size int `json:"size"`
	// Stability is the mean best Jaccard similarity under resampling.
	Stability      *float64         `json:"stability,omitempty"`
	Representative []representative `json:"representative"`
}

type representative struct {
	Statement   int64   `json:"statement"`
	Direction   string  `json:"direction"`
	Agree       int     `json:"agree"`
	Disagree    int     `json:"disagree"`
	Seen        int     `json:"seen"`
	P           float64 `json:"p"`
	ZP          float64 `json:"z_p"`
	R           float64 `json:"r"`
	ZR          float64 `json:"z_r"`
	Metric      float64 `json:"metric"`
	Significant bool    `json:"significant"`
	BestAgree   bool    `json:"best_agree"`
	// Stability is the share of resamples keeping it representative.
	Stability *float64 `json:"stability,omitempty"`
	Text      string   `json:"text"`
}

type scoredStatement struct {
	Statement int64   `json:"statement"`
	Vote      string  `json:"vote,omitempty"`
	Score     float64 `json:"score"`
	Text      string  `json:"text"`
}

type polisAgreementRep struct {
	ARI         float64 `json:"adjusted_rand_index"`
	Both        int     `json:"participants_both_cluster"`
	PolisGroups int     `json:"polis_groups"`
}

func newReport(exp *polisdata.Export, m *opinionmath.Matrix, res *opinionmath.Result) *report {
	text := map[int64]string{}
	for _, c := range exp.Comments {
		text[c.ID] = c.Body
	}
	r := &report{Participants: m.NumParticipants(), Statements: m.NumStatements(), Votes: m.NumVotes(), Silhouettes: res.Silhouettes}
	for _, p := range res.Participants {
		if p.Clustered {
			r.Clustered++
			r.Assignments = append(r.Assignments, assignment{p.ID, p.Group, p.Point[0], p.Point[1]})
		}
	}
	for _, g := range res.Groups {
		gr := groupReport{ID: g.ID, Size: len(g.Members)}
		for _, s := range g.Representative {
			x := representative{Statement: s.StatementID, Direction: s.Direction.String(), Agree: s.Group.Agree, Disagree: s.Group.Disagree,
				Seen: s.Group.Seen, Metric: s.Metric, Significant: s.Significant, BestAgree: s.BestAgree, Text: text[s.StatementID]}
			if s.Direction == opinionmath.Agree {
				x.P, x.ZP, x.R, x.ZR = s.PA, s.ZPA, s.RA, s.ZRA
			} else {
				x.P, x.ZP, x.R, x.ZR = s.PD, s.ZPD, s.RD, s.ZRD
			}
			gr.Representative = append(gr.Representative, x)
		}
		r.Groups = append(r.Groups, gr)
	}
	scored := func(list []opinionmath.Scored, limit int, withVote bool) []scoredStatement {
		var out []scoredStatement
		for _, s := range list[:min(limit, len(list))] {
			x := scoredStatement{Statement: s.StatementID, Score: s.Score, Text: text[s.StatementID]}
			if withVote {
				x.Vote = s.Vote.String()
			}
			out = append(out, x)
		}
		return out
	}
	r.ConsensusAgree = scored(res.ConsensusAgree, 5, false)
	r.ConsensusDis = scored(res.ConsensusDisagree, 5, false)
	r.GroupConsensus = scored(res.GroupConsensus, 5, true)
	r.Divisive = scored(res.Divisive, 5, false)

	// When the export carries Pol.is's own groups, say how far ours are.
	theirs := exp.PolisGroups()
	if len(theirs) > 0 {
		var a, b []int
		k := map[int]bool{}
		for _, g := range theirs {
			k[g] = true
		}
		for _, p := range res.Participants {
			if g, ok := theirs[p.ID]; ok && p.Clustered {
				a = append(a, p.Group)
				b = append(b, g)
			}
		}
		r.PolisAgreement = &polisAgreementRep{ARI: opinionmath.AdjustedRandIndex(a, b), Both: len(a), PolisGroups: len(k)}
	}
	return r
}

// addStability merges bootstrap results into the report.
func (r *report) addStability(st []opinionmath.GroupStability, rounds int, took time.Duration) {
	if len(st) == 0 {
		return
	}
	r.StabilityRounds = rounds
	r.StabilitySeconds = took.Seconds()
	for _, s := range st {
		if s.Group >= len(r.Groups) {
			continue
		}
		g := &r.Groups[s.Group]
		j := s.Jaccard
		g.Stability = &j
		for i := range g.Representative {
			if f, ok := s.Representative[g.Representative[i].Statement]; ok {
				g.Representative[i].Stability = &f
			}
		}
	}
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (r *report) writeText(w io.Writer) {
	fmt.Fprintf(w, "%d participants, %d statements, %d votes; %d participants clustered\n",
		r.Participants, r.Statements, r.Votes, r.Clustered)
	ks := make([]int, 0, len(r.Silhouettes))
	for k := range r.Silhouettes {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	var sil []string
	for _, k := range ks {
		sil = append(sil, fmt.Sprintf("k=%d %.3f", k, r.Silhouettes[k]))
	}
	fmt.Fprintf(w, "%d groups (silhouettes: %s)\n", len(r.Groups), strings.Join(sil, ", "))
	if a := r.PolisAgreement; a != nil {
		fmt.Fprintf(w, "agreement with Pol.is's %d groups: adjusted Rand index %.3f over %d participants\n", a.PolisGroups, a.ARI, a.Both)
	}
	for _, g := range r.Groups {
		stab := ""
		if g.Stability != nil {
			stab = fmt.Sprintf(", stability %.2f over %d resamples", *g.Stability, r.StabilityRounds)
		}
		fmt.Fprintf(w, "\nGroup %d (%d participants%s): representative statements\n", g.ID, g.Size, stab)
		for _, s := range g.Representative {
			sig := "not significant"
			if s.Significant {
				sig = "significant at 90%"
			}
			if s.BestAgree {
				sig += ", best agree"
			}
			if s.Stability != nil {
				sig += fmt.Sprintf(", kept in %.0f%% of resamples", 100**s.Stability)
			}
			fmt.Fprintf(w, "  #%-4d %-8s %3.0f%% of %d (z=%.2f, r=%.2f, rz=%.2f; %s) %s\n",
				s.Statement, s.Direction, 100*s.P, s.Seen, s.ZP, s.R, s.ZR, sig, shorten(s.Text, 90))
		}
	}
	list := func(title string, xs []scoredStatement) {
		fmt.Fprintf(w, "\n%s\n", title)
		if len(xs) == 0 {
			fmt.Fprintln(w, "  (none)")
		}
		for _, s := range xs {
			vote := ""
			if s.Vote != "" {
				vote = s.Vote + " "
			}
			fmt.Fprintf(w, "  #%-4d %s%.3f %s\n", s.Statement, vote, s.Score, shorten(s.Text, 90))
		}
	}
	list("Consensus, agree (p·z):", r.ConsensusAgree)
	list("Consensus, disagree (p·z):", r.ConsensusDis)
	list("Group-informed consensus:", r.GroupConsensus)
	list("Divisive (largest gap between a group and the rest):", r.Divisive)
	fmt.Fprintf(w, "\nParticipants (participant → group):\n")
	for i, a := range r.Assignments {
		sep := "  "
		if i%8 == 7 || i == len(r.Assignments)-1 {
			sep = "\n"
		}
		fmt.Fprintf(w, "%6d→%d%s", a.Participant, a.Group, sep)
	}
	fmt.Fprintf(w, "\nTime: %.1f ms loading, %.1f ms computing (%d runs)", 1000*r.LoadSeconds, 1000*r.ComputeSeconds, r.Runs)
	if r.StabilityRounds > 0 {
		fmt.Fprintf(w, ", %.1f ms resampling", 1000*r.StabilitySeconds)
	}
	fmt.Fprintln(w)
}
