// SPDX-License-Identifier: AGPL-3.0-or-later

package moderation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
)

// accounts creates an organisation and n accounts, returning their ids.
func accounts(t *testing.T, db *store.DB, n int) (int64, []int64) {
	t.Helper()
	now := time.Now().UTC()
	if err := db.Exec("INSERT INTO organisations (host, name, created_at, updated_at) VALUES ('test.local', 'Test', ?, ?)", now, now).Error; err != nil {
		t.Fatal(err)
	}
	var org int64
	db.Raw("SELECT id FROM organisations WHERE host = 'test.local'").Scan(&org)
	ids := make([]int64, n)
	for i := range ids {
		nick := fmt.Sprintf("user%d", i)
		if err := db.Exec("INSERT INTO accounts (organisation_id, email, name, nickname, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			org, nick+"@example.org", nick, nick, now, now).Error; err != nil {
			t.Fatal(err)
		}
		db.Raw("SELECT id FROM accounts WHERE nickname = ?", nick).Scan(&ids[i])
	}
	return org, ids
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int64
	if err := db.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestReportAndHide(t *testing.T) {
	db := testkit.OpenDB(t)
	ctx := context.Background()
	org, ids := accounts(t, db, 5)
	svc := moderation.New(db)
	target := moderation.Target{OrganisationID: org, SpaceID: 9, ResourceType: "thing", ResourceID: 42, AuthorID: ids[0], Link: "/things/42", Excerpt: "bad words"}

	t.Run("Rules", func(t *testing.T) {
		cases := []struct {
			name     string
			reporter int64
			reason   string
			code     perr.Code
		}{
			{"UnknownReason", ids[1], "boring", perr.CodeInvalid},
			{"OwnContent", ids[0], moderation.ReasonSpam, perr.CodeInvalid},
		}
		for _, c := range cases {
			if _, err := svc.Report(ctx, target, c.reporter, c.reason, "", 3); perr.CodeOf(err) != c.code {
				t.Fatalf("%s: %v, want %s", c.name, err, c.code)
			}
		}
	})
	m, err := svc.Report(ctx, target, ids[1], moderation.ReasonSpam, "ads", 3)
	if err != nil || m.ReportsCount != 1 || m.Hidden() {
		t.Fatalf("first report: %+v %v", m, err)
	}
	if _, err := svc.Report(ctx, target, ids[1], moderation.ReasonSpam, "", 3); perr.CodeOf(err) != perr.CodeConflict {
		t.Fatalf("second report by the same person: %v", err)
	}
	svc.Report(ctx, target, ids[2], moderation.ReasonOffensive, "", 3)
	if hidden, _ := svc.IsHidden(ctx, "thing", 42); hidden {
		t.Fatal("hidden before the threshold")
	}
	m, err = svc.Report(ctx, target, ids[3], moderation.ReasonOffensive, "", 3)
	if err != nil || !m.Hidden() {
		t.Fatalf("third report did not hide: %+v %v", m, err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM notifications WHERE account_id = ? AND kind = ?", ids[0], moderation.NoticeHidden); n != 1 {
		t.Fatalf("author notified %d times", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM notifications WHERE kind = ?", moderation.NoticeOutcome); n != 3 {
		t.Fatalf("reporters notified %d times", n)
	}
	// The filter used by lists.
	if n := count(t, db, "SELECT COUNT(*) FROM (SELECT 42 AS id UNION SELECT 43) x WHERE "+moderation.NotHiddenSQL("thing", "x.id")); n != 1 {
		t.Fatalf("NotHiddenSQL kept %d of 2, want 1", n)
	}
	q, err := svc.Queue(ctx, org, 9, nil, true)
	if err != nil || len(q) != 1 || len(q[0].Reports) != 3 {
		t.Fatalf("hidden queue: %+v %v", q, err)
	}
	if _, err := svc.Unhide(ctx, target, ids[4]); err != nil {
		t.Fatal(err)
	}
	if hidden, _ := svc.IsHidden(ctx, "thing", 42); hidden {
		t.Fatal("still hidden after unhide")
	}
	if q, _ := svc.Queue(ctx, org, 9, []string{"thing"}, false); len(q) != 1 {
		t.Fatalf("reported queue after unhide: %d items", len(q))
	}
	// A moderator can hide what nobody reported.
	if m, err := svc.Hide(ctx, moderation.Target{OrganisationID: org, SpaceID: 9, ResourceType: "thing", ResourceID: 7}, ids[4]); err != nil || !m.Hidden() {
		t.Fatalf("hide unreported: %+v %v", m, err)
	}
}

// TestConcurrentReports counts simultaneous first reports exactly.
func TestConcurrentReports(t *testing.T) {
	db := testkit.OpenDB(t)
	ctx := context.Background()
	org, ids := accounts(t, db, 20)
	svc := moderation.New(db)
	target := moderation.Target{OrganisationID: org, ResourceType: "thing", ResourceID: 1}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svc.Report(ctx, target, id, moderation.ReasonOther, "", 0); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := count(t, db, "SELECT reports_count FROM moderations WHERE resource_id = 1"); n != len(ids) {
		t.Fatalf("reports_count %d, want %d", n, len(ids))
	}
	if n := count(t, db, "SELECT COUNT(*) FROM moderations"); n != 1 {
		t.Fatalf("%d moderation rows, want 1", n)
	}
}
