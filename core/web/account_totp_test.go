// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
)

var (
	totpSecretRe   = regexp.MustCompile(`<code class="totp-secret">([A-Z2-7]+)</code>`)
	recoveryCodeRe = regexp.MustCompile(`<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>`)
)

// code returns the TOTP code of secret at now + offset.
func code(t *testing.T, secret string, offset time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now().Add(offset))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// otherCode is a six-digit code different from c.
func otherCode(c string) string {
	n, _ := strconv.Atoi(c)
	return fmt.Sprintf("%06d", (n+1)%1000000)
}

func TestTOTPEnrolLoginDisable(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	const pw = "correct horse battery"
	acc := in.CreateAccount("tia@example.org", pw, true)
	c := in.Client()
	login(t, c, "tia@example.org", pw).Must(t, http.StatusSeeOther)

	c.Get("/account/totp").Must(t, http.StatusOK).Contains(t, in.App.Bundle.T("en", "accounts.totp.status.off", nil))
	r := post(t, c, "/account/totp", "/account/totp/setup", url.Values{}).Must(t, http.StatusOK)
	r.Contains(t, `src="data:image/png;base64,`, "otpauth://totp/")
	if strings.Contains(r.Body, "https://") {
		t.Error("the setup page links to another site (the QR code must be drawn here)")
	}
	m := totpSecretRe.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no secret on the setup page\n%s", apptest.Snippet(r.Body))
	}
	secret := m[1]
	var stored string
	in.App.DB.Raw("SELECT secret FROM account_totp WHERE account_id = ?", acc.ID).Scan(&stored)
	if stored == "" || strings.Contains(stored, secret) {
		t.Fatalf("the secret is not stored sealed: %q", stored)
	}

	// A wrong code leaves it off; the right one turns it on, shows ten
	// recovery codes once and rotates the session token.
	first := code(t, secret, 0)
	post(t, c, "/account/totp", "/account/totp/enable", url.Values{"code": {otherCode(first)}}).Must(t, http.StatusUnprocessableEntity).
		Contains(t, in.App.Bundle.T("en", "accounts.totp.error.code", nil))
	if n := count(t, in, "account_totp", "account_id = ? AND enabled_at IS NOT NULL", acc.ID); n != 0 {
		t.Fatal("a wrong code enabled the second factor")
	}
	before := sessionCookie(t, in, c)
	r = post(t, c, "/account/totp", "/account/totp/enable", url.Values{"code": {first}}).Must(t, http.StatusOK)
	codes := recoveryCodeRe.FindAllStringSubmatch(r.Body, -1)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	if sessionCookie(t, in, c) == before {
		t.Error("enabling the second factor kept the session token")
	}
	if n := count(t, in, "account_recovery_codes", "account_id = ? AND used_at IS NULL", acc.ID); n != 10 {
		t.Fatalf("%d recovery codes stored", n)
	}
	if n := count(t, in, "account_recovery_codes", "code_hash = ?", codes[0][1]); n != 0 {
		t.Fatal("a recovery code is stored in clear")
	}
	c.Get("/account/totp").Must(t, http.StatusOK).Contains(t, in.App.Bundle.T("en", "accounts.totp.status.on", nil))
	// The data download says it is on, never the secret.
	dl := c.Get("/account/data").Must(t, http.StatusOK)
	if !regexp.MustCompile(`"second_factor":\s*\{\s*"enabled":\s*true,\s*"recovery_codes_left":\s*10\s*\}`).MatchString(dl.Body) {
		t.Errorf("the data download does not report the second factor\n%s", apptest.Snippet(dl.Body))
	}
	if strings.Contains(dl.Body, secret) || strings.Contains(dl.Body, stored) {
		t.Fatal("the data download carries the TOTP secret")
	}
	// Re-authentication now asks for a code as well as the password.
	ageAuth(t, in, c, ReauthAge)
	post(t, c, "/reauth", "/reauth", url.Values{"password": {pw}, "next": {"/admin/roles"}}).Must(t, http.StatusUnprocessableEntity)
	post(t, c, "/admin/roles", "/admin/roles", url.Values{"email": {"tia@example.org"}, "role": {"moderator"}}).Must(t, http.StatusSeeOther)
	if n := count(t, in, "casbin_rule", "ptype = 'g'"); n != 0 {
		t.Fatalf("a stale session granted a role (%d grants)", n)
	}
	post(t, c, "/reauth", "/reauth", url.Values{"password": {pw}, "code": {codes[9][1]}, "next": {"/admin/roles"}}).Must(t, http.StatusSeeOther)

	// Login now stops after the password: no session until the code.
	logout := func() { post(t, c, "/account", "/logout", url.Values{}).Must(t, http.StatusSeeOther) }
	logout()
	r = login(t, c, "tia@example.org", pw).Must(t, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location, "/login/totp") {
		t.Fatalf("password step led to %q, want /login/totp", r.Location)
	}
	if loc := c.Get("/account").Location; !strings.HasPrefix(loc, "/login") {
		t.Fatalf("logged in before the code (GET /account → %q)", loc)
	}
	// The code already used to enable is refused (replay), a wrong one too.
	post(t, c, "/login/totp", "/login/totp", url.Values{"code": {first}}).Must(t, http.StatusUnprocessableEntity)
	post(t, c, "/login/totp", "/login/totp", url.Values{"code": {otherCode(code(t, secret, 30*time.Second))}}).Must(t, http.StatusUnprocessableEntity)
	// The next step's code (within the allowed skew) is accepted, once.
	next := code(t, secret, 30*time.Second)
	post(t, c, "/login/totp", "/login/totp", url.Values{"code": {next}}).Must(t, http.StatusSeeOther)
	c.Get("/account").Must(t, http.StatusOK)
	logout()
	login(t, c, "tia@example.org", pw).Must(t, http.StatusSeeOther)
	post(t, c, "/login/totp", "/login/totp", url.Values{"code": {next}}).Must(t, http.StatusUnprocessableEntity)

	// A recovery code works once.
	rc := strings.ToUpper(codes[3][1])
	post(t, c, "/login/totp", "/login/totp", url.Values{"code": {rc}}).Must(t, http.StatusSeeOther)
	c.Get("/account").Must(t, http.StatusOK)
	logout()
	login(t, c, "tia@example.org", pw).Must(t, http.StatusSeeOther)
	post(t, c, "/login/totp", "/login/totp", url.Values{"code": {rc}}).Must(t, http.StatusUnprocessableEntity)
	post(t, c, "/login/totp", "/login/totp", url.Values{"code": {codes[4][1]}}).Must(t, http.StatusSeeOther)

	// Disabling needs both the password and a code.
	post(t, c, "/account/totp", "/account/totp/disable", url.Values{"password": {"wrong password!!"}, "code": {codes[5][1]}}).Must(t, http.StatusUnprocessableEntity)
	post(t, c, "/account/totp", "/account/totp/disable", url.Values{"password": {pw}, "code": {"000000"}}).Must(t, http.StatusUnprocessableEntity)
	if n := count(t, in, "account_totp", "account_id = ?", acc.ID); n != 1 {
		t.Fatal("a refused request disabled the second factor")
	}
	before = sessionCookie(t, in, c)
	post(t, c, "/account/totp", "/account/totp/disable", url.Values{"password": {pw}, "code": {codes[6][1]}}).Must(t, http.StatusSeeOther)
	if sessionCookie(t, in, c) == before {
		t.Error("disabling the second factor kept the session token")
	}
	if n := count(t, in, "account_totp", "account_id = ?", acc.ID) + count(t, in, "account_recovery_codes", "account_id = ?", acc.ID); n != 0 {
		t.Fatalf("%d second-factor rows left after disabling", n)
	}
	logout()
	if r := login(t, c, "tia@example.org", pw).Must(t, http.StatusSeeOther); r.Location != "/" {
		t.Fatalf("login without second factor led to %q", r.Location)
	}
	var actions []string
	in.App.DB.Table("audit_log").Where("actor_id = ? AND action LIKE 'account.totp.%'", acc.ID).Order("id").Pluck("action", &actions)
	if strings.Join(actions, ",") != "account.totp.enable,account.totp.disable" {
		t.Errorf("audit log: %v", actions)
	}
}

// ageAuth makes the client's session look authenticated ago.
func ageAuth(t *testing.T, in *apptest.Instance, c *apptest.Client, ago time.Duration) {
	t.Helper()
	sm := in.App.Server.Sessions
	ctx, err := sm.Load(context.Background(), sessionCookie(t, in, c))
	if err != nil {
		t.Fatal(err)
	}
	sm.Put(ctx, "auth_at", time.Now().Add(-ago).Unix())
	if _, _, err := sm.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestReauthForAdminChanges(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	const pw = "correct horse battery"
	in.CreateAccount("ada@example.org", pw, true)
	pat := in.CreateAccount("pat@example.org", pw, false)
	c := in.Client()
	login(t, c, "ada@example.org", pw).Must(t, http.StatusSeeOther)
	grants := func() int64 { return count(t, in, "casbin_rule", "ptype = 'g'") }
	g0 := grants()

	// Freshly logged in: an admin change goes through.
	post(t, c, "/admin/roles", "/admin/roles", url.Values{"email": {"pat@example.org"}, "role": {"moderator"}}).Must(t, http.StatusSeeOther)
	if grants() != g0+1 {
		t.Fatal("the fresh admin's grant was not stored")
	}

	// 16 minutes later: pages still show, changes are sent to /reauth
	// and write nothing.
	ageAuth(t, in, c, ReauthAge)
	c.Get("/admin/roles").Must(t, http.StatusOK)
	csrf := pageCSRF(t, c, "/admin/roles")
	req, _ := http.NewRequest(http.MethodPost, in.URL+"/admin/roles", strings.NewReader(url.Values{"_csrf": {csrf}, "email": {"pat@example.org"}, "role": {"evaluator"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", in.URL+"/admin/roles")
	r := c.Do(req).Must(t, http.StatusSeeOther)
	if r.Location != "/reauth?next=%2Fadmin%2Froles" {
		t.Fatalf("stale admin post led to %q", r.Location)
	}
	if grants() != g0+1 {
		t.Fatal("a stale session changed roles")
	}
	// The JSON API answers with its own error code, translated.
	r = jsonReq(t, in, c, http.MethodPost, "/api/v1/admin/roles", csrf, `{"email":"pat@example.org","role":"evaluator"}`).Must(t, http.StatusForbidden)
	r.Contains(t, `"error":"reauth_required"`, "/api/v1/me/reauth")
	c.Get("/reauth?next=%2Fadmin%2Froles&locale=fr").Must(t, http.StatusOK)
	r = jsonReq(t, in, c, http.MethodPost, "/api/v1/admin/roles", csrf, `{"email":"pat@example.org","role":"evaluator"}`).Must(t, http.StatusForbidden)
	r.Contains(t, `"error":"reauth_required"`, "Confirmez")
	c.Get("/admin/roles?locale=en")
	// Minting a personal access token needs a recent authentication too.
	jsonReq(t, in, c, http.MethodPost, "/api/v1/me/tokens", csrf, `{"name":"script"}`).Must(t, http.StatusForbidden).Contains(t, `"error":"reauth_required"`)
	if grants() != g0+1 || count(t, in, "api_tokens", "") != 0 {
		t.Fatal("a stale session wrote")
	}
	// Other changes are not concerned.
	post(t, c, "/account", "/account", url.Values{"name": {"Ada"}, "nickname": {"ada"}}).Must(t, http.StatusSeeOther)

	// The re-auth page: a wrong password is refused, the right one
	// rotates the session and returns to the page.
	post(t, c, "/reauth?next=%2Fadmin%2Froles", "/reauth", url.Values{"password": {"wrong password!!"}, "next": {"/admin/roles"}}).Must(t, http.StatusUnprocessableEntity)
	before := sessionCookie(t, in, c)
	r = post(t, c, "/reauth?next=%2Fadmin%2Froles", "/reauth", url.Values{"password": {pw}, "next": {"/admin/roles"}}).Must(t, http.StatusSeeOther)
	if r.Location != "/admin/roles" {
		t.Fatalf("re-auth led to %q", r.Location)
	}
	if sessionCookie(t, in, c) == before {
		t.Error("re-authentication kept the session token")
	}
	post(t, c, "/admin/roles", "/admin/roles", url.Values{"email": {"pat@example.org"}, "role": {"evaluator"}}).Must(t, http.StatusSeeOther)
	if grants() != g0+2 {
		t.Fatal("the re-authenticated admin's grant was not stored")
	}

	// The API way: POST /api/v1/me/reauth, then a token (exempt from
	// re-auth, as scripts cannot type a password).
	ageAuth(t, in, c, ReauthAge)
	csrf = pageCSRF(t, c, "/admin/roles")
	jsonReq(t, in, c, http.MethodPost, "/api/v1/me/reauth", csrf, `{"password":"wrong password!!"}`).Must(t, http.StatusUnprocessableEntity)
	jsonReq(t, in, c, http.MethodPost, "/api/v1/me/reauth", csrf, `{"password":"`+pw+`"}`).Must(t, http.StatusOK)
	r = jsonReq(t, in, c, http.MethodPost, "/api/v1/me/tokens", csrf, `{"name":"script"}`).Must(t, http.StatusCreated)
	m := regexp.MustCompile(`"secret":"([^"]+)"`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("no token secret")
	}
	ageAuth(t, in, c, ReauthAge)
	bc := in.Client()
	bc.JSON(http.MethodPost, "/api/v1/admin/roles/revoke", m[1], fmt.Sprintf(`{"account_id":%d,"role":"evaluator"}`, pat.ID)).Must(t, http.StatusOK)
	if grants() != g0+1 {
		t.Fatalf("the bearer token's revocation was not applied (%d grants)", grants()-g0)
	}
}

// ReauthAge is older than the re-authentication window.
const ReauthAge = 16 * time.Minute

// TestTOTPLoginStepExpires: the code must follow the password within 5
// minutes; after that even a right code does not log in.
func TestTOTPLoginStepExpires(t *testing.T) {
	ctx := context.Background()
	in, _ := accountInstance(t, app.Options{})
	const pw = "correct horse battery"
	acc := in.CreateAccount("exp@example.org", pw, false)
	k, err := in.App.Accounts.BeginTOTP(ctx, acc, "Test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.App.Accounts.ConfirmTOTP(ctx, acc.ID, code(t, k.Secret(), 0)); err != nil {
		t.Fatal(err)
	}
	c := in.Client()
	login(t, c, "exp@example.org", pw).Must(t, http.StatusSeeOther)
	sm := in.App.Server.Sessions
	sctx, err := sm.Load(ctx, sessionCookie(t, in, c))
	if err != nil {
		t.Fatal(err)
	}
	sm.Put(sctx, "totp_pending_at", time.Now().Add(-6*time.Minute).Unix())
	if _, _, err := sm.Commit(sctx); err != nil {
		t.Fatal(err)
	}
	post(t, c, "/login", "/login/totp", url.Values{"code": {code(t, k.Secret(), 30*time.Second)}}).Must(t, http.StatusUnauthorized).
		Contains(t, in.App.Bundle.T("en", "accounts.totp.error.expired", nil))
	if loc := c.Get("/account").Location; !strings.HasPrefix(loc, "/login") {
		t.Fatalf("an expired second step logged in (GET /account → %q)", loc)
	}
}
