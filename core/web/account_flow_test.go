// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
)

func TestAccountRegisterConfirmLoginLogout(t *testing.T) {
	in, rec := accountInstance(t, app.Options{})
	c := in.Client()
	const email, pw = "ana@example.org", "correct horse battery"

	c.Get("/register").Must(t, http.StatusOK).Contains(t, `<label for="f-email">`, `autocomplete="new-password"`)
	r := post(t, c, "/register", "/register", url.Values{"email": {email}, "name": {"Ana Lima"}, "nickname": {"ana"}, "password": {pw}, "kind": {"person"}})
	r.Must(t, http.StatusOK).Contains(t, "Check your e-mail", email)

	link, token := linkIn(t, rec, email, "/confirm")
	if !strings.HasPrefix(link, in.URL) {
		t.Errorf("confirmation link %s does not point to the instance %s", link, in.URL)
	}
	// Only the token's hash is stored.
	if n := count(t, in, "account_tokens", "token_hash = ?", accounts.HashSecret(token)); n != 1 {
		t.Errorf("%d token rows with the link's hash, want 1", n)
	}
	if n := count(t, in, "account_tokens", "token_hash = ?", token); n != 0 {
		t.Error("the raw token is stored")
	}

	t.Run("UnconfirmedCannotLogIn", func(t *testing.T) {
		login(t, in.Client(), email, pw).Must(t, http.StatusForbidden).Contains(t, "not confirmed yet", "/confirm/resend")
	})

	// The link shows a button; only the POST confirms (mail scanners
	// prefetch links).
	c.Get("/confirm?token="+token).Must(t, http.StatusOK).Contains(t, `name="token" value="`+token+`"`)
	if n := count(t, in, "accounts", "email = ? AND confirmed_at IS NOT NULL", email); n != 0 {
		t.Fatal("GET confirmed the account")
	}
	r = post(t, c, "/register", "/confirm", url.Values{"token": {token}})
	if r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("confirm: %d %s, want 303 /login\n%s", r.Status, r.Location, r.Body)
	}
	c.Get("/login").Must(t, http.StatusOK).Contains(t, "Your e-mail address is confirmed")

	t.Run("ConfirmationLinkIsOneTime", func(t *testing.T) {
		post(t, c, "/login", "/confirm", url.Values{"token": {token}}).Must(t, http.StatusUnprocessableEntity).Contains(t, "already been used")
		c.Get("/confirm?token="+token).Must(t, http.StatusUnprocessableEntity).Contains(t, "already been used", `href="/confirm/resend"`)
	})

	r = login(t, c, email, pw)
	if r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("login: %d %q, want 303 /", r.Status, r.Location)
	}
	c.Get("/account").Must(t, http.StatusOK).Contains(t, "Logged in as ana", email)

	r = post(t, c, "/account", "/logout", url.Values{})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Status)
	}
	r = c.Get("/account")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login?next=") {
		t.Fatalf("after logout /account: %d %s, want a redirect to the login", r.Status, r.Location)
	}
	if n := count(t, in, "audit_log", "action IN ('account.register','account.confirm','account.login','account.logout')"); n != 4 {
		t.Errorf("%d audit entries for register/confirm/login/logout, want 4", n)
	}
}

func TestAccountLoginMessages(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	const pw = "correct horse battery"
	in.CreateAccount("bo@example.org", pw, false)
	if _, err := in.App.Accounts.Register(t.Context(), in.Org.ID, accounts.Registration{Email: "new@example.org", Name: "New", Nickname: "newbie", Password: pw}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, email, password, path string
		status                      int
		want                        string
	}{
		{"WrongPassword", "bo@example.org", "wrong password!!", "/login", http.StatusUnauthorized, "Wrong e-mail or password."},
		{"UnknownEmail", "nobody@example.org", pw, "/login", http.StatusUnauthorized, "Wrong e-mail or password."},
		{"Unconfirmed", "new@example.org", pw, "/login", http.StatusForbidden, "is not confirmed yet"},
		{"WrongPasswordFrench", "bo@example.org", "wrong password!!", "/login?locale=fr", http.StatusUnauthorized, "Adresse e-mail ou mot de passe incorrect."},
		{"UnconfirmedDutch", "new@example.org", pw, "/login?locale=nl", http.StatusForbidden, "nog niet bevestigd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := in.Client()
			r := post(t, c, "/login", tc.path, url.Values{"email": {tc.email}, "password": {tc.password}})
			r.Must(t, tc.status).Contains(t, tc.want, `value="`+tc.email+`"`)
			if strings.Contains(r.Body, tc.password) {
				t.Error("the password is sent back in the page")
			}
			if got := c.Get("/account"); got.Status != http.StatusSeeOther {
				t.Errorf("after a failed login /account answers %d", got.Status)
			}
		})
	}
	t.Run("NextIsLocalOnly", func(t *testing.T) {
		for next, want := range map[string]string{"/account": "/account", "https://evil.example/": "/", "//evil.example/x": "/", "/\\evil.example": "/"} {
			c := in.Client()
			r := post(t, c, "/login", "/login", url.Values{"email": {"bo@example.org"}, "password": {pw}, "next": {next}})
			if r.Status != http.StatusSeeOther || r.Location != want {
				t.Errorf("next=%q: %d %q, want 303 %q", next, r.Status, r.Location, want)
			}
		}
	})
}

func TestAccountSessionRotatesOnLogin(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	in.CreateAccount("cy@example.org", "correct horse battery", false)
	c := in.Client()
	csrf := pageCSRF(t, c, "/login")
	before := sessionCookie(t, in, c)
	if before == "" {
		t.Fatal("no session cookie before login")
	}
	r := c.PostRaw("/login", url.Values{"_csrf": {csrf}, "email": {"cy@example.org"}, "password": {"correct horse battery"}})
	r.Must(t, http.StatusSeeOther)
	after := sessionCookie(t, in, c)
	if after == "" || after == before {
		t.Fatalf("session cookie not rotated on login: before %q after %q", before, after)
	}
	// The pre-login session token no longer opens the account.
	fix := in.Client()
	u, _ := url.Parse(in.URL)
	fix.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "polder_session", Value: before, Path: "/"}})
	if r := fix.Get("/account"); r.Status != http.StatusSeeOther {
		t.Errorf("the old session token still opens /account (%d)", r.Status)
	}
}
