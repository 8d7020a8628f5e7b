// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/polder-civic/polder/internal/instancetest"
)

// TestVoteStatements bounds the SQL statements of the vote API request, the
// hot path of ingestion, for an anonymous participant who has voted
// before: the session read, then the vote upsert (with the participant's
// other votes on PostgreSQL, a second read on SQLite). Settings,
// participant, visible statements and results come from the service's
// caches, and the debounced recompute enqueue runs off the request.
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
	vote(ids[0]) // warm up: creates the participant, fills the caches
	list := st.Measure(func() { vote(ids[1]) })
	e.svc().Flush()
	t.Logf("%d statements:\n%s", len(list), strings.Join(list, "\n"))
	if got := e.countVotes(0); got != 2 {
		t.Errorf("%d vote rows, want 2", got)
	}
}
