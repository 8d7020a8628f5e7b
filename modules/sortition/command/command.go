// SPDX-License-Identifier: AGPL-3.0-or-later

// Package command is the `polder sortition` command line: select a panel
// (LEXIMIN distribution, greedy comparison, verifiable lottery), verify a
// published draw, and print the commitment of a secret.
package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// ErrUsage is returned for a missing or unknown subcommand.
var ErrUsage = errors.New("usage")

const usage = `usage: polder sortition <command> [flags]

commands:
  select   --categories C.csv --respondents R.csv --size N [--seed S | --secret X --public V]
           [--json] [--greedy-draws 10000] [--lottery 1000] [--record OUT.json]
           [--id-column COL] [--household COL,COL] [--maximin] [--time-limit 120s]
  verify   RECORD.json      replay a published draw and print the panel
  commit   --secret X       print SHA-256(secret), to publish before the draw
`

// Run executes `polder sortition ARGS...`.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("%w: no subcommand", ErrUsage)
	}
	switch args[0] {
	case "select":
		return runSelect(ctx, args[1:], stdout)
	case "verify":
		return runVerify(args[1:], stdout)
	case "commit":
		return runCommit(args[1:], stdout)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("%w: unknown subcommand %q", ErrUsage, args[0])
	}
}

// parse parses flags that may come before, between or after positional
// arguments, and returns the positionals.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(name string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("polder sortition "+name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	return fs
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
