// SPDX-License-Identifier: AGPL-3.0-or-later

package instancetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// Param is the value an attempt puts in a path parameter. Owned marks an
// object that belongs to the owner account (a proposal, a comment, an
// API token), as opposed to a shared one (a budget, a theme): a route
// holding an owned object is what "another user's session" attacks.
type Param struct {
	Value string
	Owned bool
}

// Params maps a path parameter to its value. Keys, most specific first:
// "METHOD PATH :param" for one route, "SCOPE :param" for the routes of a
// scope (web.Route.Scope: "org", "process", "component:proposals"), or
// ":param" for every route. :space and :component are the fixture's.
type Params map[string]Param

func (p Params) lookup(rt web.Route, name string) (Param, bool) {
	for _, k := range []string{rt.Method + " " + rt.Path + " :" + name, rt.Scope + " :" + name, ":" + name} {
		if v, ok := p[k]; ok {
			return v, true
		}
	}
	return Param{}, false
}

// AttemptSetup is what a binary's attempt matrix knows about its modules.
type AttemptSetup struct {
	// Objects creates, in the fixture space, content owned by owner (a
	// participant other than the attacker) and the shared objects it
	// needs (admin is an organisation admin), and names them for the
	// path parameters of the routes. A route whose parameter no entry
	// names fails the matrix: it must be given an object to attack.
	Objects func(t testing.TB, in *apptest.Instance, fx *Fixture, owner, admin *User) Params
	// OthersAllowed lists the routes ("METHOD PATH") through which a
	// participant legitimately acts on another's object (supports it,
	// comments on it, reports it), each with the reason. Every other
	// route that holds an owned object must refuse another participant.
	OthersAllowed map[string]string
	// Bodies are the form fields (pages) or JSON (API, in the "json"
	// key) of the other-user attempt, per route ("METHOD PATH"): a valid
	// body, so that the refusal comes from the ownership check and not
	// from validating an empty form.
	Bodies map[string]url.Values
	// Except adds tables that legitimately record a refused attempt, with
	// the reason, to CoreAttemptTables.
	Except map[string]string
}

// CoreAttemptTables are core's tables that a request refused by the
// matrix may write, and why. Every other table must be unchanged, row for
// row, after each attempt. (The rate-limit tests add the limiters'
// counters, which count refused attempts by design: see RateLimitTables.)
var CoreAttemptTables = map[string]string{
	// scs stores the server-side session on every request that touches
	// it: a refused request may create a visitor's session (the error
	// page's CSRF token, the remembered locale). It holds no content.
	"sessions": "server-side sessions: a refused request may start or touch one",
}

// RateLimitTables are the tables that record an attempt refused over a
// rate limit, and why.
var RateLimitTables = map[string]string{
	// The limiters (login failures, password reset, no-JavaScript
	// proof-of-work fallback, verification failures) count attempts: that
	// is how they refuse the next one.
	"login_attempts": "rate-limit counters count attempts by design",
	// The burst counter counts every post of a form guarded by proof of
	// work, refused or not, for the admins' view of suspicious bursts.
	"pow_bursts": "burst counter of guarded forms counts every post by design",
}

// attempt is one column of the matrix.
type attempt struct {
	name string
	// applies tells whether the attempt concerns a route, and why not.
	applies func(rt web.Route) (bool, string)
	// send makes the request.
	send func(rt web.Route, path string) *apptest.Response
	// refused checks the answer; it returns what was wrong, or "".
	refused func(rt web.Route, r *apptest.Response) string
}

func randomToken(tb testing.TB) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// stateChanging reports whether a route may change state.
func stateChanging(rt web.Route) bool {
	switch rt.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// request builds a route's request: a form (pages) or JSON (API), with
// the CSRF token where given (form field or header).
func request(tb testing.TB, in *apptest.Instance, rt web.Route, path, csrf string, body url.Values) *http.Request {
	var req *http.Request
	var err error
	if rt.API {
		js := "{}"
		if body != nil && body.Get("json") != "" {
			js = body.Get("json")
		}
		req, err = http.NewRequest(rt.Method, in.URL+path, strings.NewReader(js))
		if err == nil {
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Content-Type", "application/json")
			if csrf != "" {
				req.Header.Set("X-CSRF-Token", csrf)
			}
		}
	} else {
		form := url.Values{}
		for k, v := range body {
			form[k] = v
		}
		if csrf != "" {
			form.Set("_csrf", csrf)
		}
		req, err = http.NewRequest(rt.Method, in.URL+path, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		tb.Fatalf("%s %s: %v", rt.Method, path, err)
	}
	return req
}

// FillPath substitutes a route's path parameters: the fixture's space and
// the route's component, and the named objects of params. owned tells
// whether one of them belongs to a participant; missing lists the
// parameters params does not name (filled with "1").
func FillPath(rt web.Route, fx *Fixture, params Params) (path string, owned bool, missing []string) {
	path = paramRe.ReplaceAllStringFunc(rt.Path, func(m string) string {
		name := m[1:]
		switch name {
		case "space":
			return fx.Process.Slug
		case "component":
			mod := strings.TrimPrefix(rt.Scope, "component:")
			if comp := fx.Components[mod]; comp != nil {
				return fmt.Sprint(comp.ID)
			}
		}
		p, ok := params.lookup(rt, name)
		if !ok {
			missing = append(missing, m)
			return "1"
		}
		owned = owned || p.Owned
		return url.PathEscape(p.Value)
	})
	return path, owned, missing
}

// StateChanging lists an instance's routes that may change state (POST,
// PUT, PATCH, DELETE), in a stable order.
func StateChanging(in *apptest.Instance) []web.Route {
	var routes []web.Route
	for _, rt := range in.App.Server.Routes.All() {
		if stateChanging(rt) {
			routes = append(routes, rt)
		}
	}
	sort.SliceStable(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
	return routes
}

// AttemptMatrix assembles an instance from opts and sends every
// state-changing route (POST, PUT, PATCH, DELETE; pages and API) the
// attempts an attacker would make:
//
//   - no session: a client without cookies (a cross-site form, a
//     script): refused (401/403);
//   - not signed in: a visitor's session with its valid CSRF token, on
//     every route that needs an account: sent to log in (401/303);
//   - another user's session: a signed-in participant, with its valid
//     CSRF token, on routes it lacks the permission for (403), and on
//     routes that hold an object another participant owns (403/404),
//     but for those setup.OthersAllowed lists;
//   - forged CSRF token: an organisation admin's session (which passes
//     every guard) with a random token: 403;
//   - replayed CSRF token: the admin's session with the valid token of
//     another session: 403;
//   - revoked API token: the admin's personal access token after its
//     revocation, on every API route (bearer requests skip CSRF): 401/403.
//
// After each attempt every table of the database (listed from the
// catalog) must hold the same rows as before, but the tables that record
// attempts by design (CoreAttemptTables, setup.Except). Routes are read
// from the server's route table: a new route joins the matrix by itself.
// One-time tokens used twice and rate limits are flows, not routes: see
// the binary's own tests.
func AttemptMatrix(t *testing.T, opts app.Options, setup AttemptSetup) {
	in := apptest.New(t, opts)
	fx := NewFixture(t, in)
	admin := NewUser(t, in, "admin", true)
	owner := NewUser(t, in, "owner", false)
	other := NewUser(t, in, "other", false)
	params := Params{}
	if setup.Objects != nil {
		params = setup.Objects(t, in, fx, owner, admin)
	}
	except := map[string]string{}
	for k, v := range CoreAttemptTables {
		except[k] = v
	}
	for k, v := range setup.Except {
		except[k] = v
	}

	routes := StateChanging(in)
	if len(routes) < 10 {
		t.Fatalf("only %d state-changing routes", len(routes))
	}

	fill := func(rt web.Route) (string, bool, []string) { return FillPath(rt, fx, params) }

	visitor := in.Client()
	visitorCSRF := Session(t, in, visitor, 0)
	// The roles as the route × role table reckons them.
	both := []registry.Role{registry.RoleParticipant, registry.RoleVisitor}
	participant := role{name: "participant", holds: both, inOrg: both, accountID: other.Acc.ID}
	visitorRole := role{name: "visitor", holds: []registry.Role{registry.RoleVisitor}, inOrg: []registry.Role{registry.RoleVisitor}}
	csrfMsg := in.App.Bundle.T("en", "error.csrf", nil)
	isCSRFRefusal := func(r *apptest.Response) bool {
		return r.Status == http.StatusForbidden && strings.Contains(r.Body, csrfMsg)
	}
	key := func(rt web.Route) string { return rt.Method + " " + rt.Path }
	usedAllowed, ownedTried := map[string]bool{}, map[string]bool{}

	// A personal access token of the admin, revoked: bearer requests
	// skip the CSRF check, so the token itself must be refused.
	tok, revoked, err := in.App.Accounts.CreateAPIToken(context.Background(), admin.Acc.ID, "revoked")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.App.Accounts.RevokeAPIToken(context.Background(), admin.Acc.ID, tok.ID); err != nil {
		t.Fatal(err)
	}

	attempts := []attempt{
		{
			name:    "no session",
			applies: func(web.Route) (bool, string) { return true, "" },
			send: func(rt web.Route, path string) *apptest.Response {
				return in.Client().Do(request(t, in, rt, path, "", nil))
			},
			refused: func(rt web.Route, r *apptest.Response) string {
				if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
					return ""
				}
				return "want 401 or 403"
			},
		},
		{
			name: "not signed in",
			applies: func(rt web.Route) (bool, string) {
				if expect(rt, visitorRole, in.App.Registry) != login {
					return false, "open to visitors"
				}
				return true, ""
			},
			send: func(rt web.Route, path string) *apptest.Response {
				return visitor.Do(request(t, in, rt, path, visitorCSRF, nil))
			},
			refused: func(rt web.Route, r *apptest.Response) string {
				if classify(in, r) == login {
					return ""
				}
				return "want login required (401, or 303 to /login)"
			},
		},
		{
			name: "another user's session",
			applies: func(rt web.Route) (bool, string) {
				if expect(rt, participant, in.App.Registry) == forbidden {
					return true, ""
				}
				_, owned, _ := fill(rt)
				if !owned {
					return false, "a participant may, and the path holds no one's own object"
				}
				if why, ok := setup.OthersAllowed[key(rt)]; ok {
					usedAllowed[key(rt)] = true
					return false, why
				}
				ownedTried[key(rt)] = true
				return true, ""
			},
			send: func(rt web.Route, path string) *apptest.Response {
				return other.Client.Do(request(t, in, rt, path, other.CSRF, setup.Bodies[key(rt)]))
			},
			refused: func(rt web.Route, r *apptest.Response) string {
				if expect(rt, participant, in.App.Registry) == forbidden {
					if classify(in, r) == forbidden {
						return ""
					}
					return "want forbidden (403)"
				}
				if r.Status == http.StatusForbidden || r.Status == http.StatusNotFound {
					return ""
				}
				return "want 403 or 404 for another participant's object"
			},
		},
		{
			name: "revoked API token",
			applies: func(rt web.Route) (bool, string) {
				if !rt.API {
					return false, "a page: no bearer token"
				}
				return true, ""
			},
			send: func(rt web.Route, path string) *apptest.Response {
				return in.Client().JSON(rt.Method, path, revoked, "{}")
			},
			refused: func(rt web.Route, r *apptest.Response) string {
				if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
					return ""
				}
				return "want 401 or 403"
			},
		},
		{
			name:    "forged CSRF token",
			applies: func(web.Route) (bool, string) { return true, "" },
			send: func(rt web.Route, path string) *apptest.Response {
				return admin.Client.Do(request(t, in, rt, path, randomToken(t), nil))
			},
			refused: func(rt web.Route, r *apptest.Response) string {
				if isCSRFRefusal(r) {
					return ""
				}
				return "want 403 bad CSRF token"
			},
		},
		{
			name:    "CSRF token of another session",
			applies: func(web.Route) (bool, string) { return true, "" },
			send: func(rt web.Route, path string) *apptest.Response {
				return admin.Client.Do(request(t, in, rt, path, other.CSRF, nil))
			},
			refused: func(rt web.Route, r *apptest.Response) string {
				if isCSRFRefusal(r) {
					return ""
				}
				return "want 403 bad CSRF token"
			},
		},
	}

	for _, rt := range routes {
		if _, _, missing := fill(rt); len(missing) > 0 {
			t.Errorf("%s %s: no object for %v; name one in the setup's Objects", rt.Method, rt.Path, missing)
		}
	}
	before := TakeSnapshot(t, in.App.DB, except)
	t.Logf("%d state-changing routes; %d tables watched, %d excepted", len(routes), len(before), len(except))
	sent, skipped := map[string]int{}, map[string]int{}
	for _, a := range attempts {
		for _, rt := range routes {
			if ok, _ := a.applies(rt); !ok {
				skipped[a.name]++
				continue
			}
			path, _, _ := fill(rt)
			r := a.send(rt, path)
			sent[a.name]++
			if r.Status >= 500 {
				t.Errorf("%s: %s %s: status %d\n%s", a.name, rt.Method, path, r.Status, apptest.Snippet(r.Body))
			}
			if why := a.refused(rt, r); why != "" {
				t.Errorf("%s: %s %s (need %v %q): status %d (location %q), %s\n%s", a.name, rt.Method, path, rt.Need.Kind, rt.Need.Permission,
					r.Status, r.Location, why, apptest.Snippet(r.Body))
			}
			after := TakeSnapshot(t, in.App.DB, except)
			if d := before.Diff(after); d != "" {
				t.Errorf("%s: %s %s wrote: %s", a.name, rt.Method, path, d)
				before = after
			}
		}
	}
	t.Logf("attempts sent: %v; not applicable: %v", sent, skipped)
	t.Logf("another participant's objects attacked through %d routes: %v", len(ownedTried), slices.Sorted(maps.Keys(ownedTried)))
	for k := range setup.OthersAllowed {
		if !usedAllowed[k] {
			t.Errorf("OthersAllowed names %s, which is no state-changing route holding an owned object", k)
		}
	}
	// A vacuous matrix fails: every attempt must have been made.
	for _, a := range attempts {
		if sent[a.name] == 0 {
			t.Errorf("attempt %q was never made", a.name)
		}
	}
}
