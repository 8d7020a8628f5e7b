// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/budgets"
	"github.com/polder-civic/polder/modules/proposals"
	"github.com/polder-civic/polder/spaces/process"
)

// env is a running instance with the fixture process and its budgets
// (and proposals) components.
type env struct {
	t    testing.TB
	in   *apptest.Instance
	fx   *instancetest.Fixture
	comp *registry.Component
	base string
	mod  *budgets.Module
	api  string
}

func options(mod *budgets.Module) app.Options {
	return app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: []registry.Module{proposals.New(), mod}}
}

func newEnv(t testing.TB) *env {
	t.Helper()
	mod := budgets.New()
	in := apptest.New(t, options(mod))
	fx := instancetest.NewFixture(t, in)
	base := fx.ComponentURL(budgets.ID)
	return &env{t: t, in: in, fx: fx, comp: fx.Components[budgets.ID], base: base, mod: mod, api: "/api/v1" + base}
}

func (e *env) svc() *budgets.Service { return e.mod.Service() }

func (e *env) space() *registry.Space {
	res, _ := e.in.App.Space(process.SpaceType)
	sp, err := res.ByID(context.Background(), e.fx.Process.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return sp
}

// user is a signed-in client.
type user struct {
	acc  *accounts.Account
	c    *apptest.Client
	csrf string
}

var userSeq atomic.Int64

func (e *env) user(name string, admin bool) *user {
	e.t.Helper()
	n := userSeq.Add(1)
	email := fmt.Sprintf("%s%d@example.org", name, n)
	now := time.Now().UTC()
	acc := &accounts.Account{OrganisationID: e.in.Org.ID, Email: &email, Name: name, Nickname: fmt.Sprintf("%s%d", name, n),
		Kind: accounts.KindPerson, OrgAdmin: admin, ConfirmedAt: &now}
	if err := e.in.App.DB.Create(acc).Error; err != nil {
		e.t.Fatalf("creating account: %v", err)
	}
	c := e.in.Client()
	csrf := instancetest.Session(e.t, e.in, c, acc.ID)
	return &user{acc: acc, c: c, csrf: csrf}
}

func (u *user) post(path string, form url.Values) *apptest.Response {
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", u.csrf)
	return u.c.PostRaw(path, form)
}

// json sends a JSON API call from the user's session.
func (e *env) json(u *user, method, path, body string) *apptest.Response {
	return instancetest.JSON(e.t, e.in, u.c, method, e.api+path, u.csrf, "", body)
}

// budget creates a budget with projects of the given costs through the
// admin API and opens it; it returns the budget and the project ids.
func (e *env) budget(admin *user, spec string, costs ...int64) (*budgets.Budget, []int64) {
	e.t.Helper()
	r := e.json(admin, "POST", "/budgets", spec).Must(e.t, 201)
	var b budgets.Budget
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for i, c := range costs {
		r := e.json(admin, "POST", "/budgets/"+itoa(b.ID)+"/projects", fmt.Sprintf(`{"title":"Project %c","cost":%d}`, 'A'+i, c)).Must(e.t, 201)
		var p budgets.Project
		if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	e.json(admin, "POST", "/budgets/"+itoa(b.ID)+"/state", `{"state":"open"}`).Must(e.t, 200)
	b.State = budgets.StateOpen
	return &b, ids
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// count returns the number of rows matching a query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int64
	if err := e.in.App.DB.Raw(query, args...).Scan(&n).Error; err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return int(n)
}
