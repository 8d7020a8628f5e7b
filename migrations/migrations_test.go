// SPDX-License-Identifier: AGPL-3.0-or-later

package migrations_test

import (
	"context"
	"testing"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
	"github.com/polder-civic/polder/migrations"
)

// TestUpDownUp migrates a fresh database all the way up, all the way down
// and up again, on the dialect the suite runs on (SQLite, or PostgreSQL
// when POLDER_TEST_DATABASE_URL is set).
func TestUpDownUp(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, testkit.TestDatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	set := migrations.Core()
	if err := db.MigrateUp(ctx, set); err != nil {
		t.Fatalf("up: %v", err)
	}
	st, err := db.MigrationStatuses(ctx, set)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) == 0 {
		t.Fatal("no core migrations found")
	}
	for _, s := range st {
		if !s.Applied {
			t.Errorf("%s %d not applied after up", s.Owner, s.Version)
		}
	}
	if !db.Migrator().HasTable("accounts") {
		t.Fatal("accounts table missing after up")
	}
	if err := db.MigrateDownAll(ctx, set); err != nil {
		t.Fatalf("down: %v", err)
	}
	if db.Migrator().HasTable("accounts") {
		t.Fatal("accounts table still there after down")
	}
	if err := db.MigrateUp(ctx, set); err != nil {
		t.Fatalf("up again: %v", err)
	}
	t.Logf("dialect %s: %d core migrations up, down, up", db.Dialect, len(st))
}
