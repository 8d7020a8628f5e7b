// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
)

var newSecret = regexp.MustCompile(`id="new-secret"[^>]*value="(pld_[A-Za-z0-9_-]+)"`)

func TestAccountTokensPage(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	const email, pw = "max@example.org", "correct horse battery"
	acc := in.CreateAccount(email, pw, false)
	c := in.Client()
	login(t, c, email, pw).Must(t, http.StatusSeeOther)

	c.Get("/account/tokens").Must(t, http.StatusOK).Contains(t, "You have no access token.", `<label for="f-name">`)
	t.Run("EmptyNameRefused", func(t *testing.T) {
		post(t, c, "/account/tokens", "/account/tokens", url.Values{"name": {"  "}}).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "Give the token a name")
	})
	r := post(t, c, "/account/tokens", "/account/tokens", url.Values{"name": {"nightly export"}})
	r.Must(t, http.StatusCreated).Contains(t, "Copy it now")
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Error("the page showing a secret may be cached")
	}
	m := newSecret.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no secret on the page\n%s", r.Body)
	}
	secret := m[1]
	// Shown once: the list does not show it again, and only its hash is
	// stored.
	c.Get("/account/tokens").Must(t, http.StatusOK).Contains(t, "nightly export", "Revoke nightly export")
	if strings.Contains(c.Get("/account/tokens").Body, secret) {
		t.Error("the secret is shown again")
	}
	if n := count(t, in, "api_tokens", "token_hash = ?", accounts.HashSecret(secret)); n != 1 {
		t.Errorf("%d tokens stored with the secret's hash", n)
	}
	bearer := in.Client()
	bearer.JSON(http.MethodGet, "/api/v1/me", secret, "").Must(t, http.StatusOK).Contains(t, `"email":"`+email+`"`)

	toks, _ := in.App.Accounts.APITokens(t.Context(), acc.ID)
	r = post(t, c, "/account/tokens", "/account/tokens/"+strconv.FormatInt(toks[0].ID, 10)+"/revoke", url.Values{})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d\n%s", r.Status, r.Body)
	}
	c.Get("/account/tokens").Must(t, http.StatusOK).Contains(t, "The token has been revoked.", "Revoked")
	bearer.JSON(http.MethodGet, "/api/v1/me", secret, "").Must(t, http.StatusUnauthorized)

	t.Run("AnotherAccountsTokenIsNotFound", func(t *testing.T) {
		other := in.CreateAccount("ned@example.org", pw, false)
		tok, _, err := in.App.Accounts.CreateAPIToken(t.Context(), other.ID, "theirs")
		if err != nil {
			t.Fatal(err)
		}
		post(t, c, "/account/tokens", "/account/tokens/"+strconv.FormatInt(tok.ID, 10)+"/revoke", url.Values{}).Must(t, http.StatusNotFound)
		if n := count(t, in, "api_tokens", "id = ? AND revoked_at IS NULL", tok.ID); n != 1 {
			t.Error("another account's token was revoked")
		}
	})
}

func TestAccountAPI(t *testing.T) {
	in, rec := accountInstance(t, app.Options{})
	const email, pw = "ola@example.org", "correct horse battery"
	acc := in.CreateAccount(email, pw, false)
	_, secret, err := in.App.Accounts.CreateAPIToken(t.Context(), acc.ID, "first")
	if err != nil {
		t.Fatal(err)
	}
	c := in.Client()

	t.Run("NoTokenIsUnauthorised", func(t *testing.T) {
		c.JSON(http.MethodGet, "/api/v1/me", "", "").Must(t, http.StatusUnauthorized).Contains(t, `"error":"unauthorised"`)
		c.JSON(http.MethodGet, "/api/v1/me", "pld_forged", "").Must(t, http.StatusUnauthorized).Contains(t, `"error":"unauthorised"`)
	})
	t.Run("Me", func(t *testing.T) {
		r := c.JSON(http.MethodGet, "/api/v1/me", secret, "").Must(t, http.StatusOK)
		var me accounts.AccountData
		if err := json.Unmarshal([]byte(r.Body), &me); err != nil || me.ID != acc.ID || me.Email == nil || *me.Email != email {
			t.Fatalf("me = %+v (%v)", me, err)
		}
		if strings.Contains(r.Body, "argon2") || strings.Contains(r.Body, "password") {
			t.Error("/me exposes the password hash")
		}
	})
	t.Run("UpdateProfile", func(t *testing.T) {
		c.JSON(http.MethodPatch, "/api/v1/me", secret, `{"name":"Ola N.","nickname":"ola_n","locale":"nl"}`).
			Must(t, http.StatusOK).Contains(t, `"nickname":"ola_n"`, `"locale":"nl"`)
		r := c.JSON(http.MethodPatch, "/api/v1/me", secret, `{"name":"","nickname":"x y","locale":"xx"}`).Must(t, http.StatusUnprocessableEntity)
		var e struct {
			Fields map[string]string `json:"fields"`
		}
		_ = json.Unmarshal([]byte(r.Body), &e)
		for _, f := range []string{"name", "nickname", "locale"} {
			if e.Fields[f] == "" {
				t.Errorf("no error for field %s: %s", f, r.Body)
			}
		}
		if a := mustAccount(t, in, email); a.Nickname != "ola_n" {
			t.Errorf("invalid update changed the nickname to %q", a.Nickname)
		}
	})
	var created struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Secret string `json:"secret"`
	}
	t.Run("Tokens", func(t *testing.T) {
		r := c.JSON(http.MethodPost, "/api/v1/me/tokens", secret, `{"name":"second"}`).Must(t, http.StatusCreated)
		if err := json.Unmarshal([]byte(r.Body), &created); err != nil || created.Secret == "" || created.Name != "second" {
			t.Fatalf("created = %+v (%v)", created, err)
		}
		r = c.JSON(http.MethodGet, "/api/v1/me/tokens", created.Secret, "").Must(t, http.StatusOK).Contains(t, `"name":"first"`, `"name":"second"`)
		if strings.Contains(r.Body, created.Secret) || strings.Contains(r.Body, accounts.HashSecret(created.Secret)) {
			t.Error("the token list exposes a secret or hash")
		}
		c.JSON(http.MethodDelete, "/api/v1/me/tokens/"+strconv.FormatInt(created.ID, 10), secret, "").Must(t, http.StatusNoContent)
		c.JSON(http.MethodGet, "/api/v1/me", created.Secret, "").Must(t, http.StatusUnauthorized)
		c.JSON(http.MethodDelete, "/api/v1/me/tokens/"+strconv.FormatInt(created.ID, 10), secret, "").Must(t, http.StatusNotFound)
		c.JSON(http.MethodDelete, "/api/v1/me/tokens/abc", secret, "").Must(t, http.StatusNotFound)
	})
	t.Run("Export", func(t *testing.T) {
		r := c.JSON(http.MethodGet, "/api/v1/me/data", secret, "").Must(t, http.StatusOK).Contains(t, `"account"`, `"api_tokens"`, `"modules"`)
		if strings.Contains(r.Body, "argon2") {
			t.Error("export exposes the password hash")
		}
	})
	t.Run("Register", func(t *testing.T) {
		v := in.Client()
		csrf := pageCSRF(t, v, "/register")
		jsonReq(t, in, v, http.MethodPost, "/api/v1/register", csrf, `{"email":"bad","name":"","nickname":"p","password":"x"}`).
			Must(t, http.StatusUnprocessableEntity).Contains(t, `"email":`, `"password":`)
		r := jsonReq(t, in, v, http.MethodPost, "/api/v1/register", csrf, `{"email":"pia@example.org","name":"Pia","nickname":"pia","password":"correct horse battery"}`)
		r.Must(t, http.StatusCreated).Contains(t, `"email":"pia@example.org"`, `"confirmed_at":null`)
		linkIn(t, rec, "pia@example.org", "/confirm")

		// Ask again, confirm, forget, reset: all by JSON.
		sent := len(rec.Sent())
		jsonReq(t, in, v, http.MethodPost, "/api/v1/confirm/resend", csrf, `{"email":"pia@example.org"}`).Must(t, http.StatusAccepted)
		jsonReq(t, in, v, http.MethodPost, "/api/v1/confirm/resend", csrf, `{"email":"nobody@example.org"}`).Must(t, http.StatusAccepted)
		if got := len(rec.Sent()) - sent; got != 1 {
			t.Errorf("%d mails for a resend to one known and one unknown address, want 1", got)
		}
		_, tok := linkIn(t, rec, "pia@example.org", "/confirm")
		jsonReq(t, in, v, http.MethodPost, "/api/v1/confirm", csrf, `{"token":"`+tok+`"}`).Must(t, http.StatusOK).Contains(t, `"email":"pia@example.org"`)
		if a := mustAccount(t, in, "pia@example.org"); !a.Confirmed() {
			t.Error("not confirmed through the API")
		}
		jsonReq(t, in, v, http.MethodPost, "/api/v1/confirm", csrf, `{"token":"`+tok+`"}`).Must(t, http.StatusUnprocessableEntity)
		jsonReq(t, in, v, http.MethodPost, "/api/v1/password/forgot", csrf, `{"email":"pia@example.org"}`).Must(t, http.StatusAccepted)
		_, reset := linkIn(t, rec, "pia@example.org", "/password/reset")
		jsonReq(t, in, v, http.MethodPost, "/api/v1/password/reset", csrf, `{"token":"`+reset+`","password":"short"}`).Must(t, http.StatusUnprocessableEntity).Contains(t, `"password":`)
		// The failed attempt kept the session; a fresh token is needed
		// after the successful one, which ends it.
		jsonReq(t, in, v, http.MethodPost, "/api/v1/password/reset", csrf, `{"token":"`+reset+`","password":"staple tuna violin"}`).Must(t, http.StatusNoContent)
		if _, err := in.App.Accounts.Authenticate(t.Context(), in.Org.ID, "pia@example.org", "staple tuna violin"); err != nil {
			t.Errorf("new password refused: %v", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		c.JSON(http.MethodDelete, "/api/v1/me", secret, `{"password":"wrong one!!"}`).Must(t, http.StatusUnprocessableEntity).Contains(t, `"password":`)
		c.JSON(http.MethodDelete, "/api/v1/me", secret, `{"password":"`+pw+`"}`).Must(t, http.StatusNoContent)
		c.JSON(http.MethodGet, "/api/v1/me", secret, "").Must(t, http.StatusUnauthorized)
		if a := mustAccountByID(t, in, acc.ID); a.AnonymisedAt == nil || a.Email != nil {
			t.Errorf("account not anonymised: %+v", a)
		}
	})
	// Every account route is in the route table (hence the OpenAPI
	// document), with what it requires.
	want := map[string]bool{"POST /api/v1/register": false, "POST /api/v1/confirm": false, "POST /api/v1/confirm/resend": false,
		"POST /api/v1/password/forgot": false, "POST /api/v1/password/reset": false, "GET /api/v1/me": true, "PATCH /api/v1/me": true, "GET /api/v1/me/data": true, "DELETE /api/v1/me": true,
		"GET /api/v1/me/tokens": true, "POST /api/v1/me/tokens": true, "DELETE /api/v1/me/tokens/:id": true}
	seen := map[string]bool{}
	for _, r := range in.App.Server.Routes.All() {
		key := r.Method + " " + r.Path
		if needLogin, ok := want[key]; ok {
			seen[key] = true
			if !r.API || r.Op.Summary == "" {
				t.Errorf("%s: API %v, summary %q", key, r.API, r.Op.Summary)
			}
			if needLogin != (r.Need.Kind != 0) {
				t.Errorf("%s: need %v", key, r.Need)
			}
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("route %s not registered", k)
		}
	}
}

func mustAccountByID(t *testing.T, in *apptest.Instance, id int64) *accounts.Account {
	t.Helper()
	a, err := in.App.Accounts.Get(t.Context(), in.Org.ID, id)
	if err != nil {
		t.Fatalf("loading account %d: %v", id, err)
	}
	return a
}
