// SPDX-License-Identifier: AGPL-3.0-or-later

package instancetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// role is one column of the route × role table.
type role struct {
	name string
	// holds lists the roles the account holds in the fixture space;
	// inOrg those it holds organisation-wide.
	holds, inOrg []registry.Role
	accountID    int64
}

// outcome is what a request may get past the route's guard.
type outcome string

const (
	allowed   outcome = "allowed"
	forbidden outcome = "forbidden (403)"
	login     outcome = "login required (303 to /login, or 401)"
)

// expect derives, independently of the enforcer, what a route's Need
// gives a role: organisation admins may do everything; space admins
// everything in their space but "org.admin"; core permissions go to
// their roles; module actions to their manifest's default roles.
func expect(rt web.Route, r role, reg *registry.Registry) outcome {
	deny := forbidden
	if r.accountID == 0 {
		deny = login
	}
	switch rt.Need.Kind {
	case web.Public:
		return allowed
	case web.LoggedIn:
		if r.accountID == 0 {
			return login
		}
		return allowed
	}
	held := r.inOrg
	if rt.Scope != "org" {
		held = append(slices.Clone(r.holds), r.inOrg...)
	}
	has := func(x registry.Role) bool { return slices.Contains(held, x) }
	perm := rt.Need.Permission
	switch {
	case has(registry.RoleOrgAdmin):
		return allowed
	case perm == "org.admin":
		return deny
	case has(registry.RoleSpaceAdmin):
		return allowed
	}
	core := map[string]registry.Role{"space.admin": registry.RoleSpaceAdmin, "space.moderate": registry.RoleModerator, "space.evaluate": registry.RoleEvaluator}
	if need, ok := core[perm]; ok {
		if has(need) {
			return allowed
		}
		return deny
	}
	mod, action, _ := strings.Cut(perm, ".")
	if man, ok := reg.Manifest(mod); ok {
		for _, a := range man.Actions {
			if a.Name != action {
				continue
			}
			for _, d := range a.DefaultRoles {
				if has(d) {
					return allowed
				}
			}
		}
	}
	return deny
}

var paramRe = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// fill substitutes path parameters: the fixture's space and the route's
// component, and "1" for the rest (ids and keys that the handlers look up
// only after the guard has decided, which is what this test watches).
func fill(rt web.Route, fx *Fixture) string {
	return paramRe.ReplaceAllStringFunc(rt.Path, func(m string) string {
		switch m[1:] {
		case "space":
			return fx.Process.Slug
		case "component":
			mod := strings.TrimPrefix(rt.Scope, "component:")
			if comp := fx.Components[mod]; comp != nil {
				return fmt.Sprint(comp.ID)
			}
		}
		return "1"
	})
}

// classify reads a response as the guard's decision. The guard answers
// with core's "login required" and "forbidden" messages; a handler's own
// 401 (wrong password) or 403 (bad CSRF token) says something else and
// counts as having passed the guard.
func classify(in *apptest.Instance, r *apptest.Response) outcome {
	switch {
	case r.Status == http.StatusSeeOther && strings.HasPrefix(r.Location, "/login"):
		return login
	case r.Status == http.StatusUnauthorized && strings.Contains(r.Body, in.App.Bundle.T("en", "error.login_required", nil)):
		return login
	case r.Status == http.StatusForbidden && strings.Contains(r.Body, in.App.Bundle.T("en", "error.forbidden", nil)):
		return forbidden
	}
	return allowed
}

// RouteRoleTable assembles an instance from opts, walks every route it
// registered as each role — visitor, participant, moderator, evaluator,
// space admin, organisation admin — and checks the guard's answer:
// allowed, forbidden (403), or sent to log in (303 to /login for a page
// GET, 401 for a form post or an API call), against what the route's need
// and the role's grants imply. Allowed requests must not fail with a 5xx.
// A binary's test suite calls it with the binary's space types and
// modules so that every new route joins the table.
func RouteRoleTable(t *testing.T, opts app.Options) {
	in := apptest.New(t, opts)
	fx := NewFixture(t, in)
	ctx := context.Background()
	en := in.App.Authz
	dom := fx.Domain()

	account := func(email string, orgAdmin bool) int64 {
		return in.CreateAccount(email, "correct horse battery", orgAdmin).ID
	}
	roles := []role{
		{name: "visitor", holds: []registry.Role{registry.RoleVisitor}, inOrg: []registry.Role{registry.RoleVisitor}},
		{name: "participant", holds: []registry.Role{registry.RoleParticipant}, inOrg: []registry.Role{registry.RoleParticipant, registry.RoleVisitor}, accountID: account("p@example.org", false)},
		{name: "moderator", holds: []registry.Role{registry.RoleModerator}, inOrg: []registry.Role{registry.RoleParticipant, registry.RoleVisitor}, accountID: account("m@example.org", false)},
		{name: "evaluator", holds: []registry.Role{registry.RoleEvaluator}, inOrg: []registry.Role{registry.RoleParticipant, registry.RoleVisitor}, accountID: account("e@example.org", false)},
		{name: "space admin", holds: []registry.Role{registry.RoleSpaceAdmin}, inOrg: []registry.Role{registry.RoleParticipant, registry.RoleVisitor}, accountID: account("s@example.org", false)},
		{name: "org admin", inOrg: []registry.Role{registry.RoleOrgAdmin, registry.RoleParticipant, registry.RoleVisitor}, accountID: account("o@example.org", true)},
	}
	for _, g := range []struct {
		r  registry.Role
		id int64
	}{{registry.RoleModerator, roles[2].accountID}, {registry.RoleEvaluator, roles[3].accountID}, {registry.RoleSpaceAdmin, roles[4].accountID}} {
		if err := en.Grant(ctx, g.id, g.r, dom); err != nil {
			t.Fatal(err)
		}
	}
	for i := range roles {
		if i > 0 {
			roles[i].holds = append(roles[i].holds, registry.RoleParticipant, registry.RoleVisitor)
		}
	}

	routes := in.App.Server.Routes.All()
	// Send requests that change nothing first, and the admins' last, so
	// that an admin action the handler accepts cannot change what the
	// other roles see.
	sort.SliceStable(routes, func(i, j int) bool { return routes[i].Method == http.MethodGet && routes[j].Method != http.MethodGet })
	seen := map[string]int{}
	// One session per role, renewed after each request that may change
	// state (it may have logged the role out); requests that cannot run
	// for all roles at once.
	type session struct {
		c    *apptest.Client
		csrf string
	}
	sessions := make([]session, len(roles))
	renew := func() {
		for i, r := range roles {
			c := in.Client()
			sessions[i] = session{c: c, csrf: Session(t, in, c, r.accountID)}
		}
	}
	renew()
	send := func(rt web.Route, path string, s session) *apptest.Response {
		switch {
		case rt.API:
			body := ""
			if rt.Method != http.MethodGet && rt.Method != http.MethodHead {
				body = "{}"
			}
			return JSON(t, in, s.c, rt.Method, path, s.csrf, "", body)
		case rt.Method == http.MethodGet:
			return s.c.Get(path)
		default:
			req, _ := http.NewRequest(rt.Method, in.URL+path, strings.NewReader(url.Values{"_csrf": {s.csrf}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return s.c.Do(req)
		}
	}
	for _, rt := range routes {
		path := fill(rt, fx)
		safe := rt.Method == http.MethodGet || rt.Method == http.MethodHead
		resps := make([]*apptest.Response, len(roles))
		if safe {
			var wg sync.WaitGroup
			for i := range roles {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resps[i] = send(rt, path, sessions[i])
				}()
			}
			wg.Wait()
		} else {
			for i := range roles {
				resps[i] = send(rt, path, sessions[i])
			}
		}
		for i, r := range roles {
			want, resp := expect(rt, r, in.App.Registry), resps[i]
			got := classify(in, resp)
			if got != want {
				t.Errorf("%s %s (need %v %q, scope %s) as %s: got %s (status %d, location %q), want %s\n%s",
					rt.Method, rt.Path, rt.Need.Kind, rt.Need.Permission, rt.Scope, r.name, got, resp.Status, resp.Location, want, apptest.Snippet(resp.Body))
			}
			// A page GET sent to log in names the page to come back to.
			if want == login && !rt.API && rt.Method == http.MethodGet && !strings.HasPrefix(resp.Location, "/login?next=") {
				t.Errorf("%s %s as visitor: login redirect %q lacks next", rt.Method, rt.Path, resp.Location)
			}
			if resp.Status >= 500 {
				t.Errorf("%s %s as %s: status %d (handlers answer bad input with 4xx)\n%s", rt.Method, path, r.name, resp.Status, apptest.Snippet(resp.Body))
			}
			seen[string(got)]++
		}
		if safe {
			continue
		}
		// Put the fixture back if an admin's request closed or unpublished
		// it, so the next route is tested on a published space with the
		// default permissions.
		in.App.DB.Exec("UPDATE processes SET status = 'published' WHERE id = ?", fx.Process.ID)
		in.App.DB.Exec("UPDATE components SET published = TRUE WHERE space_id = ?", fx.Process.ID)
		// An admin's empty permissions form withdraws every action: go
		// back to the defaults.
		in.App.DB.Exec("DELETE FROM casbin_rule WHERE ptype IN ('p', 'p2')")
		if err := en.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		renew()
	}
	t.Logf("%d routes × %d roles: %v", len(routes), len(roles), seen)
	// The table must exercise each outcome, the example module's routes
	// and core's admin routes: an empty or vacuous walk fails.
	for _, o := range []outcome{allowed, forbidden, login} {
		if seen[string(o)] == 0 {
			t.Errorf("no request was %s", o)
		}
	}
	if !slices.ContainsFunc(routes, func(rt web.Route) bool { return strings.HasPrefix(rt.Scope, "component:") && rt.API }) {
		t.Error("no module API route was walked")
	}
	for _, p := range []string{"/admin/roles", "/admin/audit", "/api/v1/openapi.json"} {
		if !slices.ContainsFunc(routes, func(rt web.Route) bool { return rt.Path == p }) {
			t.Errorf("route %s was not walked", p)
		}
	}
}

// OpenAPIMatchesRoutes assembles an instance from opts and fails when an
// echo route under /api/v1 is missing from the served OpenAPI document, or
// the document names a route echo does not serve.
func OpenAPIMatchesRoutes(t *testing.T, opts app.Options) {
	in := apptest.New(t, opts)
	r := in.Client().Get(web.OpenAPIPath).Must(t, http.StatusOK)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range in.App.Server.Echo.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Method == echo.RouteNotFound {
			continue
		}
		served[rt.Method+" "+web.OpenAPIPathOf(rt.Path)] = true
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("%s is served but not documented", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("%s is documented but not served", k)
		}
	}
	if len(served) < 10 {
		t.Errorf("only %d API routes served", len(served))
	}
}
