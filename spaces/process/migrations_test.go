// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"testing"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
	"github.com/polder-civic/polder/migrations"
)

// TestMigrationsUpAndDown applies the process migrations over core's and
// rolls everything back, on the test dialect.
func TestMigrationsUpAndDown(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, testkit.TestDatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sets := []store.MigrationSet{migrations.Core(), New().Migrations()}
	for round := 0; round < 2; round++ {
		if err := db.MigrateUp(ctx, sets...); err != nil {
			t.Fatalf("up: %v", err)
		}
		st, err := db.MigrationStatuses(ctx, sets...)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range st {
			if s.Owner == "process" {
				found = true
				if !s.Applied {
					t.Fatalf("process migration %d not applied", s.Version)
				}
			}
		}
		if !found {
			t.Fatal("no process migration")
		}
		if err := db.MigrateDownAll(ctx, sets...); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
}
