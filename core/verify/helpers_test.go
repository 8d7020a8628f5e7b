// SPDX-License-Identifier: AGPL-3.0-or-later

package verify_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// probeModule has one action participants may take, for requirements.
type probeModule struct{}

func (probeModule) Manifest() registry.Manifest {
	return registry.Manifest{ID: "probe", Version: "1.0.0", Actions: []registry.Action{
		{Name: "act", DefaultRoles: []registry.Role{registry.RoleParticipant}},
	}}
}

const password = "correct horse battery"

type fixture struct {
	in    *apptest.Instance
	admin *apptest.Client
}

// newFixture runs an instance with the probe module, a route guarded by
// its action, and a logged-in organisation admin.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	in := apptest.New(t, app.Options{Modules: []registry.Module{probeModule{}}})
	in.App.Server.Root().Page(http.MethodGet, "/probe-act", web.NeedPermission("probe.act"), func(c echo.Context) error {
		return c.String(http.StatusOK, "acted")
	})
	in.CreateAccount("admin@example.org", password, true)
	admin := in.Client()
	admin.Login("admin@example.org", password)
	return &fixture{in: in, admin: admin}
}

// participant creates a confirmed account and a logged-in client.
func (f *fixture) participant(t *testing.T, email string) (*accounts.Account, *apptest.Client) {
	t.Helper()
	acc := f.in.CreateAccount(email, password, false)
	c := f.in.Client()
	c.Login(email, password)
	return acc, c
}

// enable turns a method on through the admin page.
func (f *fixture) enable(t *testing.T, kind, config string) {
	t.Helper()
	f.admin.PostForm("/admin/verify/"+kind, url.Values{"enabled": {"1"}, "valid_days": {"30"}, "config": {config}}).Must(t, http.StatusSeeOther)
}

// scanDB fails the test if any row of any table holds one of the values.
func scanDB(t *testing.T, in *apptest.Instance, values ...string) {
	t.Helper()
	tables, err := in.App.DB.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables found: %v", len(tables), tables)
	}
	rows := 0
	for _, tb := range tables {
		var recs []map[string]any
		if err := in.App.DB.Table(tb).Find(&recs).Error; err != nil {
			t.Fatalf("reading %s: %v", tb, err)
		}
		for _, r := range recs {
			rows++
			for col, v := range r {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				for _, want := range values {
					if strings.Contains(strings.ToUpper(s), strings.ToUpper(want)) {
						t.Errorf("table %s column %s holds %q", tb, col, want)
					}
				}
			}
		}
	}
	if rows == 0 {
		t.Fatal("no rows scanned")
	}
}

var censusSecret = regexp.MustCompile(`id="census-secret" type="text" readonly value="([0-9a-f]{64})"`)

// apiToken makes a personal access token for an account.
func apiToken(t *testing.T, f *fixture, accountID int64) string {
	t.Helper()
	_, secret, err := f.in.App.Accounts.CreateAPIToken(t.Context(), accountID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}
