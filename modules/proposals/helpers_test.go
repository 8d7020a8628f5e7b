// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/proposals"
	"github.com/polder-civic/polder/spaces/process"
)

// env is a running instance with the fixture process (themes mobility
// and housing; sessions first, second (current), third) and its proposals
// component.
type env struct {
	t    testing.TB
	in   *apptest.Instance
	fx   *instancetest.Fixture
	comp *registry.Component
	base string
	mod  *proposals.Module
}

func newEnv(t testing.TB) *env {
	t.Helper()
	mod := proposals.New()
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: []registry.Module{mod}})
	fx := instancetest.NewFixture(t, in)
	return &env{t: t, in: in, fx: fx, comp: fx.Components[proposals.ID], base: fx.ComponentURL(proposals.ID), mod: mod}
}

// set changes component settings (global and, for the current session,
// per-session), failing the test on invalid values.
func (e *env) set(global map[string]any, current map[string]any) {
	e.t.Helper()
	ps := map[int64]map[string]any{}
	if current != nil {
		ps[e.session("second").ID] = current
	}
	errs, err := e.in.App.Components.SetValues(context.Background(), e.comp, global, ps)
	if err != nil || len(errs) > 0 {
		e.t.Fatalf("settings: %v %v", err, errs)
	}
}

func (e *env) theme(key string) registry.Theme {
	for _, th := range e.fx.Process.Space().Themes {
		if th.Key == key {
			return th
		}
	}
	e.t.Fatalf("no theme %s", key)
	return registry.Theme{}
}

func (e *env) session(key string) registry.Session {
	sp := e.space()
	for _, se := range sp.Sessions {
		if se.Key == key {
			return se
		}
	}
	e.t.Fatalf("no session %s", key)
	return registry.Session{}
}

func (e *env) space() *registry.Space {
	res, _ := e.in.App.Space(process.SpaceType)
	sp, err := res.ByID(context.Background(), e.fx.Process.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return sp
}

// user is a signed-in participant's client.
type user = instancetest.User

func (e *env) user(name string, admin bool) *user {
	e.t.Helper()
	return instancetest.NewUser(e.t, e.in, name, admin)
}

// file posts the filing form.
func (e *env) file(u *user, themeKey, title, body string) *apptest.Response {
	return u.Post(e.base+"/proposals", url.Values{"theme_id": {strconv.FormatInt(e.theme(themeKey).ID, 10)}, "title": {title}, "body": {body}})
}

var proposalURL = regexp.MustCompile(`/proposals/(\d+)$`)

// filed files a proposal that must be accepted and returns its id.
func (e *env) filed(u *user, themeKey, title, body string) int64 {
	e.t.Helper()
	r := e.file(u, themeKey, title, body)
	if r.Status != 303 {
		e.t.Fatalf("filing: status %d\n%s", r.Status, apptest.Snippet(r.Body))
	}
	m := proposalURL.FindStringSubmatch(r.Location)
	if m == nil {
		e.t.Fatalf("filing redirected to %q", r.Location)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// count returns the number of rows matching a query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int64
	if err := e.in.App.DB.Raw(query, args...).Scan(&n).Error; err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return int(n)
}

// newOtherProcess creates a second process with its own theme and session.
func newOtherProcess(t testing.TB, e *env) *registry.Space {
	t.Helper()
	ctx := context.Background()
	svc := process.NewService(e.in.App.DB)
	p := &process.Process{Slug: "other", Title: i18n.Text{"en": "Other"}, Status: registry.StatusPublished}
	if err := svc.Create(ctx, e.in.Org.ID, p); err != nil {
		t.Fatal(err)
	}
	if err := svc.SaveThemes(ctx, p, []process.Theme{{Key: "water", Title: i18n.Text{"en": "Water"}}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := svc.SaveSessions(ctx, p, []process.Session{{Key: "only", Title: i18n.Text{"en": "Only"}, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	res, _ := e.in.App.Space(process.SpaceType)
	sp, err := res.ByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// dbURL is the test database's URL, for the command.
func (e *env) dbURL() string { return e.in.App.DB.URL }
