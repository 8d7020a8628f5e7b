// SPDX-License-Identifier: AGPL-3.0-or-later

package notes_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/examplemodule/notes"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/spaces/process"
)

// TestOutsideModule proves that a module written against core's public
// API alone registers, migrates, renders in three languages and is
// permission-checked, with no change to core.
func TestOutsideModule(t *testing.T) {
	ctx := context.Background()
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: []registry.Module{notes.New()}})
	fx := instancetest.NewFixture(t, in)
	page := fx.ComponentURL(notes.ID)
	api := "/api/v1" + page + "/notes"

	t.Run("Registers", func(t *testing.T) {
		if _, ok := in.App.Registry.Module(notes.ID); !ok {
			t.Fatal("notes is not registered")
		}
		for _, m := range in.App.Bundle.Missing() {
			if strings.HasPrefix(m, "modules/notes") {
				t.Errorf("missing translation %s", m)
			}
		}
	})
	t.Run("Migrates", func(t *testing.T) {
		if !in.App.DB.Migrator().HasTable("notes_notes") {
			t.Fatal("notes_notes was not created")
		}
	})

	participant := in.CreateAccount("ada@example.org", "correct horse battery", false)
	unconfirmed, err := in.App.Accounts.Register(ctx, in.Org.ID, accounts.Registration{Email: "bob@example.org", Name: "Bob", Nickname: "bob_b", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("VisitorReadsButCannotPin", func(t *testing.T) {
		c := in.Client()
		csrf := instancetest.Session(t, in, c, 0)
		c.Get(page).Must(t, http.StatusOK).Contains(t, "No notes yet.", "Log in to pin a note.")
		if r := c.PostRaw(page, url.Values{"_csrf": {csrf}, "body": {"hello"}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("visitor post: %d, want 401", r.Status)
		}
		instancetest.JSON(t, in, c, http.MethodPost, api, csrf, "", `{"body":"hello"}`).Must(t, http.StatusUnauthorized).Contains(t, `"error":"unauthorised"`)
	})

	t.Run("UnconfirmedAccountIsForbidden", func(t *testing.T) {
		c := in.Client()
		csrf := instancetest.Session(t, in, c, unconfirmed.ID)
		c.PostRaw(page, url.Values{"_csrf": {csrf}, "body": {"hello"}}).Must(t, http.StatusForbidden)
	})

	c := in.Client()
	csrf := instancetest.Session(t, in, c, participant.ID)
	t.Run("ParticipantPins", func(t *testing.T) {
		c.Get(page).Must(t, http.StatusOK).Contains(t, `name="body"`, "At most 280 characters.")
		r := c.PostRaw(page, url.Values{"_csrf": {csrf}, "body": {"  Bike lanes on the quay  "}}).Must(t, http.StatusSeeOther)
		if r.Location != page {
			t.Fatalf("redirected to %q", r.Location)
		}
		c.Get(page).Must(t, http.StatusOK).Contains(t, "Your note is pinned.", "Bike lanes on the quay", "1 note")
	})
	t.Run("InvalidNoteShowsFieldError", func(t *testing.T) {
		c.PostRaw(page, url.Values{"_csrf": {csrf}, "body": {strings.Repeat("é", 281)}}).Must(t, http.StatusUnprocessableEntity).
			Contains(t, "A note has at most 280 characters.", `aria-invalid="true"`)
	})
	t.Run("RendersInFrenchAndDutch", func(t *testing.T) {
		c.Get(page+"?locale=fr").Must(t, http.StatusOK).Contains(t, "Épinglez une courte note", "1 note", "Les notes")
		c.Get(page+"?locale=nl").Must(t, http.StatusOK).Contains(t, "Prik een korte notitie op", "1 notitie")
		c.Get(page + "?locale=en")
	})
	t.Run("API", func(t *testing.T) {
		_, token, err := in.App.Accounts.CreateAPIToken(ctx, participant.ID, "script")
		if err != nil {
			t.Fatal(err)
		}
		c2 := in.Client()
		c2.JSON(http.MethodPost, api, token, `{"body":"From a script"}`).Must(t, http.StatusCreated).Contains(t, `"body":"From a script"`)
		c2.JSON(http.MethodPost, api, token, `{"body":""}`).Must(t, http.StatusUnprocessableEntity).Contains(t, `"body":"Write something first."`)
		r := c2.JSON(http.MethodGet, api, "", "").Must(t, http.StatusOK)
		var list []notes.Note
		if err := json.Unmarshal([]byte(r.Body), &list); err != nil || len(list) != 2 || list[0].Body != "From a script" {
			t.Fatalf("list %v (%v): %s", list, err, r.Body)
		}
	})
	t.Run("AdminWithdrawsTheAction", func(t *testing.T) {
		if err := in.App.Authz.SetActionRoles(ctx, fx.Domain(), notes.PermCreate, nil); err != nil {
			t.Fatal(err)
		}
		c.PostRaw(page, url.Values{"_csrf": {csrf}, "body": {"again"}}).Must(t, http.StatusForbidden)
		if err := in.App.Authz.SetActionRoles(ctx, fx.Domain(), notes.PermCreate, []registry.Role{registry.RoleParticipant}); err != nil {
			t.Fatal(err)
		}
		c.PostRaw(page, url.Values{"_csrf": {csrf}, "body": {"again"}}).Must(t, http.StatusSeeOther)
	})
	t.Run("AdminRequiresAVerification", func(t *testing.T) {
		if err := in.App.Authz.RequireVerification(ctx, fx.Domain(), notes.PermCreate, "census"); err != nil {
			t.Fatal(err)
		}
		// Lift the requirement whatever happens, for the next subtests.
		defer func() {
			if err := in.App.Authz.RequireVerification(ctx, fx.Domain(), notes.PermCreate, ""); err != nil {
				t.Error(err)
			}
		}()
		// core/verify explains the refusal and links to the verification.
		c.PostRaw(page, url.Values{"_csrf": {csrf}, "body": {"unverified"}}).Must(t, http.StatusForbidden).
			Contains(t, "Verification needed", `href="/verify`)
		c.Get(page).Must(t, http.StatusOK)
	})
	t.Run("SessionSettingClosesPinning", func(t *testing.T) {
		comp := fx.Components[notes.ID]
		cur := fx.Process.Space().CurrentSession(time.Now())
		if cur == nil {
			t.Fatal("fixture has no current session")
		}
		if errs, err := in.App.Components.SetValues(ctx, comp, nil, map[int64]map[string]any{cur.ID: {"open": false}}); err != nil || len(errs) > 0 {
			t.Fatalf("closing: %v %v", errs, err)
		}
		c.Get(page).Must(t, http.StatusOK).Contains(t, "Notes cannot be pinned during this session.")
		c.PostRaw(page, url.Values{"_csrf": {csrf}, "body": {"late"}}).Must(t, http.StatusConflict)
	})
	t.Run("PersonalDataAndErasure", func(t *testing.T) {
		c.Get("/account/data").Must(t, http.StatusOK).Contains(t, `"notes"`, "Bike lanes on the quay")
		c.PostRaw("/account/delete", url.Values{"_csrf": {csrf}, "password": {"correct horse battery"}}).Must(t, http.StatusSeeOther)
		var authored, left int64
		in.App.DB.Table("notes_notes").Where("author_id = ?", participant.ID).Count(&authored)
		in.App.DB.Table("notes_notes").Where("body = ?", "Bike lanes on the quay").Count(&left)
		if authored != 0 || left != 1 {
			t.Fatalf("after erasure: %d notes still name the author, %d of the note left (want 0, 1)", authored, left)
		}
	})
}
