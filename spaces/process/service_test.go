// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
)

func TestServiceRefusesStaleLists(t *testing.T) {
	in := newInstance(t)
	ctx := context.Background()
	svc := NewService(in.App.DB)
	p := &Process{Slug: "stale", Title: i18n.Text{"en": "Stale"}}
	if err := svc.Create(ctx, in.Org.ID, p); err != nil {
		t.Fatal(err)
	}
	first, _ := svc.ByID(ctx, p.ID)
	second, _ := svc.ByID(ctx, p.ID)
	// Two admins add a session from the same page: the windows do not
	// overlap the list each saw, but they overlap each other.
	if err := svc.SaveSessions(ctx, first, append(first.Sessions, Session{Key: "a", Title: i18n.Text{"en": "A"}, StartsAt: day(1), EndsAt: day(10)})); err != nil {
		t.Fatal(err)
	}
	err := svc.SaveSessions(ctx, second, append(second.Sessions, Session{Key: "b", Title: i18n.Text{"en": "B"}, StartsAt: day(5), EndsAt: day(15)}))
	if perr.CodeOf(err) != perr.CodeConflict {
		t.Fatalf("want a conflict, got %v", err)
	}
	if err := svc.SaveThemes(ctx, first, []Theme{{Key: "x", Title: i18n.Text{"en": "X"}}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SaveThemes(ctx, second, []Theme{{Key: "y", Title: i18n.Text{"en": "Y"}}}); perr.CodeOf(err) != perr.CodeConflict {
		t.Fatalf("want a conflict, got %v", err)
	}
	final, _ := svc.ByID(ctx, p.ID)
	if len(final.Sessions) != 1 || final.Sessions[0].Key != "a" || len(final.Themes) != 1 || final.Themes[0].Key != "x" {
		t.Fatalf("final %+v %+v", final.Sessions, final.Themes)
	}
}

func TestAPIRefusesNonJSON(t *testing.T) {
	in := newInstance(t)
	token := apiToken(t, in, "admin@example.org", true)
	req, _ := http.NewRequest(http.MethodPost, in.URL+"/api/v1/processes", strings.NewReader("slug=x&title_en=X"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	in.Client().Do(req).Must(t, http.StatusBadRequest).Contains(t, `"error":"bad_request"`)
	if count(t, in, "processes", "") != 0 {
		t.Fatal("a non-JSON request created a process")
	}
}

// TestSpaceAdminManagesOnlyTheirProcess grants the space admin role in
// one process: its admin pages and API open to them, another process's
// and the organisation-level ones do not.
func TestSpaceAdminManagesOnlyTheirProcess(t *testing.T) {
	in := newInstance(t)
	ctx := context.Background()
	svc := NewService(in.App.DB)
	mine := &Process{Slug: "mine", Title: i18n.Text{"en": "Mine"}}
	other := &Process{Slug: "other", Title: i18n.Text{"en": "Other"}, Status: "published"}
	for _, p := range []*Process{mine, other} {
		if err := svc.Create(ctx, in.Org.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	c := loginAs(t, in, "space-admin@example.org", false)
	acc, err := in.App.Accounts.ByEmail(ctx, in.Org.ID, "space-admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.App.Authz.Grant(ctx, acc.ID, "space_admin", mine.Space().Domain()); err != nil {
		t.Fatal(err)
	}
	c.Get("/processes/mine").Must(t, http.StatusOK) // a draft, visible to its admin
	c.Get("/admin/processes/mine").Must(t, http.StatusOK).Contains(t, "Publish")
	c.PostForm("/admin/processes/mine/themes", form("key", "t", "title_en", "T")).Must(t, http.StatusSeeOther)
	c.PostForm("/admin/processes/mine/status", form("status", "published")).Must(t, http.StatusSeeOther)
	c.Get("/admin/processes/other").Must(t, http.StatusForbidden)
	c.PostForm("/admin/processes/other/themes", form("key", "t", "title_en", "T")).Must(t, http.StatusForbidden)
	c.Get("/admin/processes").Must(t, http.StatusForbidden)
	c.PostForm("/admin/processes", form("slug", "third", "title_en", "Third")).Must(t, http.StatusForbidden)
	if n := count(t, in, "process_themes", ""); n != 1 {
		t.Fatalf("%d themes, want only the one in the admin's own process", n)
	}
}
