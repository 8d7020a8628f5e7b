// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
)

// form builds a url.Values from pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func TestAdminProcessLifecycle(t *testing.T) {
	in := newInstance(t)
	admin := loginAs(t, in, "admin@example.org", true)
	participant := loginAs(t, in, "someone@example.org", false)
	visitor := in.Client()

	t.Run("AccessControl", func(t *testing.T) {
		r := visitor.Get("/admin/processes")
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Fatalf("visitor: status %d location %q, want a redirect to /login", r.Status, r.Location)
		}
		participant.Get("/admin/processes").Must(t, http.StatusForbidden)
		participant.PostForm("/admin/processes", form("slug", "sneaky", "title_en", "Sneaky")).Must(t, http.StatusForbidden)
		if count(t, in, "processes", "") != 0 {
			t.Fatal("a forbidden request created a process")
		}
	})

	t.Run("CreateInvalid", func(t *testing.T) {
		r := admin.PostForm("/admin/processes", form("slug", "Bad Slug", "title_en", " ")).Must(t, http.StatusUnprocessableEntity)
		r.Contains(t, "Use 2 to 80 lower-case letters", "Give a title in at least one language", `value="Bad Slug"`)
		if count(t, in, "processes", "") != 0 {
			t.Fatal("an invalid form created a process")
		}
	})
	t.Run("CreateWrongContentType", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/admin/processes", strings.NewReader(`{"slug":"x"}`))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("X-CSRF-Token", csrf(t, admin))
		admin.Do(req).Must(t, http.StatusBadRequest)
	})
	t.Run("CreateForgedCSRF", func(t *testing.T) {
		admin.PostRaw("/admin/processes", form("_csrf", "forged", "slug", "forged", "title_en", "F")).Must(t, http.StatusForbidden)
		if count(t, in, "processes", "") != 0 {
			t.Fatal("a forged request created a process")
		}
	})

	t.Run("Create", func(t *testing.T) {
		r := admin.PostForm("/admin/processes", form("slug", "budget-2027", "title_en", "Budget 2027", "title_fr", "Budget 2027 (fr)", "description_en", "Para one.\n\nPara two.")).Must(t, http.StatusSeeOther)
		if r.Location != "/admin/processes/budget-2027" {
			t.Fatalf("redirect to %q", r.Location)
		}
		admin.Get("/admin/processes").Must(t, http.StatusOK).Contains(t, "Budget 2027", "Draft")
		admin.Get("/admin/processes/budget-2027").Must(t, http.StatusOK).Contains(t, "Publish", `value="budget-2027"`)
		visitor.Get("/processes/budget-2027").Must(t, http.StatusNotFound)
		admin.PostForm("/admin/processes", form("slug", "budget-2027", "title_en", "Again")).Must(t, http.StatusUnprocessableEntity).Contains(t, "Another process already uses this address.")
	})
	base := "/admin/processes/budget-2027"

	t.Run("Update", func(t *testing.T) {
		admin.PostForm(base, form("slug", "budget-2027", "title_en", "Budget twenty-seven", "subtitle_nl", "Begroting")).Must(t, http.StatusSeeOther)
		admin.PostForm(base, form("slug", "budget-2027", "title_en", "")).Must(t, http.StatusUnprocessableEntity).Contains(t, "Give a title in at least one language.")
		var title string
		in.App.DB.Table("processes").Select("title").Where("slug = ?", "budget-2027").Scan(&title)
		if !strings.Contains(title, "Budget twenty-seven") {
			t.Fatalf("title %s", title)
		}
	})

	t.Run("Themes", func(t *testing.T) {
		admin.PostForm(base+"/themes", form("key", "roads", "title_en", "Roads")).Must(t, http.StatusSeeOther)
		admin.PostForm(base+"/themes", form("key", "parks", "title_en", "Parks", "transversal", "on")).Must(t, http.StatusSeeOther)
		admin.PostForm(base+"/themes", form("key", "roads", "title_en", "Roads again")).Must(t, http.StatusUnprocessableEntity).Contains(t, "This key is already used.")
		admin.PostForm(base+"/themes", form("key", "No Good", "title_en", "")).Must(t, http.StatusUnprocessableEntity).Contains(t, "Use lower-case letters", "Give a title")
		admin.PostForm(base+"/themes/parks/move", form("direction", "up")).Must(t, http.StatusSeeOther)
		admin.PostForm(base+"/themes/parks/move", form("direction", "up")).Must(t, http.StatusUnprocessableEntity)
		admin.PostForm(base+"/themes/roads", form("title_en", "Streets", "title_fr", "Rues")).Must(t, http.StatusSeeOther)
		p, _ := NewService(in.App.DB).BySlug(context.Background(), in.Org.ID, "budget-2027")
		if len(p.Themes) != 2 || p.Themes[0].Key != "parks" || !p.Themes[0].Transversal || p.Themes[1].Title["fr"] != "Rues" {
			t.Fatalf("themes %+v", p.Themes)
		}
		roadsID := p.Themes[1].ID
		admin.PostForm(base+"/themes/parks/delete", nil).Must(t, http.StatusSeeOther)
		p, _ = NewService(in.App.DB).BySlug(context.Background(), in.Org.ID, "budget-2027")
		if len(p.Themes) != 1 || p.Themes[0].ID != roadsID {
			t.Fatalf("after delete: %+v (the kept theme must keep its id)", p.Themes)
		}
		admin.PostForm(base+"/themes/nope", form("title_en", "x")).Must(t, http.StatusUnprocessableEntity)
	})

	t.Run("Sessions", func(t *testing.T) {
		admin.PostForm(base+"/sessions", form("key", "s1", "title_en", "One", "starts_at", "2026-11-01T00:00", "ends_at", "2026-11-20T00:00")).Must(t, http.StatusSeeOther)
		admin.PostForm(base+"/sessions", form("key", "s2", "title_en", "Two", "starts_at", "2026-11-20T00:00", "ends_at", "2026-12-20T00:00")).Must(t, http.StatusSeeOther)
		before := count(t, in, "process_sessions", "")
		admin.PostForm(base+"/sessions", form("key", "s3", "title_en", "Three", "starts_at", "2026-12-01T00:00", "ends_at", "2027-01-10T00:00")).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "This session overlaps another session.", `value="2026-12-01T00:00"`)
		admin.PostForm(base+"/sessions", form("key", "s3", "title_en", "Three", "starts_at", "2027-02-01T00:00", "ends_at", "2027-01-10T00:00")).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "The session must start before it ends.")
		admin.PostForm(base+"/sessions/s2", form("title_en", "Two", "starts_at", "2026-11-10T00:00", "ends_at", "2026-12-20T00:00")).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "This session overlaps another session.")
		if n := count(t, in, "process_sessions", ""); n != before {
			t.Fatalf("rejected forms changed the sessions: %d → %d", before, n)
		}
		// Current session: the calendar gives s2 on the test clock, an
		// override gives s1, "" returns to the calendar.
		admin.Get(base).Must(t, http.StatusOK).Contains(t, "Current session: Two")
		admin.PostForm(base+"/current-session", form("session", "s1")).Must(t, http.StatusSeeOther)
		admin.Get("/processes/budget-2027").Must(t, http.StatusOK).Contains(t, "Current session: One", "(chosen by the organisers)")
		admin.PostForm(base+"/current-session", form("session", "zz")).Must(t, http.StatusUnprocessableEntity).Contains(t, "There is no such session.")
		admin.PostForm(base+"/current-session", form("session", "")).Must(t, http.StatusSeeOther)
		admin.Get("/processes/budget-2027").Must(t, http.StatusOK).Contains(t, "Current session: Two")
		// Removing the overridden session clears the override.
		admin.PostForm(base+"/current-session", form("session", "s2")).Must(t, http.StatusSeeOther)
		admin.PostForm(base+"/sessions/s2/delete", nil).Must(t, http.StatusSeeOther)
		p, _ := NewService(in.App.DB).BySlug(context.Background(), in.Org.ID, "budget-2027")
		if p.CurrentSessionID != nil || len(p.Sessions) != 1 {
			t.Fatalf("override %v, %d sessions", p.CurrentSessionID, len(p.Sessions))
		}
		// Between sessions, the page names the next one.
		admin.PostForm(base+"/sessions", form("key", "s2", "title_en", "Two", "starts_at", "2026-11-25T00:00", "ends_at", "2026-12-20T00:00")).Must(t, http.StatusSeeOther)
		admin.Get("/processes/budget-2027").Must(t, http.StatusOK).Contains(t, "No session is open at the moment. Next: Two, from 2026-11-25.")
		admin.PostForm(base+"/sessions/s2", form("title_en", "Two", "starts_at", "2026-11-20T00:00", "ends_at", "2026-12-20T00:00")).Must(t, http.StatusSeeOther)
	})

	t.Run("Publish", func(t *testing.T) {
		admin.PostForm(base+"/status", form("status", "open")).Must(t, http.StatusUnprocessableEntity)
		admin.PostForm(base+"/status", form("status", "published")).Must(t, http.StatusSeeOther)
		visitor.Get("/processes/budget-2027").Must(t, http.StatusOK).Contains(t, "Budget twenty-seven", "Streets")
		visitor.Get("/").Must(t, http.StatusOK).Contains(t, "/processes/budget-2027")
		admin.PostForm(base+"/status", form("status", "closed")).Must(t, http.StatusSeeOther)
		visitor.Get("/processes/budget-2027").Must(t, http.StatusOK).Contains(t, "Closed")
		if strings.Contains(visitor.Get("/").Body, "/processes/budget-2027") {
			t.Fatal("a closed process is listed as open participation")
		}
	})

	t.Run("Audit", func(t *testing.T) {
		for _, action := range []string{"process.create", "process.update", "process.theme_add", "process.theme_move", "process.theme_edit", "process.theme_remove",
			"process.session_add", "process.session_remove", "process.current_session", "process.status"} {
			if count(t, in, "audit_log", "action = ?", action) == 0 {
				t.Errorf("no audit entry for %s", action)
			}
		}
		var details []string
		in.App.DB.Table("audit_log").Pluck("details", &details)
		for _, d := range details {
			if strings.Contains(d, "a-long-password-1") {
				t.Fatal("a password leaked into the audit log")
			}
		}
	})
}

func TestComponentSettingsForm(t *testing.T) {
	in := newInstance(t)
	ctx := context.Background()
	if _, err := ApplyPreset(ctx, in.App, in.Org.ID, []byte(strings.Replace(examplePreset, "components:", "components_unused:", 1)[:strings.Index(examplePreset, "components:")])); err != nil {
		t.Fatal(err)
	}
	admin := loginAs(t, in, "admin@example.org", true)
	base := "/admin/processes/town-plan"

	admin.PostForm(base+"/components", form("module", "nope")).Must(t, http.StatusUnprocessableEntity).Contains(t, "Choose a module.")
	admin.PostForm(base+"/components", form("module", "example", "key", "Bad Key")).Must(t, http.StatusUnprocessableEntity).Contains(t, "Use lower-case letters")
	r := admin.PostForm(base+"/components", form("module", "example", "key", "ideas", "title_en", "Ideas")).Must(t, http.StatusSeeOther)
	admin.PostForm(base+"/components", form("module", "example", "key", "ideas")).Must(t, http.StatusUnprocessableEntity).Contains(t, "Another component of this process already uses this key.")
	settingsURL := r.Location
	comps, _ := in.App.Components.InSpace(ctx, SpaceType, componentSpace(t, in))
	if len(comps) != 1 {
		t.Fatalf("%d components", len(comps))
	}
	comp := comps[0]
	p, _ := NewService(in.App.DB).BySlug(ctx, in.Org.ID, "town-plan")
	s1, s2 := p.Sessions[0].ID, p.Sessions[1].ID
	if settingsURL != fmt.Sprintf("%s/components/%d", base, comp.ID) {
		t.Fatalf("redirect %q", settingsURL)
	}

	t.Run("GeneratedForm", func(t *testing.T) {
		admin.Get(settingsURL).Must(t, http.StatusOK).Contains(t,
			`<textarea id="g-intro" name="g.intro"`, "Introduction",
			`<input type="number" id="g-max_per_author" name="g.max_per_author" value="3" step="1" min="1" max="18"`,
			`<select id="g-order" name="g.order"`, `<option value="random" selected>`,
			`<input type="checkbox" id="g-comments" name="g.comments" checked>`, "Comments allowed",
			fmt.Sprintf(`name="s%d.open"`, s1), fmt.Sprintf(`name="s%d.quota"`, s2), "Settings for Two")
		admin.Get(settingsURL+"?locale=fr").Must(t, http.StatusOK).Contains(t, "Propositions par auteur", "Paramètres pour toute la démarche")
		admin.Get(settingsURL+"?locale=en").Must(t, http.StatusOK)
	})

	stored := func() string {
		var s string
		in.App.DB.Table("components").Select("settings || session_settings").Where("id = ?", comp.ID).Scan(&s)
		return s
	}
	t.Run("InvalidChangesNothing", func(t *testing.T) {
		before := stored()
		r := admin.PostForm(settingsURL, form("g.intro", "hello", "g.max_per_author", "40", "g.order", "alphabetical", "g.comments", "on",
			fmt.Sprintf("s%d.quota", s1), "x", fmt.Sprintf("s%d.quota", s2), "2", fmt.Sprintf("s%d.open", s2), "on")).Must(t, http.StatusUnprocessableEntity)
		r.Contains(t, "Must be at most 18.", "Must be one of: random, recent.", "Must be a whole number.", "Nothing was saved.",
			`value="40"`, `id="g-max_per_author-error"`, fmt.Sprintf(`id="s%d-quota-error"`, s1))
		if strings.Count(r.Body, `class="field-error"`) != 3 {
			t.Fatalf("want exactly 3 field errors:\n%s", apptest.Snippet(r.Body))
		}
		if after := stored(); after != before {
			t.Fatalf("an invalid form changed the settings: %s → %s", before, after)
		}
		admin.PostForm(settingsURL+"?locale=nl", form("g.max_per_author", "0")).Must(t, http.StatusUnprocessableEntity).Contains(t, "1")
	})
	t.Run("ValidSaves", func(t *testing.T) {
		admin.PostForm(settingsURL, form("g.intro", "Welcome", "g.max_per_author", "5", "g.order", "recent",
			fmt.Sprintf("s%d.quota", s1), "0", fmt.Sprintf("s%d.quota", s2), "4", fmt.Sprintf("s%d.open", s2), "on")).Must(t, http.StatusSeeOther)
		c, _ := in.App.Components.Get(ctx, comp.ID)
		g := in.App.Components.Settings(c)
		if g.String("intro") != "Welcome" || g.Int("max_per_author") != 5 || g.String("order") != "recent" || g.Bool("comments") {
			t.Fatalf("global %v", g)
		}
		if v := in.App.Components.SessionSettings(c, s2); !v.Bool("open") || v.Int("quota") != 4 {
			t.Fatalf("s2 %v", v)
		}
		if v := in.App.Components.SessionSettings(c, s1); v.Bool("open") || v.Int("quota") != 0 {
			t.Fatalf("s1 %v", v)
		}
		// A partial form keeps the stored values of the fields it lacks
		// (but an absent checkbox is an unchecked one).
		admin.PostForm(settingsURL, form("g.intro", "Changed", fmt.Sprintf("s%d.open", s2), "on")).Must(t, http.StatusSeeOther)
		c, _ = in.App.Components.Get(ctx, comp.ID)
		if g := in.App.Components.Settings(c); g.String("intro") != "Changed" || g.Int("max_per_author") != 5 || g.String("order") != "recent" {
			t.Fatalf("partial form: global %v", g)
		}
		if v := in.App.Components.SessionSettings(c, s2); !v.Bool("open") || v.Int("quota") != 4 {
			t.Fatalf("partial form: s2 %v", v)
		}
		if count(t, in, "audit_log", "action = ? AND resource_id = ?", "component.settings", fmt.Sprint(comp.ID)) != 2 {
			t.Fatal("settings change not audited")
		}
		admin.Get("/processes/town-plan").Must(t, http.StatusOK).Contains(t, fmt.Sprintf(`href="/processes/town-plan/c/%d"`, comp.ID))
	})
	t.Run("TitleAndVisibility", func(t *testing.T) {
		meta := settingsURL + "/meta"
		admin.Get(settingsURL+"?locale=en").Must(t, http.StatusOK)
		admin.PostForm(meta, form("title_en", " ", "published", "on")).Must(t, http.StatusUnprocessableEntity).Contains(t, "Give a title in at least one language.")
		admin.PostForm(meta, form("title_en", "Our ideas", "title_fr", "Nos idées")).Must(t, http.StatusSeeOther) // unchecked: hidden
		visitor := in.Client()
		r := visitor.Get("/processes/town-plan")
		if r.Status == http.StatusOK && strings.Contains(r.Body, "Our ideas") {
			t.Fatal("a hidden component is listed for visitors")
		}
		admin.Get("/admin/processes/town-plan").Must(t, http.StatusOK).Contains(t, "Our ideas", "Hidden")
		admin.PostForm(meta, form("title_en", "Our ideas", "published", "on")).Must(t, http.StatusSeeOther)
		admin.Get("/processes/town-plan").Must(t, http.StatusOK).Contains(t, "Our ideas")
		if count(t, in, "audit_log", "action = ?", "component.update") != 2 {
			t.Fatal("component updates not audited")
		}
	})
	t.Run("OtherProcessComponent", func(t *testing.T) {
		admin.Get(fmt.Sprintf("%s/components/%d", "/admin/processes/town-plan", comp.ID+100)).Must(t, http.StatusNotFound)
	})
}

func componentSpace(t *testing.T, in *apptest.Instance) int64 {
	t.Helper()
	p, err := NewService(in.App.DB).BySlug(context.Background(), in.Org.ID, "town-plan")
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// apiToken creates an API token for a new account.
func apiToken(t *testing.T, in *apptest.Instance, email string, orgAdmin bool) string {
	t.Helper()
	acc := in.CreateAccount(email, "a-long-password-1", orgAdmin)
	_, secret, err := in.App.Accounts.CreateAPIToken(context.Background(), acc.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestAdminAPI(t *testing.T) {
	in := newInstance(t)
	admin := apiToken(t, in, "admin@example.org", true)
	user := apiToken(t, in, "user@example.org", false)
	c := in.Client()
	decode := func(r *apptest.Response, dst any) {
		t.Helper()
		if err := json.Unmarshal([]byte(r.Body), dst); err != nil {
			t.Fatalf("decoding %s: %v", r.Body, err)
		}
	}

	// Without a token the request is refused (core's CSRF check answers
	// before the permission check).
	if r := c.JSON(http.MethodPost, "/api/v1/processes", "", `{"slug":"api-one","title":{"en":"API one"}}`); r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden {
		t.Fatalf("anonymous create: status %d", r.Status)
	}
	c.JSON(http.MethodPost, "/api/v1/processes", user, `{"slug":"api-one","title":{"en":"API one"}}`).Must(t, http.StatusForbidden)
	c.JSON(http.MethodPost, "/api/v1/processes", admin, `{"slug":"api-one","title":{"en":"API one"},"colour":"red"}`).Must(t, http.StatusBadRequest)
	c.JSON(http.MethodPost, "/api/v1/processes", admin, `{"slug":"api-one","title":`).Must(t, http.StatusBadRequest)
	var apiErr struct {
		Error  string            `json:"error"`
		Fields map[string]string `json:"fields"`
	}
	decode(c.JSON(http.MethodPost, "/api/v1/processes", admin, `{"slug":"API","title":{}}`).Must(t, http.StatusUnprocessableEntity), &apiErr)
	if apiErr.Error != "invalid" || apiErr.Fields["slug"] == "" || apiErr.Fields["title"] == "" {
		t.Fatalf("error body %+v", apiErr)
	}
	if count(t, in, "processes", "") != 0 {
		t.Fatal("rejected requests created a process")
	}

	var p ProcessJSON
	decode(c.JSON(http.MethodPost, "/api/v1/processes", admin, `{"slug":"api-one","title":{"en":"API one","fr":"API un"}}`).Must(t, http.StatusCreated), &p)
	if p.Status != registry.StatusDraft || p.Slug != "api-one" {
		t.Fatalf("created %+v", p)
	}
	c.JSON(http.MethodGet, "/api/v1/processes/api-one", "", "").Must(t, http.StatusNotFound)
	c.JSON(http.MethodGet, "/api/v1/processes/api-one", admin, "").Must(t, http.StatusOK)
	var list []ProcessJSON
	decode(c.JSON(http.MethodGet, "/api/v1/processes", admin, "").Must(t, http.StatusOK), &list)
	if len(list) != 1 {
		t.Fatalf("admins should see drafts: %d", len(list))
	}
	c.JSON(http.MethodPatch, "/api/v1/processes/api-one", user, `{"title":{"en":"x"}}`).Must(t, http.StatusNotFound) // a draft does not exist for them

	decode(c.JSON(http.MethodPatch, "/api/v1/processes/api-one", admin, `{"subtitle":{"nl":"Ondertitel"}}`).Must(t, http.StatusOK), &p)
	if p.Subtitle["nl"] != "Ondertitel" || p.Title["fr"] != "API un" {
		t.Fatalf("patch %+v", p)
	}
	decode(c.JSON(http.MethodPut, "/api/v1/processes/api-one/themes", admin, `{"themes":[{"key":"a","title":{"en":"A"}},{"key":"b","title":{"en":"B"},"transversal":true}]}`).Must(t, http.StatusOK), &p)
	if len(p.Themes) != 2 || !p.Themes[1].Transversal {
		t.Fatalf("themes %+v", p.Themes)
	}
	decode(c.JSON(http.MethodPut, "/api/v1/processes/api-one/themes", admin, `{"themes":[{"key":"a","title":{"en":"A"}},{"key":"a","title":{"en":"B"}}]}`).Must(t, http.StatusUnprocessableEntity), &apiErr)
	if apiErr.Fields["themes.1.key"] == "" {
		t.Fatalf("want themes.1.key error: %+v", apiErr)
	}
	sessions := `{"sessions":[{"key":"one","title":{"en":"One"},"starts_at":"2026-11-01T00:00:00Z","ends_at":"2026-11-20T00:00:00Z"},{"key":"two","title":{"en":"Two"},"starts_at":"2026-11-20T00:00:00Z","ends_at":"2026-12-20T00:00:00Z"}]}`
	decode(c.JSON(http.MethodPut, "/api/v1/processes/api-one/sessions", admin, sessions).Must(t, http.StatusOK), &p)
	if p.CurrentSession != "two" {
		t.Fatalf("current session %q, want two", p.CurrentSession)
	}
	overlapping := strings.Replace(sessions, `"starts_at":"2026-11-20T00:00:00Z"`, `"starts_at":"2026-11-19T00:00:00Z"`, 1)
	decode(c.JSON(http.MethodPut, "/api/v1/processes/api-one/sessions", admin, overlapping).Must(t, http.StatusUnprocessableEntity), &apiErr)
	if apiErr.Fields["sessions.1.starts_at"] == "" {
		t.Fatalf("want an overlap error: %+v", apiErr)
	}
	decode(c.JSON(http.MethodPost, "/api/v1/processes/api-one/current-session", admin, `{"session":"one"}`).Must(t, http.StatusOK), &p)
	if p.CurrentSession != "one" {
		t.Fatalf("override: %q", p.CurrentSession)
	}
	c.JSON(http.MethodPost, "/api/v1/processes/api-one/current-session", admin, `{"session":"nine"}`).Must(t, http.StatusUnprocessableEntity)

	var comp ComponentJSON
	c.JSON(http.MethodPost, "/api/v1/processes/api-one/components", admin, `{"module":"ghost"}`).Must(t, http.StatusUnprocessableEntity)
	decode(c.JSON(http.MethodPost, "/api/v1/processes/api-one/components", admin, `{"module":"example"}`).Must(t, http.StatusCreated), &comp)
	if comp.Key != "example" || comp.Title["fr"] != "Exemple" {
		t.Fatalf("component %+v", comp)
	}
	settings := fmt.Sprintf("/api/v1/processes/api-one/components/%d/settings", comp.ID)
	var st SettingsJSON
	decode(c.JSON(http.MethodGet, settings, admin, "").Must(t, http.StatusOK), &st)
	if st.Settings.Int("max_per_author") != 3 || len(st.SessionSettings) != 2 {
		t.Fatalf("defaults %+v", st)
	}
	before := stored(t, in, comp.ID)
	decode(c.JSON(http.MethodPut, settings, admin, `{"settings":{"max_per_author":19,"comments":"yes","colour":1},"session_settings":{"two":{"quota":9},"ten":{}}}`).Must(t, http.StatusUnprocessableEntity), &apiErr)
	for _, f := range []string{"settings.comments", "settings.colour", "session_settings.ten"} {
		if apiErr.Fields[f] == "" {
			t.Fatalf("want an error on %s: %+v", f, apiErr)
		}
	}
	decode(c.JSON(http.MethodPut, settings, admin, `{"settings":{"max_per_author":19},"session_settings":{"two":{"quota":9}}}`).Must(t, http.StatusUnprocessableEntity), &apiErr)
	if apiErr.Fields["settings.max_per_author"] != "Must be at most 18." || apiErr.Fields["session_settings.two.quota"] != "Must be at most 5." {
		t.Fatalf("range errors %+v", apiErr)
	}
	if stored(t, in, comp.ID) != before {
		t.Fatal("invalid settings changed the component")
	}
	decode(c.JSON(http.MethodPut, settings, admin, `{"settings":{"max_per_author":12,"comments":false},"session_settings":{"two":{"open":true}}}`).Must(t, http.StatusOK), &st)
	if st.Settings.Int("max_per_author") != 12 || st.Settings.Bool("comments") || st.Settings.String("order") != "random" || !st.SessionSettings["two"].Bool("open") {
		t.Fatalf("saved %+v", st)
	}
	c.JSON(http.MethodPut, settings, user, `{"settings":{}}`).Must(t, http.StatusNotFound)
	compURL := fmt.Sprintf("/api/v1/processes/api-one/components/%d", comp.ID)
	c.JSON(http.MethodPatch, compURL, admin, `{"title":{}}`).Must(t, http.StatusUnprocessableEntity)
	decode(c.JSON(http.MethodPatch, compURL, admin, `{"published":false}`).Must(t, http.StatusOK), &comp)
	if comp.Published || comp.Title["fr"] != "Exemple" {
		t.Fatalf("patched component %+v", comp)
	}

	decode(c.JSON(http.MethodPost, "/api/v1/processes/api-one/status", admin, `{"status":"published"}`).Must(t, http.StatusOK), &p)
	c.JSON(http.MethodGet, "/api/v1/processes/api-one", "", "").Must(t, http.StatusOK)
	c.JSON(http.MethodPatch, "/api/v1/processes/api-one", user, `{"title":{"en":"x"}}`).Must(t, http.StatusForbidden)
	c.JSON(http.MethodPost, "/api/v1/processes/api-one/status", admin, `{"status":"gone"}`).Must(t, http.StatusUnprocessableEntity)
	if n := count(t, in, "audit_log", "action LIKE ? OR action LIKE ?", "process.%", "component.%"); n < 8 {
		t.Fatalf("%d audit entries, want one per successful admin action", n)
	}
}

func stored(t *testing.T, in *apptest.Instance, id int64) string {
	t.Helper()
	var rows []map[string]any
	in.App.DB.Table("components").Select("settings, session_settings").Where("id = ?", id).Find(&rows)
	b, _ := json.Marshal(rows)
	return string(b)
}
