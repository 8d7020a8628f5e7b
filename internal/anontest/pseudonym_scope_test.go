// SPDX-License-Identifier: AGPL-3.0-or-later

package anontest

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/blindtoken"
	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/examplemodule/notes"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/spaces/process"
)

// redeem gets a pseudonym of domain for account, as the browser script
// does: blind, have it signed, finalise, redeem.
func redeem(t *testing.T, in *apptest.Instance, domain string, accountID int64) *accounts.Account {
	t.Helper()
	ctx := context.Background()
	svc := in.App.Anon
	pk, err := svc.PublicKey(ctx, domain)
	if err != nil {
		t.Fatal(err)
	}
	req, err := blindtoken.NewRequest(pk)
	if err != nil {
		t.Fatal(err)
	}
	bsig, err := svc.Issue(ctx, domain, accountID, req.Blinded)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := req.Finalize(bsig)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := svc.Redeem(ctx, in.Org.ID, domain, req.Message, sig)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

func TestPseudonymKeptToItsSpace(t *testing.T) {
	ctx := context.Background()
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: []registry.Module{notes.New()}})
	fx := instancetest.NewFixture(t, in)
	// A second published process with its own notes component.
	other := &process.Process{Slug: "other", Title: i18n.Text{"en": "Other", "fr": "Autre", "nl": "Ander"}, Status: registry.StatusPublished}
	if err := process.NewService(in.App.DB).Create(ctx, in.Org.ID, other); err != nil {
		t.Fatal(err)
	}
	comp, err := in.App.Components.Enable(ctx, process.SpaceType, other.ID, notes.ID, "", i18n.Text{"en": "Notes", "fr": "Notes", "nl": "Notities"})
	if err != nil {
		t.Fatal(err)
	}
	otherPage := "/processes/other/c/" + itoa(comp.ID)
	home := fx.Domain()
	if _, err := in.App.Anon.Enable(ctx, in.Org.ID, home); err != nil {
		t.Fatal(err)
	}
	verified := in.CreateAccount("vera@example.org", "correct horse battery", false)
	pseudo := redeem(t, in, home, verified.ID)
	if pseudo.Kind != blindtoken.KindPseudonym {
		t.Fatalf("kind %q", pseudo.Kind)
	}

	notesIn := func(spaceID int64) int64 {
		var n int64
		in.App.DB.Table("notes_notes").Where("component_id IN (SELECT id FROM components WHERE space_id = ?)", spaceID).Count(&n)
		return n
	}
	post := func(u *instancetest.User, page string) *apptest.Response {
		return u.Post(page, url.Values{"body": {"hello from " + u.Acc.Nickname}})
	}
	pc := in.Client()
	p := &instancetest.User{Acc: pseudo, Client: pc, CSRF: instancetest.Session(t, in, pc, pseudo.ID)}
	v := &instancetest.User{Acc: verified, Client: in.Client()}
	v.CSRF = instancetest.Session(t, in, v.Client, verified.ID)

	// In its own space the pseudonym acts as a participant.
	if r := post(p, fx.ComponentURL(notes.ID)); r.Status >= 400 {
		t.Fatalf("pseudonym in its space: %d\n%s", r.Status, apptest.Snippet(r.Body))
	}
	if notesIn(fx.Process.ID) != 1 {
		t.Fatal("the pseudonym's note in its space was not stored")
	}
	// Elsewhere it is refused, page and API alike, and nothing is written;
	// the verified account it came from is not.
	post(p, otherPage).Must(t, http.StatusForbidden)
	instancetest.JSON(t, in, pc, http.MethodPost, "/api/v1"+otherPage+"/notes", p.CSRF, "", `{"body":"hello"}`).Must(t, http.StatusForbidden)
	if notesIn(other.ID) != 0 {
		t.Fatal("the pseudonym wrote outside its space")
	}
	if r := post(v, otherPage); r.Status >= 400 {
		t.Fatalf("verified participant elsewhere: %d", r.Status)
	}
	if notesIn(other.ID) != 1 {
		t.Fatal("the verified participant's note was not stored")
	}

	// The guard itself: home space only, never organisation-wide; other
	// accounts are untouched.
	for _, c := range []struct {
		acc    *accounts.Account
		domain string
		want   bool
	}{
		{pseudo, home, true},
		{pseudo, registry.SpaceDomain(process.SpaceType, other.ID), false},
		{pseudo, "org", false},
		{verified, "org", true},
		{nil, home, true},
	} {
		got, err := in.App.Anon.Guard(ctx, nil, c.acc, c.domain, notes.PermCreate)
		if err != nil || got != c.want {
			t.Errorf("Guard(%v, %s) = %v, %v; want %v", c.acc != nil && c.acc.Kind == blindtoken.KindPseudonym, c.domain, got, err, c.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
