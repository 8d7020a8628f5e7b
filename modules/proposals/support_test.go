// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"encoding/json"
	"strconv"
	"sync"
	"testing"

	"github.com/polder-civic/polder/core/testkit"
	"github.com/polder-civic/polder/modules/proposals"
)

func TestSupports(t *testing.T) {
	e := newEnv(t)
	author := e.user("author", false)
	id := e.filed(author, "mobility", "Car-free Sundays", "Close the centre to cars on Sundays.")
	path := e.base + "/proposals/" + strconv.FormatInt(id, 10)

	t.Run("Own", func(t *testing.T) {
		author.Post(path+"/support", nil).Must(t, 422).Contains(t, "You cannot support your own proposal.")
	})
	fan := e.user("fan", false)
	t.Run("Twice", func(t *testing.T) {
		fan.Post(path+"/support", nil).Must(t, 303)
		fan.Post(path+"/support", nil).Must(t, 409).Contains(t, "You already support this proposal.")
		fan.Post(path+"/unsupport", nil).Must(t, 303)
		fan.Post(path+"/unsupport", nil).Must(t, 409)
	})
	t.Run("Closed", func(t *testing.T) {
		e.set(nil, map[string]any{"supports_open": false})
		fan.Post(path+"/support", nil).Must(t, 409).Contains(t, "Supports are closed now.")
		e.set(nil, map[string]any{"supports_open": true})
	})
	if n := e.count("SELECT supports_count FROM proposals WHERE id = ?", id); n != 0 {
		t.Fatalf("supports_count %d after refused supports, want 0", n)
	}

	t.Run(testkit.Dialect()+"/ConcurrentCount", func(t *testing.T) {
		const n = 40
		users := make([]*user, n)
		for i := range users {
			users[i] = e.user("crowd", false)
		}
		var wg sync.WaitGroup
		for _, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each supporter clicks twice at once: one counts.
				var inner sync.WaitGroup
				for range 2 {
					inner.Add(1)
					go func() { defer inner.Done(); u.Post(path+"/support", nil) }()
				}
				inner.Wait()
			}()
		}
		wg.Wait()
		if got := e.count("SELECT supports_count FROM proposals WHERE id = ?", id); got != n {
			t.Fatalf("supports_count %d, want %d", got, n)
		}
		if got := e.count("SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = ?", id); got != n {
			t.Fatalf("%d support rows, want %d", got, n)
		}
	})

	t.Run(testkit.Dialect()+"/ConcurrentLimit", func(t *testing.T) {
		e.set(map[string]any{"supports_per_participant": 3, "quota_theme_session": 0}, nil)
		var ids []int64
		for i := range 12 {
			ids = append(ids, e.filed(author, "housing", "Housing idea "+strconv.Itoa(i), "Some housing proposal text."))
		}
		voter := e.user("voter", false)
		var wg sync.WaitGroup
		codes := make([]int, len(ids))
		for i, pid := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = voter.Post(e.base+"/proposals/"+strconv.FormatInt(pid, 10)+"/support", nil).Status
			}()
		}
		wg.Wait()
		ok := 0
		for _, c := range codes {
			if c == 303 {
				ok++
			} else if c != 409 {
				t.Fatalf("status %d", c)
			}
		}
		if ok != 3 || e.count("SELECT COUNT(*) FROM proposal_supports WHERE account_id = ?", voter.Acc.ID) != 3 {
			t.Fatalf("%d supports accepted, want the limit 3", ok)
		}
		voter.Post(e.base+"/proposals/"+strconv.FormatInt(ids[0], 10)+"/support", nil).Must(t, 409)
	})

	t.Run("Ranking", func(t *testing.T) {
		r := e.in.Client().JSON("GET", "/api/v1"+e.base+"/proposals?sort=supported&per_page=3", "", "").Must(t, 200)
		var res proposals.ListResult
		if err := json.Unmarshal([]byte(r.Body), &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 3 || res.Items[0].ID != id {
			t.Fatalf("most supported first: got %+v", res.Items)
		}
		for i := 1; i < len(res.Items); i++ {
			if res.Items[i].SupportsCount > res.Items[i-1].SupportsCount {
				t.Fatal("not sorted by supports")
			}
		}
	})
}
