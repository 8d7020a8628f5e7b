// SPDX-License-Identifier: AGPL-3.0-or-later

// Package command is the `polder proposals` command line: it checks
// proposals against their fingerprints, from the database or from a JSON
// export, so anyone holding the open data can verify that a published
// proposal was not altered.
package command

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/modules/proposals"
)

const usage = `usage: polder proposals verify [flags]

Recomputes the fingerprint of proposals (SHA-256 of the canonical JSON
{"body":…,"title":…}, see modules/proposals/README.md) and compares it with
the fingerprint recorded at publication.

  polder proposals verify --id N [--database URL]
        check one proposal in the database (default: the configured one,
        POLDER_DATABASE_URL or the SQLite file of POLDER_DATA_DIR)
  polder proposals verify --file EXPORT.json [--id N]
        check every proposal of a JSON export (or only proposal N)

flags:
  --id N            proposal id
  --database URL    database URL (postgres://… or sqlite:PATH)
  --file PATH       a JSON export of a proposals component
  --fingerprint HEX also compare with this fingerprint (single proposal)
`

// Run runs a proposals subcommand; args are the words after
// "polder proposals".
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch args[0] {
	case "verify":
		return runVerify(ctx, args[1:], stdout)
	}
	fmt.Fprint(stdout, usage)
	return fmt.Errorf("unknown proposals subcommand %q", args[0])
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

// ErrMismatch is returned when a proposal does not match its fingerprint.
var ErrMismatch = errors.New("fingerprint mismatch")

func runVerify(ctx context.Context, args []string, stdout io.Writer) error {
	start := time.Now()
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprint(stdout, usage) }
	id := fs.Int64("id", 0, "proposal id")
	database := fs.String("database", "", "database URL")
	file := fs.String("file", "", "JSON export")
	given := fs.String("fingerprint", "", "expected fingerprint")
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	var list []proposals.Proposal
	switch {
	case *file != "":
		list, err = fromExport(*file, *id)
	case *id > 0:
		list, err = fromDatabase(ctx, *database, *id)
	default:
		fmt.Fprint(stdout, usage)
		return errors.New("verify needs --id or --file")
	}
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errors.New("no proposal to verify")
	}
	bad := 0
	for i := range list {
		g := ""
		if len(list) == 1 {
			g = *given
		}
		v := proposals.Verify(&list[i], g)
		status := "OK"
		if !v.Match {
			status = "MISMATCH"
			bad++
		}
		fmt.Fprintf(stdout, "proposal %d: %s\n  stored   %s\n  computed %s\n", v.ID, status, orNone(v.Stored), v.Computed)
		if v.Given != "" {
			fmt.Fprintf(stdout, "  given    %s\n", v.Given)
		}
	}
	fmt.Fprintf(stdout, "%d checked, %d mismatched, in %s\n", len(list), bad, time.Since(start).Round(time.Millisecond))
	if bad > 0 {
		return fmt.Errorf("%d proposal(s): %w", bad, ErrMismatch)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none: not published)"
	}
	return s
}

// exportRow is what the command reads of an exported proposal.
type exportRow struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	Fingerprint string `json:"fingerprint"`
}

// fromExport reads a JSON export ({"proposals":[…]}, a bare array, or one
// proposal object).
func fromExport(path string, id int64) ([]proposals.Proposal, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var rows []exportRow
	trimmed := strings.TrimSpace(string(b))
	switch {
	case strings.HasPrefix(trimmed, "["):
		err = json.Unmarshal(b, &rows)
	default:
		var doc struct {
			Proposals []exportRow `json:"proposals"`
			exportRow
		}
		err = json.Unmarshal(b, &doc)
		rows = doc.Proposals
		if rows == nil && doc.Title != "" {
			rows = []exportRow{doc.exportRow}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	var out []proposals.Proposal
	for _, r := range rows {
		if id == 0 || r.ID == id {
			out = append(out, proposals.Proposal{ID: r.ID, Title: r.Title, Body: r.Body, Fingerprint: r.Fingerprint})
		}
	}
	if id != 0 && len(out) == 0 {
		return nil, fmt.Errorf("proposal %d is not in %s", id, path)
	}
	return out, nil
}

func fromDatabase(ctx context.Context, url string, id int64) ([]proposals.Proposal, error) {
	if url == "" {
		cfg, err := config.Load("")
		if err != nil {
			return nil, err
		}
		url = cfg.Database()
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var p proposals.Proposal
	res := db.WithContext(ctx).Raw("SELECT id, title, body, fingerprint, state FROM proposals WHERE id = ?", id).Scan(&p)
	if res.Error != nil {
		return nil, fmt.Errorf("loading proposal %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("proposal %d not found in %s", id, db.URL)
	}
	return []proposals.Proposal{p}, nil
}
