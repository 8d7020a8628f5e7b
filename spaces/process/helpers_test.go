// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"testing/fstest"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// testNow is the instance clock of the tests: inside the climate
// preset's second intersession.
var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// exampleModule is a tiny module registered only in these tests: it has a
// settings schema of every type, so the generated settings form and the
// preset's settings checks are exercised without any real module.
type exampleModule struct{}

func (exampleModule) Manifest() registry.Manifest {
	msgs := func(intro, maxPer, order, comments, open, quota, name string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("example.name: \"" + name + "\"\nexample.intro: \"" + intro + "\"\nexample.max_per_author: \"" + maxPer +
			"\"\nexample.order: \"" + order + "\"\nexample.comments: \"" + comments + "\"\nexample.open: \"" + open + "\"\nexample.quota: \"" + quota + "\"\n")}
	}
	return registry.Manifest{
		ID: "example", Version: "1.0.0", Name: "example.name",
		Settings: registry.Schema{
			{Key: "intro", Type: registry.Text, Default: "", Max: registry.IntPtr(200), Label: "example.intro"},
			{Key: "max_per_author", Type: registry.Int, Default: 3, Min: registry.IntPtr(1), Max: registry.IntPtr(18), Label: "example.max_per_author"},
			{Key: "order", Type: registry.Enum, Default: "random", Options: []string{"random", "recent"}, Label: "example.order"},
			{Key: "comments", Type: registry.Bool, Default: true, Label: "example.comments"},
		},
		SessionSettings: registry.Schema{
			{Key: "open", Type: registry.Bool, Default: false, Label: "example.open"},
			{Key: "quota", Type: registry.Int, Default: 1, Min: registry.IntPtr(0), Max: registry.IntPtr(5), Label: "example.quota"},
		},
		Messages: fstest.MapFS{
			"en.yaml": msgs("Introduction", "Proposals per author", "Order", "Comments allowed", "Open", "Quota", "Example"),
			"fr.yaml": msgs("Introduction", "Propositions par auteur", "Ordre", "Commentaires permis", "Ouvert", "Quota", "Exemple"),
			"nl.yaml": msgs("Inleiding", "Voorstellen per auteur", "Volgorde", "Reacties toegestaan", "Open", "Quotum", "Voorbeeld"),
		},
	}
}

// newInstance runs Polder with the process space type (on the test clock)
// and the example module, and a test-only login route so page tests do
// not depend on the accounts pages.
func newInstance(t *testing.T) *apptest.Instance {
	t.Helper()
	typ := &Type{Now: func() time.Time { return testNow }}
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{typ}, Modules: []registry.Module{exampleModule{}}})
	srv := in.App.Server
	srv.Root().Page(http.MethodPost, "/_test/login", web.NeedPublic, func(c echo.Context) error {
		acc, err := in.App.Accounts.ByEmail(c.Request().Context(), web.Org(c).ID, c.FormValue("email"))
		if err != nil {
			return err
		}
		if err := srv.Login(c, acc.ID); err != nil {
			return err
		}
		return web.Redirect(c, "/")
	})
	// The home page of a visitor has no form to read a CSRF token from.
	srv.Root().Page(http.MethodGet, "/_test/csrf", web.NeedPublic, func(c echo.Context) error {
		return c.HTML(http.StatusOK, `<input name="_csrf" value="`+srv.CSRFToken(c)+`">`)
	})
	return in
}

var csrfValue = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf returns a client's session CSRF token.
func csrf(t *testing.T, c *apptest.Client) string {
	t.Helper()
	m := csrfValue.FindStringSubmatch(c.Get("/_test/csrf").Must(t, http.StatusOK).Body)
	if m == nil {
		t.Fatal("no CSRF token")
	}
	return m[1]
}

// loginAs returns a client logged in as a new account.
func loginAs(t *testing.T, in *apptest.Instance, email string, orgAdmin bool) *apptest.Client {
	t.Helper()
	in.CreateAccount(email, "a-long-password-1", orgAdmin)
	c := in.Client()
	c.PostForm("/_test/login", url.Values{"email": {email}, "_csrf": {csrf(t, c)}}).Must(t, http.StatusSeeOther)
	return c
}

// count returns the number of rows of a table matching a condition.
func count(t *testing.T, in *apptest.Instance, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := in.App.DB.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}
