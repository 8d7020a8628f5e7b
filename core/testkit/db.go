// SPDX-License-Identifier: AGPL-3.0-or-later

package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/migrations"
)

// TestDatabaseURL returns the URL of a fresh, empty database for one test:
// a new SQLite file by default, or a new schema of the PostgreSQL server
// named by POLDER_TEST_DATABASE_URL (dropped when the test ends).
func TestDatabaseURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("POLDER_TEST_DATABASE_URL")
	if base == "" {
		return "sqlite:" + filepath.Join(tb.TempDir(), "polder-test.db")
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := store.Open(context.Background(), base)
	if err != nil {
		tb.Fatalf("opening POLDER_TEST_DATABASE_URL: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		tb.Fatalf("creating schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parsing POLDER_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenDB opens a fresh test database and applies core's migrations and
// those of the given sets (modules).
func OpenDB(tb testing.TB, sets ...store.MigrationSet) *store.DB {
	tb.Helper()
	return OpenDBAt(tb, TestDatabaseURL(tb), sets...)
}

// OpenDBAt opens the database at url and migrates it.
func OpenDBAt(tb testing.TB, url string, sets ...store.MigrationSet) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		tb.Fatalf("opening test database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	all := append([]store.MigrationSet{migrations.Core()}, sets...)
	if err := db.MigrateUp(ctx, all...); err != nil {
		tb.Fatalf("migrating test database: %v", err)
	}
	return db
}

// Dialect names the dialect the suite runs on, for test names and logs.
func Dialect() string {
	if os.Getenv("POLDER_TEST_DATABASE_URL") != "" {
		return string(store.Postgres)
	}
	return string(store.SQLite)
}
