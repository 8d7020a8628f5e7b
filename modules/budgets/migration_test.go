// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/modules/budgets"
)

// TestMigrationKeepsBallots applies migration 00002 (nullable ballot
// account, tables rebuilt) to a database holding ballots made under
// 00001: every ballot keeps its voter and its lines, and new ballots get
// fresh ids (on PostgreSQL, the rebuilt table's identity must not collide
// with the copied rows).
func TestMigrationKeepsBallots(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	db := e.in.App.DB
	// Back to an empty schema at version 1.
	for _, q := range []string{"DROP TABLE budget_results", "DROP TABLE budget_ballot_lines", "DROP TABLE budget_ballots",
		"DROP TABLE budget_basket_items", "DROP TABLE budget_projects", "DROP TABLE budgets", "DROP TABLE polder_migrations_budgets"} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	all := budgets.New().Manifest().Migrations
	v1, err := fs.ReadFile(all, "00001_budgets.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateUp(ctx, store.MigrationSet{Owner: budgets.ID, FS: fstest.MapFS{"00001_budgets.sql": {Data: v1}}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	exec := func(q string, args ...any) {
		t.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO budgets (id, organisation_id, component_id, space_id, title, total, state, created_at, updated_at) VALUES (7, ?, ?, ?, 'Old', 100, 'open', ?, ?)`,
		e.in.Org.ID, e.comp.ID, e.fx.Process.ID, now, now)
	exec(`INSERT INTO budget_projects (id, budget_id, title, cost, created_at) VALUES (11, 7, 'A', 30, ?), (12, 7, 'B', 40, ?)`, now, now)
	voters := []*user{e.user("v", false), e.user("v", false), e.user("v", false)}
	// Ballot ids 5, 9, 20 with 1, 2 and 1 lines.
	for i, id := range []int64{5, 9, 20} {
		exec(`INSERT INTO budget_ballots (id, budget_id, account_id, created_at) VALUES (?, 7, ?, ?)`, id, voters[i].Acc.ID, now)
	}
	exec(`INSERT INTO budget_ballot_lines (ballot_id, project_id, points) VALUES (5, 11, 1), (9, 11, 1), (9, 12, 1), (20, 12, 1)`)

	if err := db.MigrateUp(ctx, store.MigrationSet{Owner: budgets.ID, FS: all}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 2, 1} {
		if n := e.count(`SELECT COUNT(*) FROM budget_ballot_lines l JOIN budget_ballots b ON b.id = l.ballot_id WHERE b.budget_id = 7 AND b.account_id = ?`,
			voters[i].Acc.ID); n != want {
			t.Fatalf("voter %d has %d ballot lines after the migration, want %d", i, n, want)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM budget_ballot_lines l JOIN budget_ballots b ON b.id = l.ballot_id WHERE b.account_id = ? AND l.project_id = 12`,
		voters[1].Acc.ID); n != 1 {
		t.Fatal("the second voter's ballot lost project 12")
	}
	// New ballots: the service's checkout, and a second one for uniqueness.
	b, err := e.svc().Budget(ctx, e.comp.ID, 7)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		u := e.user("new", false)
		exec(`INSERT INTO budget_basket_items (budget_id, account_id, project_id, points, created_at) VALUES (7, ?, 11, 1, ?)`, u.Acc.ID, now)
		if _, err := e.svc().Checkout(ctx, b, u.Acc.ID); err != nil {
			t.Fatalf("checkout after the migration: %v", err)
		}
	}
	if _, err := e.svc().Checkout(ctx, b, voters[0].Acc.ID); err == nil {
		t.Fatal("a voter of before the migration could vote again")
	}
	if n := e.count("SELECT COUNT(DISTINCT id) FROM budget_ballots WHERE budget_id = 7"); n != 5 {
		t.Fatalf("%d ballots, want 5", n)
	}
}
