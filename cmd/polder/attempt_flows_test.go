// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/blindtoken"
	"github.com/polder-civic/polder/core/mail"
	"github.com/polder-civic/polder/core/pow"
	"github.com/polder-civic/polder/core/verify"
	"github.com/polder-civic/polder/internal/instancetest"
)

// The attempts below are flows, not single routes: a one-time token used
// a second time, and a limit reached. Each refused attempt must write
// nothing but what records attempts by design.

var (
	mailedToken = regexp.MustCompile(`\?token=([A-Za-z0-9_-]+)`)
	tryAgainIn  = regexp.MustCompile(`Try again in (\d+) s`)
)

// send posts a form (pages) or JSON (API, when body starts with "{")
// from a client's session as the client address ip.
func send(t *testing.T, in *apptest.Instance, c *apptest.Client, csrf, ip, path string, form url.Values, body string) *apptest.Response {
	t.Helper()
	var req *http.Request
	if body != "" {
		req, _ = http.NewRequest(http.MethodPost, in.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
	} else {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("_csrf", csrf)
		req, _ = http.NewRequest(http.MethodPost, in.URL+path, strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	return c.Do(req)
}

// visitor is a new client with a visitor's session and its CSRF token.
func visitor(t *testing.T, in *apptest.Instance) (*apptest.Client, string) {
	c := in.Client()
	return c, instancetest.Session(t, in, c, 0)
}

// refused fails unless r is a client error other than a rate limit (a
// replay is refused for what it is, not because of a limit).
func refused(t *testing.T, what string, r *apptest.Response) {
	t.Helper()
	if r.Status < 400 || r.Status >= 500 || r.Status == http.StatusTooManyRequests {
		t.Errorf("%s: status %d, want a refusal (4xx)\n%s", what, r.Status, apptest.Snippet(r.Body))
	}
}

// overLimit fails unless r is a 429 that says how long to wait.
func overLimit(t *testing.T, what string, r *apptest.Response) {
	t.Helper()
	if r.Status != http.StatusTooManyRequests {
		t.Errorf("%s: status %d, want 429\n%s", what, r.Status, apptest.Snippet(r.Body))
		return
	}
	m := tryAgainIn.FindStringSubmatch(r.Body)
	if m == nil {
		t.Errorf("%s: no \"Try again in N s\" message\n%s", what, apptest.Snippet(r.Body))
		return
	}
	if n, _ := strconv.Atoi(m[1]); n <= 0 {
		t.Errorf("%s: wait %d s", what, n)
	}
}

func mailedTokenTo(t *testing.T, rec *mail.Recorder, to string) string {
	t.Helper()
	m, ok := rec.Last(to)
	if !ok {
		t.Fatalf("no mail to %s", to)
	}
	sm := mailedToken.FindStringSubmatch(m.Text)
	if sm == nil {
		t.Fatalf("no token in the mail to %s:\n%s", to, m.Text)
	}
	return sm[1]
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// TestAttemptReplayedTokens uses each one-time token twice: e-mail
// confirmation, password reset, invitation code, blind token (and its
// issuance), solved proof-of-work challenge, and the CSRF token and
// cookie of a session that ended.
func TestAttemptReplayedTokens(t *testing.T) {
	ctx := context.Background()
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	fx := instancetest.NewFixture(t, in)
	rec := mail.NewRecorder()
	in.App.Accounts.Mailer = rec
	// A replayed token is refused for what it is; the limiters may count
	// the failure (a wrong code counts toward the verification limit).
	except := instancetest.Merge(instancetest.CoreAttemptTables, instancetest.RateLimitTables)
	const pw = "correct horse battery"

	t.Run("EmailConfirmation", func(t *testing.T) {
		c, csrf := visitor(t, in)
		r := send(t, in, c, csrf, "10.8.0.1", "/register", url.Values{"email": {"rae@example.org"}, "name": {"Rae"}, "nickname": {"rae"}, "password": {pw}, "kind": {"person"}}, "")
		if r.Status != http.StatusOK {
			t.Fatalf("register: status %d\n%s", r.Status, apptest.Snippet(r.Body))
		}
		token := mailedTokenTo(t, rec, "rae@example.org")
		c, csrf = visitor(t, in)
		send(t, in, c, csrf, "", "/confirm", url.Values{"token": {token}}, "").Must(t, http.StatusSeeOther)
		instancetest.NoWrites(t, in.App.DB, except, "confirmation replayed", func() {
			c, csrf := visitor(t, in)
			refused(t, "confirmation replayed (page)", send(t, in, c, csrf, "", "/confirm", url.Values{"token": {token}}, ""))
			refused(t, "confirmation replayed (API)", send(t, in, c, csrf, "", "/api/v1/confirm", nil, fmt.Sprintf(`{"token":%q}`, token)))
		})
	})

	t.Run("PasswordReset", func(t *testing.T) {
		in.CreateAccount("rex@example.org", pw, false)
		c, csrf := visitor(t, in)
		send(t, in, c, csrf, "10.8.0.2", "/password/forgot", url.Values{"email": {"rex@example.org"}}, "")
		token := mailedTokenTo(t, rec, "rex@example.org")
		send(t, in, c, csrf, "", "/password/reset", url.Values{"token": {token}, "password": {"staple tuna violin"}}, "").Must(t, http.StatusSeeOther)
		instancetest.NoWrites(t, in.App.DB, except, "reset replayed", func() {
			c, csrf := visitor(t, in)
			refused(t, "reset replayed (page)", send(t, in, c, csrf, "", "/password/reset", url.Values{"token": {token}, "password": {"an attacker's password"}}, ""))
			refused(t, "reset replayed (API)", send(t, in, c, csrf, "", "/api/v1/password/reset", nil, fmt.Sprintf(`{"token":%q,"password":"an attacker's password"}`, token)))
		})
	})

	t.Run("InvitationCode", func(t *testing.T) {
		if _, err := in.App.Verify.Configure(ctx, in.Org.ID, "code", true, 30, ""); err != nil {
			t.Fatal(err)
		}
		codes, err := in.App.Verify.GenerateCodes(ctx, in.Org.ID, 2, "letters")
		if err != nil {
			t.Fatal(err)
		}
		ann := instancetest.NewUser(t, in, "ann", false)
		ann.Post("/verify/code", url.Values{"code": {codes[0]}}).Must(t, http.StatusSeeOther)
		if !in.App.Verify.Has(ctx, ann.Acc.ID, "code") {
			t.Fatal("the code did not verify its first user")
		}
		bob := instancetest.NewUser(t, in, "bob", false)
		instancetest.NoWrites(t, in.App.DB, except, "code replayed", func() {
			refused(t, "code replayed (page)", bob.Post("/verify/code", url.Values{"code": {codes[0]}}))
			refused(t, "code replayed (API)", send(t, in, bob.Client, bob.CSRF, "", "/api/v1/verify/code", nil, fmt.Sprintf(`{"code":%q}`, codes[0])))
		})
		if in.App.Verify.Has(ctx, bob.Acc.ID, verify.Codes{}.Kind()) {
			t.Fatal("one code verified two accounts")
		}
	})

	t.Run("BlindToken", func(t *testing.T) {
		admin := instancetest.NewUser(t, in, "admin", true)
		admin.Post(fx.URL()+"/anon/enable", nil).Must(t, http.StatusSeeOther)
		var key struct {
			PublicKey string `json:"public_key"`
		}
		r := in.Client().JSON(http.MethodGet, "/api/v1"+fx.URL()+"/anon/key", "", "").Must(t, http.StatusOK)
		if err := json.Unmarshal([]byte(r.Body), &key); err != nil {
			t.Fatal(err)
		}
		pk, err := blindtoken.ParsePublicKey(key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		p := instancetest.NewUser(t, in, "pia", false)
		req, err := blindtoken.NewRequest(pk)
		if err != nil {
			t.Fatal(err)
		}
		r = send(t, in, p.Client, p.CSRF, "", "/api/v1"+fx.URL()+"/anon/issue", nil, fmt.Sprintf(`{"blinded":%q}`, b64(req.Blinded))).Must(t, http.StatusOK)
		var bs struct {
			BlindSignature string `json:"blind_signature"`
		}
		if err := json.Unmarshal([]byte(r.Body), &bs); err != nil {
			t.Fatal(err)
		}
		blindSig, _ := base64.RawURLEncoding.DecodeString(bs.BlindSignature)
		sig, err := req.Finalize(blindSig)
		if err != nil {
			t.Fatal(err)
		}
		redeem := fmt.Sprintf(`{"message":%q,"signature":%q}`, b64(req.Message), b64(sig))
		c, csrf := visitor(t, in)
		send(t, in, c, csrf, "", "/api/v1"+fx.URL()+"/anon/redeem", nil, redeem).Must(t, http.StatusOK)

		again, err := blindtoken.NewRequest(pk)
		if err != nil {
			t.Fatal(err)
		}
		instancetest.NoWrites(t, in.App.DB, except, "blind token replayed", func() {
			c, csrf := visitor(t, in)
			refused(t, "token redeemed twice (API)", send(t, in, c, csrf, "", "/api/v1"+fx.URL()+"/anon/redeem", nil, redeem))
			refused(t, "token redeemed twice (page)", send(t, in, c, csrf, "10.8.0.3", fx.URL()+"/anon/redeem", url.Values{"token": {blindtoken.FormatToken(req.Message, sig)}}, ""))
			// One token per verified person: a second issuance is refused.
			refused(t, "second issuance", send(t, in, p.Client, p.CSRF, "", "/api/v1"+fx.URL()+"/anon/issue", nil, fmt.Sprintf(`{"blinded":%q}`, b64(again.Blinded))))
		})
	})

	t.Run("ProofOfWork", func(t *testing.T) {
		c, csrf := visitor(t, in)
		m := regexp.MustCompile(`name="pow_challenge" value="([^"]+)"`).FindStringSubmatch(c.Get("/register").Body)
		if m == nil {
			t.Fatal("the registration form carries no proof-of-work challenge")
		}
		nonce, err := pow.Solve(m[1])
		if err != nil {
			t.Fatal(err)
		}
		form := func(nick string) url.Values {
			return url.Values{"email": {nick + "@example.org"}, "name": {"Solver"}, "nickname": {nick}, "password": {pw}, "kind": {"person"},
				pow.FieldChallenge: {m[1]}, pow.FieldNonce: {nonce}}
		}
		send(t, in, c, csrf, "10.8.0.4", "/register", form("solver1"), "").Must(t, http.StatusOK)
		instancetest.NoWrites(t, in.App.DB, except, "solved challenge replayed", func() {
			c, csrf := visitor(t, in)
			refused(t, "solved challenge replayed", send(t, in, c, csrf, "10.8.0.5", "/register", form("solver2"), ""))
		})
	})

	t.Run("EndedSession", func(t *testing.T) {
		u := instancetest.NewUser(t, in, "uma", false)
		base, _ := url.Parse(in.URL)
		cookies := u.Client.HTTP.Jar.Cookies(base)
		u.Post("/logout", nil).Must(t, http.StatusSeeOther)
		// The cookie and CSRF token of the ended session, replayed.
		thief := in.Client()
		thief.HTTP.Jar.SetCookies(base, cookies)
		instancetest.NoWrites(t, in.App.DB, except, "ended session replayed", func() {
			r := send(t, in, thief, u.CSRF, "", "/account", url.Values{"name": {"Stolen"}, "nickname": {"stolen"}, "email": {"thief@example.org"}}, "")
			if r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden {
				t.Errorf("ended session replayed: status %d, want 401 or 403\n%s", r.Status, apptest.Snippet(r.Body))
			}
			r = send(t, in, thief, u.CSRF, "", "/api/v1/me/tokens", nil, `{"name":"stolen"}`)
			if r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden {
				t.Errorf("ended session replayed (API): status %d, want 401 or 403\n%s", r.Status, apptest.Snippet(r.Body))
			}
		})
	})
}

// TestAttemptRateLimits goes over each limit there is and checks the next
// attempt is refused with "try again in N s" and writes nothing but the
// limiters' counters: failed logins per address and per e-mail,
// registrations without proof of work per address (page and API), mailed
// reset and confirmation links per e-mail, verification failures per account, and redemptions
// without proof of work per address.
func TestAttemptRateLimits(t *testing.T) {
	ctx := context.Background()
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	fx := instancetest.NewFixture(t, in)
	rec := mail.NewRecorder()
	in.App.Accounts.Mailer = rec
	except := instancetest.Merge(instancetest.CoreAttemptTables, instancetest.RateLimitTables)
	const pw = "correct horse battery"

	t.Run("Login", func(t *testing.T) {
		in.CreateAccount("lou@example.org", pw, false)
		c, csrf := visitor(t, in)
		for i := 0; i < accounts.LoginMax; i++ {
			send(t, in, c, csrf, "10.9.0.1", "/login", url.Values{"email": {"lou@example.org"}, "password": {"wrong password!!"}}, "").Must(t, http.StatusUnauthorized)
		}
		instancetest.NoWrites(t, in.App.DB, except, "login over the limit", func() {
			// Even the right password: the limit is reached.
			overLimit(t, "login over the limit", send(t, in, c, csrf, "10.9.0.1", "/login", url.Values{"email": {"lou@example.org"}, "password": {pw}}, ""))
			// The same address for another account, another address for
			// this one.
			overLimit(t, "login from the address over the limit", send(t, in, c, csrf, "10.9.0.1", "/login", url.Values{"email": {"other@example.org"}, "password": {pw}}, ""))
			overLimit(t, "login of the e-mail over the limit", send(t, in, c, csrf, "10.9.0.2", "/login", url.Values{"email": {"lou@example.org"}, "password": {pw}}, ""))
		})
		if r := c.Get("/account"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Errorf("signed in over the limit: GET /account %d %q", r.Status, r.Location)
		}
	})

	register := func(t *testing.T, ip string, api bool, n int) *apptest.Response {
		c, csrf := visitor(t, in)
		email := fmt.Sprintf("reg%d-%s@example.org", n, strings.ReplaceAll(ip, ".", "-"))
		nick := fmt.Sprintf("r%d%s", n, strings.ReplaceAll(ip, ".", ""))
		if api {
			return send(t, in, c, csrf, ip, "/api/v1/register", nil, fmt.Sprintf(`{"email":%q,"name":"Reg","nickname":%q,"password":%q}`, email, nick, pw))
		}
		return send(t, in, c, csrf, ip, "/register", url.Values{"email": {email}, "name": {"Reg"}, "nickname": {nick}, "password": {pw}, "kind": {"person"}}, "")
	}
	for _, api := range []bool{false, true} {
		name, ip, ok := "RegisterPage", "10.9.1.1", http.StatusOK
		if api {
			name, ip, ok = "RegisterAPI", "10.9.1.2", http.StatusCreated
		}
		t.Run(name, func(t *testing.T) {
			for i := 0; i < pow.NoJSMax; i++ {
				register(t, ip, api, i).Must(t, ok)
			}
			instancetest.NoWrites(t, in.App.DB, except, "registration over the limit", func() {
				overLimit(t, "registration without proof of work over the limit", register(t, ip, api, pow.NoJSMax))
			})
		})
	}

	t.Run("MailedLinks", func(t *testing.T) {
		in.CreateAccount("max@example.org", pw, false)
		sent := func() int { return len(rec.Sent()) }
		for i := 0; i < accounts.ResetMax; i++ {
			c, csrf := visitor(t, in)
			send(t, in, c, csrf, fmt.Sprintf("10.9.2.%d", i+1), "/password/forgot", url.Values{"email": {"max@example.org"}}, "")
		}
		n := sent()
		instancetest.NoWrites(t, in.App.DB, except, "reset links over the limit", func() {
			c, csrf := visitor(t, in)
			overLimit(t, "reset link over the limit (page)", send(t, in, c, csrf, "10.9.2.100", "/password/forgot", url.Values{"email": {"max@example.org"}}, ""))
			overLimit(t, "reset link over the limit (API)", send(t, in, c, csrf, "10.9.2.101", "/api/v1/password/forgot", nil, `{"email":"max@example.org"}`))
		})
		if sent() != n {
			t.Errorf("%d mails sent over the limit", sent()-n)
		}
		// Confirmation links have their own count, per address too.
		c, csrf := visitor(t, in)
		r := send(t, in, c, csrf, "10.9.2.200", "/register", url.Values{"email": {"una@example.org"}, "name": {"Una"}, "nickname": {"una"}, "password": {pw}, "kind": {"person"}}, "")
		if r.Status != http.StatusOK {
			t.Fatalf("register: status %d", r.Status)
		}
		for i := 0; i < accounts.ResetMax; i++ {
			c, csrf := visitor(t, in)
			send(t, in, c, csrf, fmt.Sprintf("10.9.4.%d", i+1), "/confirm/resend", url.Values{"email": {"una@example.org"}}, "")
		}
		n = sent()
		instancetest.NoWrites(t, in.App.DB, except, "confirmation links over the limit", func() {
			c, csrf := visitor(t, in)
			overLimit(t, "confirmation link over the limit (page)", send(t, in, c, csrf, "10.9.4.100", "/confirm/resend", url.Values{"email": {"una@example.org"}}, ""))
			overLimit(t, "confirmation link over the limit (API)", send(t, in, c, csrf, "10.9.4.101", "/api/v1/confirm/resend", nil, `{"email":"una@example.org"}`))
		})
		if sent() != n {
			t.Errorf("%d confirmation mails sent over the limit", sent()-n)
		}
	})

	t.Run("VerificationFailures", func(t *testing.T) {
		if _, err := in.App.Verify.Configure(ctx, in.Org.ID, "code", true, 30, ""); err != nil {
			t.Fatal(err)
		}
		codes, err := in.App.Verify.GenerateCodes(ctx, in.Org.ID, 1, "letters")
		if err != nil {
			t.Fatal(err)
		}
		u := instancetest.NewUser(t, in, "vic", false)
		for i := 0; i < verify.MaxFailures; i++ {
			u.Post("/verify/code", url.Values{"code": {"ABCD-EFGH-JKLM"}}).Must(t, http.StatusUnprocessableEntity)
		}
		instancetest.NoWrites(t, in.App.DB, except, "verification over the limit", func() {
			overLimit(t, "verification over the limit", u.Post("/verify/code", url.Values{"code": {codes[0]}}))
		})
		if in.App.Verify.Has(ctx, u.Acc.ID, "code") {
			t.Error("verified over the limit")
		}
	})

	t.Run("RedeemWithoutProofOfWork", func(t *testing.T) {
		admin := instancetest.NewUser(t, in, "admin", true)
		admin.Post(fx.URL()+"/anon/enable", nil).Must(t, http.StatusSeeOther)
		c, csrf := visitor(t, in)
		for i := 0; i < pow.NoJSMax; i++ {
			r := send(t, in, c, csrf, "10.9.3.1", fx.URL()+"/anon/redeem", url.Values{"token": {"AAAA.BBBB"}}, "")
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("redemption %d: status %d, want 422 (bad token)", i+1, r.Status)
			}
		}
		instancetest.NoWrites(t, in.App.DB, except, "redemption over the limit", func() {
			overLimit(t, "redemption without proof of work over the limit", send(t, in, c, csrf, "10.9.3.1", fx.URL()+"/anon/redeem", url.Values{"token": {"AAAA.BBBB"}}, ""))
		})
	})
}
