// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
)

func TestAccountPasswordReset(t *testing.T) {
	in, rec := accountInstance(t, app.Options{})
	const email, oldPW, newPW = "ida@example.org", "correct horse battery", "staple tuna violin"
	in.CreateAccount(email, oldPW, false)

	// Another browser logged in before the reset.
	other := in.Client()
	login(t, other, email, oldPW).Must(t, http.StatusSeeOther)
	other.Get("/account").Must(t, http.StatusOK)

	c := in.Client()
	c.Get("/password/forgot").Must(t, http.StatusOK).Contains(t, `<label for="f-email">`)
	post(t, c, "/password/forgot", "/password/forgot", url.Values{"email": {email}}).
		Must(t, http.StatusOK).Contains(t, "If an account uses this address")
	_, token := linkIn(t, rec, email, "/password/reset")

	t.Run("UnknownAddressSameAnswerNoMail", func(t *testing.T) {
		sent := len(rec.Sent())
		post(t, in.Client(), "/password/forgot", "/password/forgot", url.Values{"email": {"nobody@example.org"}}).
			Must(t, http.StatusOK).Contains(t, "If an account uses this address")
		if len(rec.Sent()) != sent {
			t.Error("a mail was sent for an unknown address")
		}
	})

	c.Get("/password/reset?token="+token).Must(t, http.StatusOK).Contains(t, `autocomplete="new-password"`)
	t.Run("ShortPasswordRefused", func(t *testing.T) {
		post(t, c, "/password/forgot", "/password/reset", url.Values{"token": {token}, "password": {"short"}}).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "at least 10 characters")
		// The refused attempt did not use up the link.
		c.Get("/password/reset?token="+token).Must(t, http.StatusOK)
	})
	r := post(t, c, "/password/forgot", "/password/reset", url.Values{"token": {token}, "password": {newPW}})
	if r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("reset: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	c.Get("/login").Must(t, http.StatusOK).Contains(t, "Your password has been changed")

	t.Run("OtherSessionsEnded", func(t *testing.T) {
		if r := other.Get("/account"); r.Status != http.StatusSeeOther {
			t.Errorf("the other browser still opens /account (%d) after the reset", r.Status)
		}
	})
	t.Run("OldPasswordFails", func(t *testing.T) {
		login(t, in.Client(), email, oldPW).Must(t, http.StatusUnauthorized)
	})
	t.Run("NewPasswordWorks", func(t *testing.T) {
		nc := in.Client()
		login(t, nc, email, newPW).Must(t, http.StatusSeeOther)
		nc.Get("/account").Must(t, http.StatusOK)
	})
	t.Run("TokenReuseRefused", func(t *testing.T) {
		c.Get("/password/reset?token="+token).Must(t, http.StatusUnprocessableEntity).Contains(t, "already been used")
		post(t, c, "/login", "/password/reset", url.Values{"token": {token}, "password": {"another long password"}}).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "already been used")
		login(t, in.Client(), email, newPW).Must(t, http.StatusSeeOther)
	})
	t.Run("ExpiredTokenRefused", func(t *testing.T) {
		acc, secret, err := in.App.Accounts.RequestPasswordReset(t.Context(), in.Org.ID, email)
		if err != nil || acc == nil {
			t.Fatalf("RequestPasswordReset: %v", err)
		}
		// An hour and a second later.
		past := time.Now().UTC().Add(-time.Second)
		if err := in.App.DB.Table("account_tokens").Where("token_hash = ?", accounts.HashSecret(secret)).Update("expires_at", past).Error; err != nil {
			t.Fatal(err)
		}
		c.Get("/password/reset?token="+secret).Must(t, http.StatusUnprocessableEntity).Contains(t, "has expired")
		post(t, c, "/login", "/password/reset", url.Values{"token": {secret}, "password": {"another long password"}}).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "has expired")
		login(t, in.Client(), email, newPW).Must(t, http.StatusSeeOther)
	})
	t.Run("ForgedTokenRefused", func(t *testing.T) {
		post(t, c, "/login", "/password/reset", url.Values{"token": {"forged-token"}, "password": {"another long password"}}).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "not valid")
	})
	t.Run("ForgedHostDoesNotRedirectTheLink", func(t *testing.T) {
		const uma = "uma@example.org"
		in.CreateAccount(uma, oldPW, false)
		nc := in.Client()
		csrf := pageCSRF(t, nc, "/password/forgot")
		form := url.Values{"_csrf": {csrf}, "email": {uma}}
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/password/forgot", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = "evil.example"
		// The client's jar files cookies under the forged host: send the
		// session cookie by hand, as a forging client would.
		req.AddCookie(&http.Cookie{Name: "polder_session", Value: sessionCookie(t, in, nc)})
		nc.Do(req).Must(t, http.StatusOK)
		link, _ := linkIn(t, rec, uma, "/password/reset")
		if !strings.HasPrefix(link, "http://"+in.Org.Host+"/") {
			t.Errorf("reset link %s does not point to the organisation's host %s", link, in.Org.Host)
		}
	})
	t.Run("ResetMailsLimitedPerAddress", func(t *testing.T) {
		const kim = "kim@example.org"
		in.CreateAccount(kim, oldPW, false)
		nc := in.Client()
		csrf := pageCSRF(t, nc, "/password/forgot")
		sent := len(rec.Sent())
		for i := 0; i <= accounts.ResetMax; i++ {
			form := url.Values{"_csrf": {csrf}, "email": {kim}}
			req, _ := http.NewRequest(http.MethodPost, in.URL+"/password/forgot?locale=en", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			// A new client address each time: the per-e-mail limit holds.
			req.Header.Set("X-Forwarded-For", "10.1.0."+strconv.Itoa(i+1))
			r := nc.Do(req)
			want := http.StatusOK
			if i == accounts.ResetMax {
				want = http.StatusTooManyRequests
			}
			if r.Status != want {
				t.Fatalf("request %d: %d, want %d", i+1, r.Status, want)
			}
		}
		if got := len(rec.Sent()) - sent; got != accounts.ResetMax {
			t.Errorf("%d reset mails sent, want %d", got, accounts.ResetMax)
		}
	})
	if n := count(t, in, "audit_log", "action = 'account.password_reset'"); n != 1 {
		t.Errorf("%d password reset audit entries, want 1", n)
	}
	if n := count(t, in, "audit_log", "details LIKE ?", "%"+token+"%"); n != 0 {
		t.Error("the audit log holds a reset token")
	}
}
