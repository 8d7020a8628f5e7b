// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/polder-civic/polder/core/testkit"
)

// TestConcurrentFilingQuota fires 100 submissions by one author into the
// same theme and session at once, through the HTTP layer: exactly the
// quota is accepted, every other one is refused with the quota message.
func TestConcurrentFilingQuota(t *testing.T) {
	for _, quota := range []int{1, 3} {
		t.Run(testkit.Dialect()+"/quota"+strconv.Itoa(quota), func(t *testing.T) {
			e := newEnv(t)
			e.set(map[string]any{"quota_theme_session": quota}, nil)
			u := e.user("eager", false)
			const n = 100
			var wg sync.WaitGroup
			statuses := make([]int, n)
			bodies := make([]string, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := e.file(u, "mobility", "Concurrent proposal "+strconv.Itoa(i), "A body long enough to pass the checks, number "+strconv.Itoa(i))
					statuses[i], bodies[i] = r.Status, r.Body
				}()
			}
			wg.Wait()
			accepted, refused := 0, 0
			for i, st := range statuses {
				switch st {
				case 303:
					accepted++
				case 409:
					refused++
					if !strings.Contains(bodies[i], "You have reached the quota for") {
						t.Fatalf("refusal %d lacks the quota message:\n%s", i, bodies[i])
					}
				default:
					t.Fatalf("submission %d: status %d\n%s", i, st, bodies[i])
				}
			}
			if accepted != quota || refused != n-quota {
				t.Fatalf("accepted %d, refused %d; want %d and %d", accepted, refused, quota, n-quota)
			}
			if got := e.count("SELECT COUNT(*) FROM proposals WHERE author_id = ?", u.Acc.ID); got != quota {
				t.Fatalf("%d proposals stored, want %d", got, quota)
			}
		})
	}
}

// TestQuotaRefusalKeepsText checks the refused form: the author's text
// stays, the message names the quota, what is used and the next session.
func TestQuotaRefusalKeepsText(t *testing.T) {
	e := newEnv(t)
	u := e.user("author", false)
	e.filed(u, "mobility", "Trams every ten minutes", "More trams on the main lines, every ten minutes.")
	r := e.file(u, "mobility", "A second idea <b>bold</b>", "Free buses on Sundays & holidays, please.")
	r.Must(t, 409).Contains(t,
		`value="A second idea &lt;b&gt;bold&lt;/b&gt;"`,
		"Free buses on Sundays &amp; holidays, please.",
		"You have reached the quota for “Mobility” in Second: 1 of 1 proposal(s) per theme and per session already filed.",
		"The next session opens on "+e.session("third").StartsAt.Format("2006-01-02"))
	// The other theme is still open, and the quota box says so.
	e.filed(u, "housing", "Empty offices to homes", "Turn empty offices into homes for students.")
	page := u.Client.Get(e.base+"/mine").Must(t, 200)
	page.Contains(t, "Mobility: 0 left (1 filed)", "Housing: 0 left (1 filed)")
	// French.
	r = u.Post(e.base+"/proposals?locale=fr", url.Values{"theme_id": {strconv.FormatInt(e.theme("mobility").ID, 10)}, "title": {"Encore une idée"}, "body": {"Un texte assez long pour passer."}})
	r.Must(t, 409).Contains(t, "Vous avez atteint le quota pour « Mobilité » dans Deuxième")
}

// TestOtherQuotas covers the per-session and total quotas and user
// groups' own quota.
func TestOtherQuotas(t *testing.T) {
	e := newEnv(t)
	e.set(map[string]any{"quota_theme_session": 0, "quota_session": 2, "quota_total": 0, "group_quota_theme_session": 0, "group_quota_session": 3}, nil)
	u := e.user("person", false)
	e.filed(u, "mobility", "First idea here", "Some text for the first idea.")
	e.filed(u, "housing", "Second idea here", "Some text for the second idea.")
	e.file(u, "housing", "Third idea here", "Some text for the third idea.").Must(t, 409).Contains(t, "You have reached the quota for Second: 2 of 2 proposal(s) per session")

	g := e.user("association", false)
	if err := e.in.App.DB.Exec("UPDATE accounts SET kind = 'group' WHERE id = ?", g.Acc.ID).Error; err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		e.filed(g, "mobility", "Group idea "+strconv.Itoa(i), "An association's proposal text.")
	}
	e.file(g, "mobility", "Group idea 4", "An association's proposal text.").Must(t, 409).Contains(t, "3 of 3 proposal(s) per session")

	e.set(map[string]any{"quota_theme_session": 0, "quota_session": 0, "quota_total": 2}, nil)
	e.file(u, "housing", "Third idea here", "Some text for the third idea.").Must(t, 409).Contains(t, "You have reached your total quota: 2 of 2")

	e.set(map[string]any{"groups_may_author": false}, nil)
	e.file(g, "housing", "Group idea 5", "An association's proposal text.").Must(t, 403)
}
