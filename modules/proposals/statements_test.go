// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"strings"
	"testing"
)

// TestStatementsPerRequest bounds the SQL statements of the two hot
// requests, a signed-in participant's listing page and a filing, counted
// through gorm's callbacks (sessions, casbin and audit included). Core's
// share is the session read and the account: organisation, space and
// component come from its caches, and a page view writes no session. The
// listing adds the counts per theme and session (cached too, but the bound
// does not count on it: the cache may have expired on a slow machine) and
// the page of rows; the
// filing adds the participant upsert that locks the author, the quota
// count, the insert, the audit row and the session save (its flash).
func TestStatementsPerRequest(t *testing.T) {
	e := newEnv(t)
	u := e.user("counted", false)
	st := e.in.CountStatements()
	// Warm up: the first requests fill core's caches.
	u.Client.Get(e.base).Must(t, 200)
	e.filed(u, "mobility", "A first proposal", "The first body, long enough to pass.")
	u.Client.Get(e.base).Must(t, 200)

	const maxGet, maxFile = 4, 7
	list := st.Measure(func() { u.Client.Get(e.base).Must(t, 200).Contains(t, "A first proposal") })
	if len(list) > maxGet {
		t.Errorf("listing page ran %d statements, want at most %d:\n%s", len(list), maxGet, strings.Join(list, "\n"))
	}
	for _, s := range list {
		if !strings.HasPrefix(s, "query: SELECT") && !strings.HasPrefix(s, "row: SELECT") {
			t.Errorf("listing page wrote: %s", s)
		}
	}
	file := st.Measure(func() { e.filed(u, "housing", "A second proposal", "The second body, long enough to pass.") })
	if len(file) > maxFile {
		t.Errorf("filing ran %d statements, want at most %d:\n%s", len(file), maxFile, strings.Join(file, "\n"))
	}
	if n := e.count("SELECT COUNT(*) FROM proposals WHERE author_id = ?", u.Acc.ID); n != 2 {
		t.Errorf("%d proposals filed, want 2", n)
	}
	// A refusal (quota of one per theme and session) rolls back: nothing
	// written but the session.
	refused := st.Measure(func() { e.file(u, "housing", "A third proposal", "The third body, long enough to pass.").Must(t, 409) })
	for _, s := range refused {
		if strings.HasPrefix(s, "create:") || strings.Contains(s, "INSERT INTO proposals") {
			t.Errorf("refused filing wrote: %s", s)
		}
	}
	if n := e.count("SELECT filed FROM proposal_participants WHERE account_id = ?", u.Acc.ID); n != 2 {
		t.Errorf("participant row counts %d filings, want 2", n)
	}
}
