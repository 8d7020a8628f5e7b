// SPDX-License-Identifier: AGPL-3.0-or-later

// Package instancetest holds what whole-instance tests share beyond
// core/apptest: a fixture space (a published process with themes,
// sessions and one published component of each module) and signing a
// client in as any account without going through the login form, so the
// route × role table and module tests do not depend on the accounts pages
// or spend an argon2id hash per role.
package instancetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/spaces/process"
)

// Fixture is a published process and its components.
type Fixture struct {
	Process *process.Process
	// Components maps a module id to its component in the process.
	Components map[string]*registry.Component
}

// URL is the process's page.
func (f *Fixture) URL() string { return "/processes/" + f.Process.Slug }

// ComponentURL is a component's page.
func (f *Fixture) ComponentURL(moduleID string) string {
	return f.URL() + "/c/" + itoa(f.Components[moduleID].ID)
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// NewFixture creates a published process "fixture" with two themes, three
// sessions (the second one current) and one published component of each
// registered module.
func NewFixture(tb testing.TB, in *apptest.Instance) *Fixture {
	tb.Helper()
	ctx := context.Background()
	svc := process.NewService(in.App.DB)
	p := &process.Process{Slug: "fixture", Title: i18n.Text{"en": "Fixture process", "fr": "Processus de test", "nl": "Testproces"}, Status: registry.StatusPublished}
	if err := svc.Create(ctx, in.Org.ID, p); err != nil {
		tb.Fatalf("creating fixture process: %v", err)
	}
	if err := svc.SaveThemes(ctx, p, []process.Theme{
		{Key: "mobility", Title: i18n.Text{"en": "Mobility", "fr": "Mobilité", "nl": "Mobiliteit"}},
		{Key: "housing", Title: i18n.Text{"en": "Housing", "fr": "Logement", "nl": "Wonen"}},
	}); err != nil {
		tb.Fatalf("fixture themes: %v", err)
	}
	day := 24 * time.Hour
	now := time.Now().UTC().Truncate(time.Second)
	if err := svc.SaveSessions(ctx, p, []process.Session{
		{Key: "first", Title: i18n.Text{"en": "First", "fr": "Première", "nl": "Eerste"}, StartsAt: now.Add(-20 * day), EndsAt: now.Add(-10 * day)},
		{Key: "second", Title: i18n.Text{"en": "Second", "fr": "Deuxième", "nl": "Tweede"}, StartsAt: now.Add(-10 * day), EndsAt: now.Add(10 * day)},
		{Key: "third", Title: i18n.Text{"en": "Third", "fr": "Troisième", "nl": "Derde"}, StartsAt: now.Add(10 * day), EndsAt: now.Add(20 * day)},
	}); err != nil {
		tb.Fatalf("fixture sessions: %v", err)
	}
	f := &Fixture{Process: p, Components: map[string]*registry.Component{}}
	for _, id := range in.App.Registry.IDs() {
		comp, err := in.App.Components.Enable(ctx, process.SpaceType, p.ID, id, "", i18n.Text{"en": "The " + id, "fr": "Les " + id, "nl": "De " + id})
		if err != nil {
			tb.Fatalf("enabling %s: %v", id, err)
		}
		f.Components[id] = comp
	}
	return f
}

// Domain is the fixture process's permission domain.
func (f *Fixture) Domain() string { return registry.SpaceDomain(process.SpaceType, f.Process.ID) }

// Where core/web keeps the logged-in account's id and session epoch in
// the server-side session (see web.Server.LoginAccount).
const (
	sessionAccountKey = "account_id"
	sessionEpochKey   = "account_epoch"
	sessionAuthAtKey  = "auth_at"
)

// Session gives a client a server-side session, logged in as accountID
// (0: a visitor), and returns the session's CSRF token for forms and the
// X-CSRF-Token header.
func Session(tb testing.TB, in *apptest.Instance, c *apptest.Client, accountID int64) string {
	tb.Helper()
	sm := in.App.Server.Sessions
	ctx, err := sm.Load(context.Background(), "")
	if err != nil {
		tb.Fatalf("new session: %v", err)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	csrf := base64.RawURLEncoding.EncodeToString(b[:])
	sm.Put(ctx, "csrf", csrf)
	if accountID != 0 {
		acc, err := in.App.Accounts.Get(context.Background(), in.Org.ID, accountID)
		if err != nil {
			tb.Fatalf("signing in %d: %v", accountID, err)
		}
		sm.Put(ctx, sessionAccountKey, accountID)
		sm.Put(ctx, sessionEpochKey, acc.SessionEpoch)
		// Signed in just now, as a login would: administration requests
		// pass the re-authentication check (web.ReauthWindow).
		sm.Put(ctx, sessionAuthAtKey, time.Now().Unix())
	}
	token, _, err := sm.Commit(ctx)
	if err != nil {
		tb.Fatalf("storing session: %v", err)
	}
	u, _ := url.Parse(in.URL)
	c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: sm.Cookie.Name, Value: token, Path: "/"}})
	return csrf
}

// JSON sends a JSON API request from a client's session, with its CSRF
// token in the X-CSRF-Token header (as the theme's scripts do) and, when
// token is set, a bearer token.
func JSON(tb testing.TB, in *apptest.Instance, c *apptest.Client, method, path, csrf, token, body string) *apptest.Response {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, in.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.Do(req)
}

// AgeAuth makes a client's session look as if it last proved its password
// ago: past web.ReauthWindow, its administration changes need
// re-authentication (the attempt matrix and re-auth tests use it).
func AgeAuth(tb testing.TB, in *apptest.Instance, c *apptest.Client, ago time.Duration) {
	tb.Helper()
	sm := in.App.Server.Sessions
	u, _ := url.Parse(in.URL)
	token := ""
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == sm.Cookie.Name {
			token = ck.Value
		}
	}
	if token == "" {
		tb.Fatal("the client has no session")
	}
	ctx, err := sm.Load(context.Background(), token)
	if err != nil {
		tb.Fatalf("loading session: %v", err)
	}
	sm.Put(ctx, sessionAuthAtKey, time.Now().Add(-ago).Unix())
	if _, _, err := sm.Commit(ctx); err != nil {
		tb.Fatalf("storing session: %v", err)
	}
}
