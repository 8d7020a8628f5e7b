// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
)

// TestAllMigrationsUpDown migrates a fresh database with every migration
// this binary carries (core, space types, modules) all the way up, all the
// way down, and up again, on SQLite or on PostgreSQL when
// POLDER_TEST_DATABASE_URL is set.
func TestAllMigrationsUpDown(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, testkit.TestDatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sets := app.MigrationSets(app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	if len(sets) < 3 {
		t.Fatalf("only %d migration sets: core, space types and modules expected", len(sets))
	}
	if err := db.MigrateUp(ctx, sets...); err != nil {
		t.Fatalf("up: %v", err)
	}
	tablesUp, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateDownAll(ctx, sets...); err != nil {
		t.Fatalf("down: %v", err)
	}
	st, err := db.MigrationStatuses(ctx, sets...)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Applied {
			t.Errorf("%s %d still applied after migrating down", s.Owner, s.Version)
		}
	}
	left, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range left {
		if len(tbl) < 18 || tbl[:18] != "polder_migrations_" {
			if tbl != "sqlite_sequence" {
				t.Errorf("table %s left after migrating everything down", tbl)
			}
		}
	}
	if err := db.MigrateUp(ctx, sets...); err != nil {
		t.Fatalf("up again: %v", err)
	}
	t.Logf("%s: %d migration sets, %d migrations, %d tables", db.Dialect, len(sets), len(st), len(tablesUp))
}

// TestMigrateCommand runs polder migrate status and up on a fresh database.
func TestMigrateCommand(t *testing.T) {
	url := testkit.TestDatabaseURL(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--database", url, "up"}, &out); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "--database", url, "status"}, &out); err != nil {
		t.Fatalf("migrate status: %v", err)
	}
	if !strings.Contains(out.String(), "applied") || strings.Contains(out.String(), "pending") {
		t.Fatalf("status after up:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "--database", url, "down"}, &out); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "--database", url, "status"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pending") {
		t.Fatalf("status after down shows nothing pending:\n%s", out.String())
	}
}
