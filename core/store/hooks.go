// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// Statement is what a statement hook sees of one executed SQL statement.
type Statement struct {
	// Kind is the gorm processor: create, query, update, delete, row or raw.
	Kind string
	// Table is the model's table when gorm knows it ("" for raw SQL).
	Table string
	// SQL is the statement text, with placeholders (no values).
	SQL string
}

// Write reports whether the statement may change rows: gorm's create,
// update and delete, and raw statements (Exec, or Raw read with Scan, as
// for INSERT … RETURNING) other than plain SELECTs.
func (s Statement) Write() bool {
	switch s.Kind {
	case "create", "update", "delete":
		return true
	case "raw", "row":
		// Only the first word matters: no copy of the whole statement.
		q := strings.TrimLeft(s.SQL, " \t\r\n(")
		q = q[:min(len(q), 6)]
		if len(q) >= 4 && strings.EqualFold(q[:4], "with") {
			// A CTE may wrap a write.
			return wordIn(s.SQL, "insert") || wordIn(s.SQL, "update") || wordIn(s.SQL, "delete")
		}
		return !strings.EqualFold(q, "select") && !strings.EqualFold(q, "pragma")
	}
	return false
}

// Touches reports whether the statement names one of tables, by its model
// or, for raw SQL, anywhere in its text as a whole word.
func (s Statement) Touches(tables ...string) bool {
	for _, t := range tables {
		if s.Table == t {
			return true
		}
	}
	if s.Table != "" && s.Kind != "raw" && s.Kind != "row" {
		return false
	}
	for _, t := range tables {
		if wordIn(s.SQL, t) {
			return true
		}
	}
	return false
}

// wordIn reports whether the lower-case word w occurs in s, in any ASCII
// case, not as part of a longer name. It runs for every write statement
// and every write hook, so it neither copies s nor uses a regexp.
func wordIn(s, w string) bool {
	if len(w) == 0 {
		return false
	}
	for j := 0; j+len(w) <= len(s); j++ {
		if lowerASCII(s[j]) != w[0] || !strings.EqualFold(s[j:j+len(w)], w) {
			continue
		}
		end := j + len(w)
		if (j == 0 || !wordByte(s[j-1])) && (end == len(s) || !wordByte(s[end])) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// wordByte reports whether c may be part of an SQL name.
func wordByte(c byte) bool {
	c = lowerASCII(c)
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_'
}

// hookSeq keeps hook names unique, since gorm warns about duplicates.
var hookSeq atomic.Int64

// hookMu serialises registrations (gorm recompiles its callback chains
// without a lock).
var hookMu sync.Mutex

// OnStatement calls fn after every statement run through db or any session
// or transaction derived from it, successful or not. It registers gorm
// callbacks, which is not safe while other goroutines use db: call it while
// assembling the instance (or in a test before it sends requests). fn runs
// on the statement's goroutine and must be quick.
func (db *DB) OnStatement(fn func(Statement)) error {
	return db.onStatement(func(s Statement, _ *gorm.DB) { fn(s) })
}

func (db *DB) onStatement(fn func(Statement, *gorm.DB)) error {
	hookMu.Lock()
	defer hookMu.Unlock()
	name := "polder:hook:" + strconv.FormatInt(hookSeq.Add(1), 10)
	cb := db.DB.Callback()
	hook := func(kind string) func(*gorm.DB) {
		return func(tx *gorm.DB) {
			// Dry runs only build SQL (gorm does so for subqueries).
			if tx.Statement == nil || tx.DryRun || tx.Statement.Context == nil {
				return
			}
			fn(Statement{Kind: kind, Table: tx.Statement.Table, SQL: tx.Statement.SQL.String()}, tx)
		}
	}
	for _, r := range []struct {
		kind string
		err  error
	}{
		{"create", cb.Create().After("*").Register(name, hook("create"))},
		{"query", cb.Query().After("*").Register(name, hook("query"))},
		{"update", cb.Update().After("*").Register(name, hook("update"))},
		{"delete", cb.Delete().After("*").Register(name, hook("delete"))},
		{"row", cb.Row().After("*").Register(name, hook("row"))},
		{"raw", cb.Raw().After("*").Register(name, hook("raw"))},
	} {
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

// OnWrite calls fn after every statement through db that may write one of
// tables (see OnStatement for when to call it). In-process caches of those
// tables use it to drop what they hold.
// A write inside DB.Tx calls fn again after the transaction ends.
func (db *DB) OnWrite(fn func(), tables ...string) error {
	id := hookSeq.Add(1)
	return db.onStatement(func(s Statement, tx *gorm.DB) {
		if s.Write() && s.Touches(tables...) {
			fn()
			if w, ok := tx.Statement.Context.Value(txWritesKey{}).(*txWrites); ok {
				w.add(id, fn)
			}
		}
	})
}

type txWritesKey struct{}

// txWrites collects the write hooks a transaction triggered.
type txWrites struct {
	mu  sync.Mutex
	fns map[int64]func()
}

func (w *txWrites) add(id int64, fn func()) {
	w.mu.Lock()
	if w.fns == nil {
		w.fns = map[int64]func(){}
	}
	w.fns[id] = fn
	w.mu.Unlock()
}

func (w *txWrites) run() {
	w.mu.Lock()
	fns := w.fns
	w.fns = nil
	w.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
