// SPDX-License-Identifier: AGPL-3.0-or-later

package apptest

import (
	"strings"
	"sync"

	"github.com/polder-civic/polder/core/store"
)

// Statements counts the SQL statements an instance runs, so tests can bound
// what one request costs (a count, not a timing: deterministic).
type Statements struct {
	mu   sync.Mutex
	on   bool
	list []string
}

// CountStatements starts recording every statement the instance's database
// runs (sessions, casbin and modules included). Call it before sending
// requests, never while requests are in flight: it registers gorm
// callbacks. Recording starts paused; Measure runs one step under it.
func (in *Instance) CountStatements() *Statements {
	in.T.Helper()
	st := &Statements{}
	if err := in.App.DB.OnStatement(func(s store.Statement) {
		st.mu.Lock()
		if st.on {
			st.list = append(st.list, s.Kind+": "+strings.Join(strings.Fields(s.SQL), " "))
		}
		st.mu.Unlock()
	}); err != nil {
		in.T.Fatalf("counting statements: %v", err)
	}
	return st
}

// Measure runs f while recording and returns the statements it ran.
func (st *Statements) Measure(f func()) []string {
	st.mu.Lock()
	st.on, st.list = true, nil
	st.mu.Unlock()
	f()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.on = false
	return append([]string(nil), st.list...)
}
