// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

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
type user = instancetest.User

func (e *env) user(name string, admin bool) *user {
	e.t.Helper()
	return instancetest.NewUser(e.t, e.in, name, admin)
}

// json sends a JSON API call from the user's session.
func (e *env) json(u *user, method, path, body string) *apptest.Response {
	return instancetest.JSON(e.t, e.in, u.Client, method, e.api+path, u.CSRF, "", body)
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
