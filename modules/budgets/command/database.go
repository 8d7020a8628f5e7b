// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/modules/budgets"
	"github.com/polder-civic/polder/modules/budgets/pabulib"
)

const dbUsage = `usage:
  polder budgets import FILE.pb --component ID [--title T] [--db URL]
      creates a draft budget with the file's projects in a budgets component
  polder budgets export --budget ID [--out FILE.pb] [--db URL]
      writes the anonymised ballots of a budget (voters numbered in a keyed random
      order, not the order of the votes; every export of a budget is the same file)

--db defaults to $POLDER_DATABASE_URL; the database must be migrated.
`

// openDB opens the database named by --db or the environment.
func openDB(ctx context.Context, url string) (*store.DB, error) {
	if url == "" {
		url = os.Getenv("POLDER_DATABASE_URL")
	}
	if url == "" {
		return nil, errors.New("no database: pass --db or set POLDER_DATABASE_URL")
	}
	return store.Open(ctx, url)
}

func runImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprint(stdout, dbUsage) }
	dbURL := fs.String("db", "", "database URL")
	component := fs.Int64("component", 0, "budgets component id")
	title := fs.String("title", "", "budget title (default: the file's description)")
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("budgets import: %w", err)
	}
	if len(pos) != 1 || *component <= 0 {
		fs.Usage()
		return errors.New("budgets import: expected one .pb file and --component")
	}
	start := time.Now()
	in, err := pabulib.ParseFile(pos[0])
	if err != nil {
		return fmt.Errorf("budgets import: %w", err)
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return fmt.Errorf("budgets import: %w", err)
	}
	defer db.Close()
	b, err := budgets.NewService(db, nil, nil).ImportPB(ctx, *component, in, *title)
	if err != nil {
		return fmt.Errorf("budgets import: %w", err)
	}
	fmt.Fprintf(stdout, "Created draft budget %d %q (total %d, %s ballots) with %d projects in component %d.\n",
		b.ID, b.Title, b.Total, b.BallotKind, len(in.Projects), b.ComponentID)
	fmt.Fprintf(stdout, "took %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func runExport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprint(stdout, dbUsage) }
	dbURL := fs.String("db", "", "database URL")
	id := fs.Int64("budget", 0, "budget id")
	out := fs.String("out", "", "output file (default: standard output)")
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("budgets export: %w", err)
	}
	if len(pos) != 0 || *id <= 0 {
		fs.Usage()
		return errors.New("budgets export: expected --budget")
	}
	start := time.Now()
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return fmt.Errorf("budgets export: %w", err)
	}
	defer db.Close()
	svc := budgets.NewService(db, nil, nil)
	b, err := svc.BudgetByID(ctx, *id)
	if err != nil {
		return fmt.Errorf("budgets export: %w", err)
	}
	in, err := svc.Instance(ctx, b)
	if err != nil {
		return fmt.Errorf("budgets export: %w", err)
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("budgets export: %w", err)
		}
		defer f.Close()
		w = f
	}
	if err := pabulib.Write(w, in); err != nil {
		return fmt.Errorf("budgets export: %w", err)
	}
	if *out != "" {
		fmt.Fprintf(stdout, "Wrote %d ballots of budget %d to %s.\ntook %s\n", len(in.Votes), b.ID, *out, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
