// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
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

var tryAgain = regexp.MustCompile(`Try again in (\d+) s`)

func TestAccountLoginRateLimit(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	const pw = "correct horse battery"
	in.CreateAccount("dee@example.org", pw, false)
	in.CreateAccount("eli@example.org", pw, false)
	c := in.Client()
	csrf := pageCSRF(t, c, "/login")
	attempt := func(ip, email, password, path string) *http.Response {
		t.Helper()
		form := url.Values{"_csrf": {csrf}, "email": {email}, "password": {password}}
		req, _ := http.NewRequest(http.MethodPost, in.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	body := func(resp *http.Response) string {
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				return b.String()
			}
		}
	}

	t.Run("PerEmail", func(t *testing.T) {
		// Failures from ten different addresses still count for the
		// e-mail.
		for i := 0; i < accounts.LoginMax; i++ {
			resp := attempt("10.0.0."+strconv.Itoa(i+1), "dee@example.org", "wrong password!!", "/login")
			body(resp)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status %d, want 401", i+1, resp.StatusCode)
			}
		}
		resp := attempt("10.0.1.1", "dee@example.org", pw, "/login")
		b := body(resp)
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("11th attempt: status %d, want 429", resp.StatusCode)
		}
		m := tryAgain.FindStringSubmatch(b)
		if m == nil {
			t.Fatalf("no 'Try again in N s' message:\n%s", b)
		}
		if n, _ := strconv.Atoi(m[1]); n <= 0 || n > int(accounts.LoginWindow.Seconds()) {
			t.Errorf("wait %d s is outside (0, %v]", n, accounts.LoginWindow)
		}
		// Translated.
		resp = attempt("10.0.1.2", "dee@example.org", pw, "/login?locale=fr")
		if b := body(resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "Réessayez dans") {
			t.Errorf("French 429: %d\n%s", resp.StatusCode, b)
		}
		// Another account is not affected from another address.
		resp = attempt("10.0.2.1", "eli@example.org", pw, "/login")
		body(resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("login of another account: %d, want 303", resp.StatusCode)
		}
	})
	t.Run("PerIP", func(t *testing.T) {
		for i := 0; i < accounts.LoginMax; i++ {
			resp := attempt("10.9.9.9", "nobody"+strconv.Itoa(i)+"@example.org", "whatever password", "/login")
			body(resp)
		}
		resp := attempt("10.9.9.9", "eli@example.org", pw, "/login?locale=en")
		if b := body(resp); resp.StatusCode != http.StatusTooManyRequests || !tryAgain.MatchString(b) {
			t.Fatalf("11th attempt from one address: %d, want 429 with the wait\n%s", resp.StatusCode, b)
		}
	})
	// Only hashes of the keys are stored.
	if n := count(t, in, "login_attempts", "key_hash LIKE ?", "%example.org%"); n != 0 {
		t.Error("login_attempts stores e-mail addresses in clear")
	}
}

func TestAccountCSRF(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	in.CreateAccount("fay@example.org", "correct horse battery", false)
	c := in.Client()
	login(t, c, "fay@example.org", "correct horse battery").Must(t, http.StatusSeeOther)
	csrf := pageCSRF(t, c, "/account/tokens")
	visitor := in.Client()
	vcsrf := pageCSRF(t, visitor, "/register")

	tables := []string{"accounts", "api_tokens", "account_tokens", "audit_log"}
	before := map[string]int64{}
	for _, tb := range tables {
		before[tb] = count(t, in, tb, "")
	}
	reg := url.Values{"email": {"gus@example.org"}, "name": {"Gus"}, "nickname": {"gus"}, "password": {"correct horse battery"}}
	cases := []struct {
		name string
		do   func() int
	}{
		{"RegisterMissing", func() int { return visitor.PostRaw("/register", reg).Status }},
		{"RegisterForged", func() int {
			f := url.Values{"_csrf": {"forged" + vcsrf[6:]}}
			for k, v := range reg {
				f[k] = v
			}
			return visitor.PostRaw("/register", f).Status
		}},
		{"RegisterOtherSessionsToken", func() int {
			f := url.Values{"_csrf": {csrf}}
			for k, v := range reg {
				f[k] = v
			}
			return visitor.PostRaw("/register", f).Status
		}},
		{"TokenCreateMissing", func() int { return c.PostRaw("/account/tokens", url.Values{"name": {"x"}}).Status }},
		{"TokenCreateForged", func() int {
			return c.PostRaw("/account/tokens", url.Values{"name": {"x"}, "_csrf": {"AAAA"}}).Status
		}},
		{"AccountDeleteMissing", func() int {
			return c.PostRaw("/account/delete", url.Values{"password": {"correct horse battery"}}).Status
		}},
		{"LogoutMissing", func() int { return c.PostRaw("/logout", url.Values{}).Status }},
		{"APIWithSessionButNoHeader", func() int {
			return jsonReq(t, in, c, http.MethodPost, "/api/v1/me/tokens", "", `{"name":"x"}`).Status
		}},
		{"APIDeleteWithForgedHeader", func() int {
			return jsonReq(t, in, c, http.MethodDelete, "/api/v1/me", "forged", `{"password":"correct horse battery"}`).Status
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if st := tc.do(); st != http.StatusForbidden {
				t.Errorf("status %d, want 403", st)
			}
		})
	}
	for _, tb := range tables {
		if n := count(t, in, tb, ""); n != before[tb] {
			t.Errorf("%s: %d rows after refused requests, %d before", tb, n, before[tb])
		}
	}
	// Still logged in: the refused logout did nothing.
	c.Get("/account").Must(t, http.StatusOK)
	// The refusal is a translated page.
	r := visitor.PostRaw("/register?locale=nl", reg)
	r.Must(t, http.StatusForbidden).Contains(t, "Laad de pagina opnieuw")
}

func TestAccountBadInput(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	in.CreateAccount("hal@example.org", "correct horse battery", false)
	c := in.Client()
	csrf := pageCSRF(t, c, "/register")
	accountsBefore := count(t, in, "accounts", "")

	t.Run("OversizeForm", func(t *testing.T) {
		form := url.Values{"_csrf": {csrf}, "email": {"big@example.org"}, "name": {strings.Repeat("x", 3<<20)}, "nickname": {"big"}, "password": {"correct horse battery"}}
		r := c.PostRaw("/register", form)
		if r.Status != http.StatusRequestEntityTooLarge && r.Status != http.StatusBadRequest {
			t.Fatalf("status %d, want 413 or 400", r.Status)
		}
		if !strings.Contains(r.Body, "too large") {
			t.Errorf("no 'too large' message:\n%s", apptest.Snippet(r.Body))
		}
	})
	t.Run("WrongContentType", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/register", strings.NewReader("email=x@example.org"))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("X-CSRF-Token", csrf)
		r := c.Do(req)
		r.Must(t, http.StatusBadRequest).Contains(t, "Unsupported content type")
	})
	t.Run("MalformedForm", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/register", strings.NewReader("email=%zz&_csrf="+url.QueryEscape(csrf)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", csrf)
		if r := c.Do(req); r.Status != http.StatusBadRequest {
			t.Errorf("status %d, want 400", r.Status)
		}
	})
	t.Run("InvalidFieldsKeepValues", func(t *testing.T) {
		form := url.Values{"_csrf": {csrf}, "email": {"not-an-address"}, "name": {"Ivy Typed"}, "nickname": {"a b"}, "password": {"short"}, "kind": {"group"}}
		r := c.PostRaw("/register?locale=fr", form)
		r.Must(t, http.StatusUnprocessableEntity).Contains(t,
			`value="not-an-address"`, `value="Ivy Typed"`, `value="a b"`, `<option value="group" selected>`,
			"Saisissez une adresse e-mail valide", "Utilisez au moins 10 caractères", `aria-invalid="true"`, `id="f-email-error"`)
		if strings.Contains(r.Body, `value="short"`) {
			t.Error("the password is sent back")
		}
	})
	t.Run("DuplicateEmail", func(t *testing.T) {
		form := url.Values{"_csrf": {csrf}, "email": {"hal@example.org"}, "name": {"Hal"}, "nickname": {"hal2"}, "password": {"correct horse battery"}}
		c.PostRaw("/register?locale=en", form).Must(t, http.StatusConflict).Contains(t, "already exists")
	})
	t.Run("APIWrongContentType", func(t *testing.T) {
		tok, secret, err := in.App.Accounts.CreateAPIToken(t.Context(), mustAccount(t, in, "hal@example.org").ID, "script")
		if err != nil || tok == nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/api/v1/me/tokens", strings.NewReader(`{"name":"x"}`))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Authorization", "Bearer "+secret)
		c.Do(req).Must(t, http.StatusBadRequest).Contains(t, `"error":"bad_request"`)
		req, _ = http.NewRequest(http.MethodPost, in.URL+"/api/v1/me/tokens", strings.NewReader(`{"name":"x","admin":true}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		c.Do(req).Must(t, http.StatusBadRequest)
		req, _ = http.NewRequest(http.MethodPost, in.URL+"/api/v1/me/tokens", strings.NewReader(`{"name":"`+strings.Repeat("y", 3<<20)+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		if r := c.Do(req); r.Status != http.StatusRequestEntityTooLarge && r.Status != http.StatusBadRequest {
			t.Errorf("oversize JSON: %d, want 413 or 400", r.Status)
		}
		if n := count(t, in, "api_tokens", ""); n != 1 {
			t.Errorf("%d API tokens, want only the one created directly", n)
		}
	})
	if n := count(t, in, "accounts", ""); n != accountsBefore {
		t.Errorf("accounts: %d rows, %d before", n, accountsBefore)
	}
}

func mustAccount(t *testing.T, in *apptest.Instance, email string) *accounts.Account {
	t.Helper()
	a, err := in.App.Accounts.ByEmail(t.Context(), in.Org.ID, email)
	if err != nil {
		t.Fatalf("loading %s: %v", email, err)
	}
	return a
}
