// SPDX-License-Identifier: AGPL-3.0-or-later

package instancetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/authz"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/internal/examplemodule/notes"
	"github.com/polder-civic/polder/internal/instancetest"
)

// TestRoleAndPermissionPages drives the role, permission and audit pages
// and their API as the admins who use them.
func TestRoleAndPermissionPages(t *testing.T) {
	ctx := context.Background()
	in := apptest.New(t, options())
	fx := instancetest.NewFixture(t, in)
	en := in.App.Authz
	orgAdmin := in.CreateAccount("o@example.org", "correct horse battery", true)
	spaceAdmin := in.CreateAccount("s@example.org", "correct horse battery", false)
	ada := in.CreateAccount("ada@example.org", "correct horse battery", false)
	if err := en.Grant(ctx, spaceAdmin.ID, registry.RoleSpaceAdmin, fx.Domain()); err != nil {
		t.Fatal(err)
	}
	can := func(acc int64, perm string) bool {
		a, err := in.App.Accounts.Get(ctx, in.Org.ID, acc)
		if err != nil {
			t.Fatal(err)
		}
		ok, err := en.Can(ctx, a, in.Org.ID, fx.Domain(), perm)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	post := func(c *apptest.Client, csrf, path string, form url.Values) *apptest.Response {
		form.Set("_csrf", csrf)
		return c.PostRaw(path, form)
	}

	oc := in.Client()
	ocsrf := instancetest.Session(t, in, oc, orgAdmin.ID)
	sc := in.Client()
	scsrf := instancetest.Session(t, in, sc, spaceAdmin.ID)
	spaceRoles := "/admin/processes/" + fx.Process.Slug + "/roles"
	spacePerms := "/admin/processes/" + fx.Process.Slug + "/permissions"

	t.Run("Index", func(t *testing.T) {
		oc.Get("/admin").Must(t, http.StatusOK).Contains(t, `href="/admin/processes"`, `href="/admin/roles"`, `href="/admin/audit"`)
		oc.Get("/admin?locale=nl").Must(t, http.StatusOK).Contains(t, "Beheer", "Auditlogboek")
		oc.Get("/admin?locale=en")
		sc.Get("/admin").Must(t, http.StatusForbidden)
	})

	t.Run("OrgWideGrant", func(t *testing.T) {
		oc.Get("/admin/roles").Must(t, http.StatusOK).Contains(t, "Grant a role", "Fixture process", "o_example_org", "(account setting)")
		post(oc, ocsrf, "/admin/roles", url.Values{"email": {"ada@example.org"}, "role": {"moderator"}}).Must(t, http.StatusSeeOther)
		oc.Get("/admin/roles").Must(t, http.StatusOK).Contains(t, "The role is granted.", "ada_example_org", "Whole organisation")
		if !can(ada.ID, authz.PermSpaceModerate) {
			t.Fatal("an organisation-wide moderator does not moderate the space")
		}
		post(oc, ocsrf, "/admin/roles", url.Values{"email": {"nobody@example.org"}, "role": {"moderator"}}).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "No account with this e-mail address.", `aria-invalid="true"`)
		post(oc, ocsrf, "/admin/roles", url.Values{"email": {"ada@example.org"}, "role": {"participant"}}).Must(t, http.StatusUnprocessableEntity)
	})

	t.Run("SpaceGrantAndRevoke", func(t *testing.T) {
		sc.Get(spaceRoles).Must(t, http.StatusOK).Contains(t, "Roles in Fixture process", "s_example_org", "Whole organisation")
		post(sc, scsrf, spaceRoles, url.Values{"email": {"ada@example.org"}, "role": {"evaluator"}}).Must(t, http.StatusSeeOther)
		if !can(ada.ID, authz.PermSpaceEvaluate) {
			t.Fatal("granted evaluator cannot evaluate")
		}
		// A space admin grants no organisation role.
		post(sc, scsrf, spaceRoles, url.Values{"email": {"ada@example.org"}, "role": {"org_admin"}}).Must(t, http.StatusUnprocessableEntity)
		// Nor revokes one: the space page acts in the space only.
		post(sc, scsrf, spaceRoles+"/revoke", url.Values{"account_id": {fmt.Sprint(ada.ID)}, "role": {"moderator"}, "domain": {authz.OrgDomainOf(in.Org.ID)}}).
			Must(t, http.StatusNotFound)
		if !can(ada.ID, authz.PermSpaceModerate) {
			t.Fatal("a space admin revoked an organisation-wide grant")
		}
		post(sc, scsrf, spaceRoles+"/revoke", url.Values{"account_id": {fmt.Sprint(ada.ID)}, "role": {"evaluator"}}).Must(t, http.StatusSeeOther)
		if can(ada.ID, authz.PermSpaceEvaluate) {
			t.Fatal("revoked evaluator still evaluates")
		}
		// The organisation page revokes the organisation-wide grant.
		post(oc, ocsrf, "/admin/roles/revoke", url.Values{"account_id": {fmt.Sprint(ada.ID)}, "role": {"moderator"}, "domain": {authz.OrgDomainOf(in.Org.ID)}}).
			Must(t, http.StatusSeeOther)
		if can(ada.ID, authz.PermSpaceModerate) {
			t.Fatal("revoked moderator still moderates")
		}
	})

	t.Run("PermissionsPage", func(t *testing.T) {
		sc.Get(spacePerms).Must(t, http.StatusOK).Contains(t, "Pin a note", `name="roles.notes.create" value="participant" checked`)
		post(sc, scsrf, spacePerms, url.Values{"roles.notes.create": {"evaluator"}, "verification.notes.create": {"Bad Kind"}}).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "A verification kind is made of")
		form := url.Values{"roles.notes.create": {"participant"}, "verification.notes.create": {"census"}}
		for _, p := range en.Actions() {
			if p != notes.PermCreate {
				for _, r := range en.DefaultRoles(p) {
					form.Add("roles."+p, string(r))
				}
			}
		}
		post(sc, scsrf, spacePerms, form).Must(t, http.StatusSeeOther)
		if got := en.RequiredVerification(fx.Domain(), notes.PermCreate); got != "census" {
			t.Fatalf("verification %q, want census", got)
		}
		if can(ada.ID, notes.PermCreate) {
			t.Fatal("participant without census may pin")
		}
		if !can(ada.ID, "proposals.create") {
			t.Fatal("saving the form changed another action's defaults")
		}
		sc.Get(spacePerms).Must(t, http.StatusOK).Contains(t, `value="census"`)
	})

	t.Run("API", func(t *testing.T) {
		_, otok, err := in.App.Accounts.CreateAPIToken(ctx, orgAdmin.ID, "ops")
		if err != nil {
			t.Fatal(err)
		}
		_, stok, err := in.App.Accounts.CreateAPIToken(ctx, spaceAdmin.ID, "ops")
		if err != nil {
			t.Fatal(err)
		}
		c := in.Client()
		api := "/api/v1/processes/" + fx.Process.Slug
		c.JSON(http.MethodPost, api+"/roles", stok, `{"email":"ada@example.org","role":"moderator"}`).Must(t, http.StatusOK).Contains(t, `"role":"moderator"`)
		r := c.JSON(http.MethodGet, api+"/roles", stok, "").Must(t, http.StatusOK)
		var grants []web.GrantRow
		// The organisation admin (account setting), the space admin, ada.
		if err := json.Unmarshal([]byte(r.Body), &grants); err != nil || len(grants) != 3 || !grants[0].FromAccount {
			t.Fatalf("grants %v (%v)", grants, err)
		}
		c.JSON(http.MethodPut, api+"/permissions", stok, `{"permission":"notes.create","roles":["participant","visitor"],"verification":""}`).
			Must(t, http.StatusOK).Contains(t, `"roles":["participant","visitor"]`, `"verification":""`)
		c.JSON(http.MethodPut, api+"/permissions", stok, `{"permission":"notes.create","roles":["org_admin"]}`).Must(t, http.StatusUnprocessableEntity)
		c.JSON(http.MethodPut, api+"/permissions", stok, `{"permission":"space.admin","roles":[]}`).Must(t, http.StatusUnprocessableEntity)
		c.JSON(http.MethodGet, "/api/v1/admin/roles", stok, "").Must(t, http.StatusForbidden)
		c.JSON(http.MethodGet, "/api/v1/admin/roles", otok, "").Must(t, http.StatusOK).Contains(t, `"role":"space_admin"`, `"role":"moderator"`)
		c.JSON(http.MethodPost, "/api/v1/admin/roles/revoke", otok, fmt.Sprintf(`{"account_id":%d,"role":"moderator","domain":%q}`, ada.ID, fx.Domain())).
			Must(t, http.StatusOK)
		c.JSON(http.MethodPost, "/api/v1/admin/roles/revoke", otok, fmt.Sprintf(`{"account_id":%d,"role":"moderator","domain":%q}`, ada.ID, fx.Domain())).
			Must(t, http.StatusNotFound)
	})

	t.Run("AuditLog", func(t *testing.T) {
		for i := 0; i < 60; i++ {
			in.App.Audit.Record(ctx, web.AuditEntry{OrganisationID: in.Org.ID, Action: "test.filler", Details: "password=hunter2hunter2"})
		}
		first := oc.Get("/admin/audit").Must(t, http.StatusOK).Contains(t, "Audit log", "test.filler", "Page 1 of 2", `rel="next"`)
		if strings.Contains(first.Body, "hunter2") {
			t.Fatal("a password reached the audit page")
		}
		oc.Get("/admin/audit?page=2").Must(t, http.StatusOK).Contains(t, "Page 2 of 2", `rel="prev"`, "role.grant", "permission.verification")
		sc.Get("/admin/audit").Must(t, http.StatusForbidden)
		_, otok, err := in.App.Accounts.CreateAPIToken(ctx, orgAdmin.ID, "audit")
		if err != nil {
			t.Fatal(err)
		}
		r := in.Client().JSON(http.MethodGet, "/api/v1/admin/audit?page=2", otok, "").Must(t, http.StatusOK)
		var page struct {
			Entries []web.AuditRecord `json:"entries"`
			Total   int64             `json:"total"`
			Pages   int               `json:"pages"`
		}
		if err := json.Unmarshal([]byte(r.Body), &page); err != nil || page.Pages != 2 || page.Total < 60 || len(page.Entries) == 0 {
			t.Fatalf("audit API page: %+v (%v)", page, err)
		}
	})
}
