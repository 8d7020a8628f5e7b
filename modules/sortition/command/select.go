// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/polder-civic/polder/modules/sortition/leximin"
	"github.com/polder-civic/polder/modules/sortition/lottery"
	"github.com/polder-civic/polder/modules/sortition/pooldata"
)

type selectReport struct {
	PoolSize       int                `json:"pool_size"`
	PanelSize      int                `json:"panel_size"`
	Types          int                `json:"types"`
	Method         string             `json:"method"`
	Minimum        float64            `json:"minimum_probability"`
	Support        int                `json:"panels_in_support"`
	Complete       bool               `json:"complete"`
	Gap            float64            `json:"gap,omitempty"`
	Stages         int                `json:"stages"`
	GreedyDraws    int                `json:"greedy_draws,omitempty"`
	GreedyMinimum  *float64           `json:"greedy_minimum_probability,omitempty"`
	LotterySize    int                `json:"lottery_size"`
	Seed           lottery.SeedInputs `json:"seed"`
	Index          int                `json:"index"`
	Loss           lottery.Loss       `json:"rounding_loss"`
	Panel          []string           `json:"panel"`
	Probabilities  []volunteerProb    `json:"probabilities"`
	ElapsedSeconds float64            `json:"elapsed_seconds"`
	SolveSeconds   float64            `json:"leximin_seconds"`
	GreedySeconds  float64            `json:"greedy_seconds"`
}

type volunteerProb struct {
	ID      string   `json:"id"`
	Leximin float64  `json:"leximin"`
	Lottery float64  `json:"lottery"`
	Greedy  *float64 `json:"greedy,omitempty"`
}

func runSelect(ctx context.Context, args []string, stdout io.Writer) error {
	start := time.Now()
	fs := newFlagSet("select", stdout)
	cats := fs.String("categories", "", "quota table (category,feature,min,max or feature,value,min,max,...; share,tolerance in place of min,max: share of --size, tolerance in seats)")
	resp := fs.String("respondents", "", "pool CSV, one row per volunteer")
	size := fs.Int("size", 0, "panel size")
	seedText := fs.String("seed", "", "public seed source (dice rolled in public, a lottery result)")
	secret := fs.String("secret", "", "commit-reveal: the secret whose SHA-256 was published before the draw")
	public := fs.String("public", "", "commit-reveal: public value fixed after the commitment")
	commitment := fs.String("commitment", "", "commit-reveal: the published commitment, checked against --secret")
	asJSON := fs.Bool("json", false, "print a JSON report")
	greedyDraws := fs.Int("greedy-draws", 10000, "simulated draws of the greedy baseline (0: skip)")
	m := fs.Int("lottery", 1000, "number of equally likely panels of the final lottery")
	recordPath := fs.String("record", "", "write the published record (JSON) to this file")
	idCol := fs.String("id-column", "", "id column (default nationbuilder_id or id, else row number)")
	household := fs.String("household", "", "comma-separated address columns: at most one member per household")
	maximin := fs.Bool("maximin", false, "only maximise the minimum probability (faster than LEXIMIN)")
	timeLimit := fs.Duration("time-limit", 10*time.Minute, "stop the LP after this long and report the gap")
	pseudoKey := fs.String("pseudonym-key", "", "key for the pseudonymous ids of the record (default: derived from the seed inputs)")
	pos, err := parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("select: %w", err)
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: select takes no positional arguments (got %q)", ErrUsage, pos)
	}
	if *cats == "" || *resp == "" || *size <= 0 {
		fs.Usage()
		return fmt.Errorf("%w: select needs --categories, --respondents and --size", ErrUsage)
	}
	opt := pooldata.RespondentOptions{IDColumn: *idCol, HouseholdColumns: splitList(*household)}
	pool, err := pooldata.LoadForSize(*cats, *resp, *size, opt)
	if err != nil {
		return fmt.Errorf("select: %w", err)
	}
	households := len(opt.HouseholdColumns) > 0

	var seedIn lottery.SeedInputs
	switch {
	case *secret != "":
		seedIn = lottery.CommitReveal(*secret, *public)
		if *commitment != "" && !strings.EqualFold(*commitment, seedIn.Commitment) {
			return fmt.Errorf("select: %w", lottery.ErrCommitment)
		}
	case *seedText != "":
		seedIn = lottery.Public(*seedText)
	default:
		h, err := hashFiles(*cats, *resp)
		if err != nil {
			return fmt.Errorf("select: %w", err)
		}
		seedIn = lottery.Public("unseeded: sha256 of the input files " + h)
	}
	seed, err := seedIn.Seed()
	if err != nil {
		return fmt.Errorf("select: %w", err)
	}

	t0 := time.Now()
	res, err := leximin.Solve(ctx, pool, *size, leximin.Options{Households: households, MaximinOnly: *maximin, TimeLimit: *timeLimit})
	if err != nil {
		return fmt.Errorf("select: %w", err)
	}
	solveTime := time.Since(t0)

	var greedy *leximin.GreedyResult
	var greedyTime time.Duration
	if *greedyDraws > 0 {
		t1 := time.Now()
		greedy, err = leximin.Greedy(pool, *size, households, *greedyDraws, 1)
		if err != nil {
			return fmt.Errorf("select: greedy baseline: %w", err)
		}
		greedyTime = time.Since(t1)
	}

	probs := make([]float64, len(res.Panels))
	for j, p := range res.Panels {
		probs[j] = p.Probability
	}
	counts, err := lottery.Apportion(probs, *m)
	if err != nil {
		return fmt.Errorf("select: %w", err)
	}
	tickets, err := res.Expand(counts)
	if err != nil {
		return fmt.Errorf("select: %w", err)
	}
	marg := lottery.Marginals(tickets, len(pool.Volunteers))
	loss := lottery.CompareMarginals(res.Probabilities, marg)

	key := []byte(*pseudoKey)
	if len(key) == 0 {
		k := sha256.Sum256([]byte("polder-pseudonym|" + seedIn.Method + "|" + seedIn.Secret + "|" + seedIn.PublicValue))
		key = k[:]
	}
	rec, _ := lottery.NewRecord(pool, *size, households, tickets, key, seedIn)
	rec.Loss = &loss
	if err := rec.Draw(); err != nil {
		return fmt.Errorf("select: %w", err)
	}
	idx := lottery.NewGenerator(seed).Index(len(tickets))
	if idx != rec.Index {
		return fmt.Errorf("select: internal error: record index %d, direct draw %d", rec.Index, idx)
	}
	chosen := tickets[idx]
	if err := pool.Panel(chosen, *size, households); err != nil {
		return fmt.Errorf("select: internal error: drawn panel infeasible: %w", err)
	}
	if *recordPath != "" {
		if err := writeJSON(*recordPath, rec); err != nil {
			return fmt.Errorf("select: writing record: %w", err)
		}
	}

	method := "leximin"
	if *maximin {
		method = "maximin"
	}
	rep := selectReport{
		PoolSize: len(pool.Volunteers), PanelSize: *size, Types: len(res.TypeMembers), Method: method,
		Minimum: res.Minimum, Support: len(res.Panels), Complete: res.Complete, Gap: res.Gap, Stages: res.Stages,
		LotterySize: *m, Seed: seedIn, Index: idx, Loss: loss,
		SolveSeconds: solveTime.Seconds(), GreedySeconds: greedyTime.Seconds(),
	}
	for _, i := range chosen {
		rep.Panel = append(rep.Panel, pool.Volunteers[i].ID)
	}
	for i, v := range pool.Volunteers {
		vp := volunteerProb{ID: v.ID, Leximin: res.Probabilities[i], Lottery: marg[i]}
		if greedy != nil {
			g := greedy.Probabilities[i]
			vp.Greedy = &g
		}
		rep.Probabilities = append(rep.Probabilities, vp)
	}
	if greedy != nil {
		rep.GreedyDraws = greedy.Draws
		g := greedy.Minimum
		rep.GreedyMinimum = &g
	}
	rep.ElapsedSeconds = time.Since(start).Seconds()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printSelect(stdout, pool, res, rep, chosen)
	return nil
}

func printSelect(w io.Writer, pool *leximin.Pool, res *leximin.Result, rep selectReport, chosen []int) {
	fmt.Fprintf(w, "Pool: %d volunteers, %d types; panel size %d\n", rep.PoolSize, rep.Types, rep.PanelSize)
	state := "optimal"
	if !rep.Complete {
		state = fmt.Sprintf("stopped at the time limit (minimum could rise by at most %.4f)", rep.Gap)
	}
	fmt.Fprintf(w, "%s: minimum probability %.6f, %d panels in support, %d stage(s), %s (%.2fs)\n",
		strings.ToUpper(rep.Method), rep.Minimum, rep.Support, rep.Stages, state, rep.SolveSeconds)
	if rep.GreedyMinimum != nil {
		ratio := "∞"
		if *rep.GreedyMinimum > 0 {
			ratio = fmt.Sprintf("%.1f", rep.Minimum / *rep.GreedyMinimum)
		}
		fmt.Fprintf(w, "Greedy baseline (%d simulated draws): minimum probability %.6f (%s× lower) (%.2fs)\n",
			rep.GreedyDraws, *rep.GreedyMinimum, ratio, rep.GreedySeconds)
	}
	fmt.Fprintf(w, "Lottery: %d equally likely panels; seed %s; index drawn %d\n", rep.LotterySize, rep.Seed.Method, rep.Index)
	fmt.Fprintf(w, "Rounding loss: minimum probability %.6f -> %.6f (largest decrease %.6f)\n", rep.Loss.MinBefore, rep.Loss.MinAfter, rep.Loss.MaxDecrease)
	fmt.Fprintf(w, "\nPanel (%d members):\n", len(chosen))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, i := range chosen {
		v := pool.Volunteers[i]
		fmt.Fprintf(tw, "  %s", v.ID)
		for c, f := range v.Features {
			fmt.Fprintf(tw, "\t%s=%s", pool.Categories[c].Name, pool.Categories[c].Values[f].Value)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nSelection probabilities:\n")
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "id\tleximin\tlottery\tgreedy\t\n")
	for _, p := range rep.Probabilities {
		g := "-"
		if p.Greedy != nil {
			g = fmt.Sprintf("%.4f", *p.Greedy)
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%s\t\n", p.ID, p.Leximin, p.Lottery, g)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nTime taken: %.2fs\n", rep.ElapsedSeconds)
}

func hashFiles(paths ...string) (string, error) {
	h := sha256.New()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
