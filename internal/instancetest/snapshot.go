// SPDX-License-Identifier: AGPL-3.0-or-later

package instancetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/store"
)

// Tables lists the tables of the instance's database from the catalog
// (sqlite_master, or information_schema for the test's PostgreSQL
// schema), so a table a module adds tomorrow is watched too.
func Tables(tb testing.TB, db *store.DB) []string {
	tb.Helper()
	var names []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if db.Dialect == store.Postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
	}
	if err := db.Raw(q).Scan(&names).Error; err != nil {
		tb.Fatalf("listing tables: %v", err)
	}
	if len(names) == 0 {
		tb.Fatal("the catalog lists no table")
	}
	return names
}

// TableState is a table's row count and a digest of its rows' contents
// (order-independent): counts catch inserts and deletes, the digest
// catches updates, which counting alone would miss.
type TableState struct {
	Rows   int
	Digest string
}

// Snapshot is the state of every watched table.
type Snapshot map[string]TableState

// TakeSnapshot reads every table of the database but those in except.
func TakeSnapshot(tb testing.TB, db *store.DB, except map[string]string) Snapshot {
	tb.Helper()
	snap := Snapshot{}
	for _, name := range Tables(tb, db) {
		if _, skip := except[name]; skip {
			continue
		}
		rows, err := db.Raw(`SELECT * FROM "` + name + `"`).Rows()
		if err != nil {
			tb.Fatalf("reading %s: %v", name, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			tb.Fatalf("columns of %s: %v", name, err)
		}
		var lines []string
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				tb.Fatalf("scanning %s: %v", name, err)
			}
			var b strings.Builder
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v\x1f", v)
			}
			lines = append(lines, b.String())
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			tb.Fatalf("reading %s: %v", name, err)
		}
		sort.Strings(lines)
		h := sha256.Sum256([]byte(strings.Join(lines, "\x1e")))
		snap[name] = TableState{Rows: len(lines), Digest: hex.EncodeToString(h[:8])}
	}
	return snap
}

// Diff describes how after differs from s, one table per line ("" when
// nothing changed).
func (s Snapshot) Diff(after Snapshot) string {
	var out []string
	for name, b := range s {
		a, ok := after[name]
		switch {
		case !ok:
			out = append(out, name+": table disappeared")
		case a.Rows != b.Rows:
			out = append(out, fmt.Sprintf("%s: %d rows → %d", name, b.Rows, a.Rows))
		case a.Digest != b.Digest:
			out = append(out, fmt.Sprintf("%s: %d rows, contents changed", name, a.Rows))
		}
	}
	for name, a := range after {
		if _, ok := s[name]; !ok {
			out = append(out, fmt.Sprintf("%s: new table with %d rows", name, a.Rows))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// NoWrites runs an attempt and fails the test if it changed any table
// but those in except (each with the reason it may record the attempt).
func NoWrites(tb testing.TB, db *store.DB, except map[string]string, what string, attempt func()) {
	tb.Helper()
	before := TakeSnapshot(tb, db, except)
	attempt()
	if d := before.Diff(TakeSnapshot(tb, db, except)); d != "" {
		tb.Errorf("%s wrote: %s", what, d)
	}
}

// Merge returns the union of table exception lists.
func Merge(lists ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, l := range lists {
		for k, v := range l {
			out[k] = v
		}
	}
	return out
}
