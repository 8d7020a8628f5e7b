// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/internal/instancetest"
)

// TestVoteStatements bounds the SQL statements of the vote API request, the
// hot path of ingestion, for an anonymous participant who has voted
// before (and, for the first vote, that the participant is created in one
// statement): the vote upsert (with the participant's other votes on
// PostgreSQL, a second read on SQLite). The session comes from core's
// cache of sessions (read again only when its TTL has passed); settings,
// participant, visible statements and results from the service's caches,
// and the debounced recompute enqueue runs off the request.
func TestVoteStatements(t *testing.T) {
	e := newEnv(t)
	e.set(map[string]any{"recompute_delay": 60})
	ids := e.seed("First statement", "Second statement", "Third statement")
	c := e.in.Client()
	csrf := instancetest.Session(t, e.in, c, 0)
	vote := func(id int64) {
		r := instancetest.JSON(t, e.in, c, "POST", "/api/v1"+e.base+"/votes", csrf, "", fmt.Sprintf(`{"statement_id":%d,"vote":"agree"}`, id))
		if r.Status != 200 {
			t.Fatalf("vote answered %d", r.Status)
		}
	}
	st := e.in.CountStatements()
	// Warm up: creates the participant, fills the caches. Creating the
	// participant is one statement (the insert returns its id); the
	// caches' loads vary with their TTL, so only that is counted here.
	first := st.Measure(func() { vote(ids[0]) })
	var part []string
	for _, s := range first {
		if strings.Contains(s, "opinion_participants") {
			part = append(part, s)
		}
	}
	if len(part) != 1 {
		t.Errorf("the first vote ran %d statements on participants, want 1 (the insert):\n%s", len(part), strings.Join(part, "\n"))
	}
	// Wait for the warm-up's recompute enqueue, which runs in the
	// background.
	e.svc().Flush()
	all := st.Measure(func() { vote(ids[1]) })
	e.svc().Flush()
	// The measured vote's own enqueue runs on another goroutine and may
	// or may not fall within the measure: not the request's cost.
	var list, sessions []string
	for _, s := range all {
		switch {
		case strings.Contains(s, `"jobs"`) || strings.Contains(s, "`jobs`"):
		case strings.Contains(s, "FROM sessions"):
			// Cached since the first vote, unless its TTL passed since.
			sessions = append(sessions, s)
		default:
			list = append(list, s)
		}
	}
	if len(sessions) > 1 {
		t.Errorf("the session was read %d times:\n%s", len(sessions), strings.Join(sessions, "\n"))
	}
	want := 1 // the vote with the participant's votes
	if e.in.App.DB.Dialect != store.Postgres {
		want = 2 // the vote, the participant's votes
	}
	if len(list) != want {
		t.Errorf("vote ran %d statements, want %d:\n%s", len(list), want, strings.Join(list, "\n"))
	}
	for _, s := range list {
		if strings.Contains(s, "WHERE participant_id") {
			t.Errorf("votes read without the component (a whole-index scan): %s", s)
		}
	}
	if got := e.countVotes(0); got != 2 {
		t.Errorf("%d vote rows, want 2", got)
	}
}

// TestHotStatementsPlan: the statements core and this module register as
// hot (planned on every connection when the pool is warmed) still plan
// against the migrated schema; a renamed column would fail here rather
// than as a warning at every start.
func TestHotStatementsPlan(t *testing.T) {
	e := newEnv(t)
	if e.in.App.DB.Dialect != store.Postgres {
		t.Skip("hot statements are planned on PostgreSQL only")
	}
	if err := e.in.App.DB.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
}
