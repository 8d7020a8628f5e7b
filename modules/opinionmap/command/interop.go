// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/modules/opinionmap"
	"github.com/polder-civic/polder/modules/opinionmap/polisdata"
)

// target holds the flags naming a component in a database.
type target struct {
	database  string
	component int64
}

func (t *target) register(fs *flag.FlagSet) {
	fs.StringVar(&t.database, "database", "", "database URL (sqlite:PATH or postgres://…), migrated")
	fs.Int64Var(&t.component, "component", 0, "id of the opinion-map component")
}

func (t *target) open(ctx context.Context) (*opinionmap.Service, *store.DB, error) {
	if t.database == "" || t.component <= 0 {
		return nil, nil, errors.New("--database and --component are required")
	}
	db, err := store.Open(ctx, t.database)
	if err != nil {
		return nil, nil, fmt.Errorf("opening database: %w", err)
	}
	var module string
	if err := db.WithContext(ctx).Table("components").Select("module_id").Where("id = ?", t.component).Scan(&module).Error; err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("loading component %d: %w", t.component, err)
	}
	if module != opinionmap.ID {
		db.Close()
		return nil, nil, fmt.Errorf("component %d is not an opinion map (module %q)", t.component, module)
	}
	return opinionmap.NewService(db, nil, nil), db, nil
}

func runImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var t target
	t.register(fs)
	recompute := fs.Bool("recompute", true, "compute the opinion map after the import")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("opinionmap import: one folder expected")
	}
	start := time.Now()
	e, err := polisdata.ReadDir(pos[0])
	if err != nil {
		return err
	}
	svc, db, err := t.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := svc.Import(ctx, t.component, e)
	if err != nil {
		return fmt.Errorf("importing %s: %w", pos[0], err)
	}
	fmt.Fprintf(stdout, "imported %d statements, %d participants, %d votes (%d skipped) into component %d\n", st.Statements, st.Participants, st.Votes, st.Skipped, t.component)
	if *recompute {
		r, err := svc.Recompute(ctx, t.component)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "opinion map: %d groups from %d votes\n", len(r.Result.Groups), r.VotesCount)
	}
	fmt.Fprintf(stdout, "took %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func runExport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var t target
	t.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("opinionmap export: one folder expected")
	}
	start := time.Now()
	svc, db, err := t.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	e, err := svc.Export(ctx, t.component)
	if err != nil {
		return err
	}
	if err := polisdata.WriteDir(pos[0], e); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %d statements, %d votes, %d participants to %s\ntook %s\n", len(e.Comments), len(e.Votes), len(e.Participants), pos[0], time.Since(start).Round(time.Millisecond))
	return nil
}
