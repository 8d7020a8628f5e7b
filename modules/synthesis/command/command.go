// SPDX-License-Identifier: AGPL-3.0-or-later

// Package command is the "polder synthesis" command line: it reads
// contributions from a CSV or JSON file, builds their synthesis with
// package topics and prints it as text or JSON.
package command

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/polder-civic/polder/modules/synthesis/topics"
)

const usage = `usage: polder synthesis <subcommand> [flags]

subcommands:
  build --input FILE.csv|FILE.json [--json] [--seed N]
        Build the synthesis of the contributions in FILE and print it.
        CSV columns (header row, separated by commas, semicolons or
        tabs): id and text, and optionally theme, session, date (RFC 3339,
        YYYY-MM-DD, or seconds or milliseconds since 1970), author_type,
        supports, language. A Pol.is comments.csv export reads as it is
        (comment-id, comment-body, timestamp; rows with moderated = -1
        are skipped and counted in the notes). JSON: an array of objects
        with the same keys (ids and dates may be numbers), or
        {"contributions": [...], "opinion_map": {...}}. With --json, the
        synthesis is printed as JSON and every topic lists the ids of all
        its contributions.
`

// ErrUsage is returned for a missing or unknown subcommand or bad flags.
var ErrUsage = errors.New("usage error")

// Run executes "polder synthesis" with args (the words after
// "polder synthesis") and writes its output to stdout.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("%w: no subcommand", ErrUsage)
	}
	switch args[0] {
	case "build":
		return runBuild(ctx, args[1:], stdout)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stdout, usage)
	return fmt.Errorf("%w: unknown subcommand %q", ErrUsage, args[0])
}

func runBuild(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("synthesis build", flag.ContinueOnError)
	fs.SetOutput(stdout)
	input := fs.String("input", "", "contributions file (.csv or .json)")
	asJSON := fs.Bool("json", false, "print the synthesis as JSON")
	seed := fs.Uint64("seed", 1, "random seed of the clustering")
	fs.Usage = func() { fmt.Fprint(stdout, usage) }
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if *input == "" && len(positional) == 1 {
		*input = positional[0]
	} else if len(positional) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", ErrUsage, positional)
	}
	if *input == "" {
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("%w: --input is required", ErrUsage)
	}
	start := time.Now()
	in, notes, err := readInput(*input)
	if err != nil {
		return err
	}
	in.Seed = *seed
	syn, err := topics.Build(ctx, in)
	if err != nil {
		return fmt.Errorf("building synthesis of %s: %w", *input, err)
	}
	syn.Notes = append(notes, syn.Notes...)
	elapsed := time.Since(start)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		out := struct {
			*topics.Synthesis
			ElapsedMS int64 `json:"elapsed_ms"`
		}{syn, elapsed.Milliseconds()}
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
		return nil
	}
	printText(stdout, syn)
	fmt.Fprintf(stdout, "\nTime taken: %s\n", elapsed.Round(time.Millisecond))
	return nil
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("build FILE --json").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func printText(w io.Writer, s *topics.Synthesis) {
	fmt.Fprintf(w, "Synthesis of %d contributions: %d analysed, %d left out.\n", s.Contributions, s.Analysed, len(s.LeftOut))
	fmt.Fprintf(w, "Languages: %s\n", shares(s.Languages, false))
	fmt.Fprintf(w, "Near-duplicates: %d group(s) holding %d contributions.\n", s.DuplicateGroups, s.DuplicateContributions)
	fmt.Fprintf(w, "Method: %s\n", s.Method)
	for _, th := range s.Themes {
		name := th.Theme
		if name == "" {
			name = "(no theme)"
		}
		fmt.Fprintf(w, "\n== Theme %s: %d contributions, %d distinct, %d topic(s) (silhouette %.3f)\n", name, th.Size, th.Voices, len(th.Topics), th.Silhouette)
		fmt.Fprintf(w, "   Sessions: %s\n", shares(th.Sessions, false))
		for n, tp := range th.Topics {
			printTopic(w, fmt.Sprintf("%d. %s", n+1, tp.Label), tp)
		}
		if th.Other != nil {
			printTopic(w, "Other contributions", *th.Other)
		}
		for _, g := range th.Duplicates {
			fmt.Fprintf(w, "   Duplicate ×%d (first: %s): %q\n", g.Size, g.Representative, excerpt(g.Text, 100))
		}
	}
	if s.OpinionMap != nil {
		fmt.Fprintf(w, "\n== Opinion map %s\n", s.OpinionMap.Conversation)
		for _, st := range s.OpinionMap.Consensus {
			fmt.Fprintf(w, "   Consensus [%s] %.0f%% agree of %d votes: %s\n", st.ID, st.AgreePercent, st.Votes, st.Text)
		}
		for _, st := range s.OpinionMap.Divisive {
			fmt.Fprintf(w, "   Divisive [%s] %.0f%% agree, %.0f%% disagree of %d votes: %s\n", st.ID, st.AgreePercent, st.DisagreePercent, st.Votes, st.Text)
		}
	}
	if len(s.LeftOut) > 0 {
		fmt.Fprintf(w, "\nLeft out:\n")
		for _, l := range s.LeftOut {
			fmt.Fprintf(w, "   %s: %s\n", l.ID, l.Reason)
		}
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
}

func printTopic(w io.Writer, title string, tp topics.Topic) {
	fmt.Fprintf(w, "\n   %s — %d contributions (%d distinct)\n", title, tp.Size, tp.Voices)
	fmt.Fprintf(w, "      share per session: %s\n", shares(tp.BySession, true))
	fmt.Fprintf(w, "      per author type:   %s\n", shares(tp.ByAuthorType, true))
	fmt.Fprintf(w, "      per language:      %s\n", shares(tp.ByLanguage, true))
	for _, q := range tp.Quotes {
		extra := ""
		if q.Copies > 1 {
			extra = fmt.Sprintf(", ×%d", q.Copies)
		}
		fmt.Fprintf(w, "      « %s » [%s, %d supports%s]\n", excerpt(q.Text, 300), q.ID, q.Supports, extra)
	}
	ids := tp.IDs
	more := ""
	if len(ids) > 12 {
		ids, more = ids[:12], fmt.Sprintf(" … (+%d, see --json)", len(tp.IDs)-12)
	}
	fmt.Fprintf(w, "      ids: %s%s\n", strings.Join(ids, ", "), more)
}

func shares(ss []topics.Share, percent bool) string {
	parts := make([]string, 0, len(ss))
	for _, s := range ss {
		if percent {
			parts = append(parts, fmt.Sprintf("%s %d (%.0f%%)", s.Key, s.Count, 100*s.Share))
		} else {
			parts = append(parts, fmt.Sprintf("%s %d", s.Key, s.Count))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " · ")
}

// excerpt shortens long texts for the terminal only; JSON keeps them
// whole.
func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
