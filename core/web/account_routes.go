// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
)

// mountAccounts registers every page and API route of accounts: one
// handler per file (account_<noun>_<verb>.go), all listed here.
func (s *Server) mountAccounts() {
	// Runs after loadAccount (global middleware apply in order), before
	// any handler: a session opened before a password reset or an erasure
	// is dropped.
	s.Echo.Use(s.checkSessionEpoch)

	r := s.Root()
	r.Page(http.MethodGet, "/register", NeedPublic, s.accountRegisterForm)
	r.Page(http.MethodPost, "/register", NeedPublic, s.requirePoW("register", s.accountRegister))
	r.Page(http.MethodGet, "/confirm", NeedPublic, s.accountConfirmForm)
	r.Page(http.MethodPost, "/confirm", NeedPublic, s.accountConfirm)
	r.Page(http.MethodGet, "/confirm/resend", NeedPublic, s.accountConfirmResendForm)
	r.Page(http.MethodPost, "/confirm/resend", NeedPublic, s.accountConfirmResend)
	r.Page(http.MethodGet, "/login", NeedPublic, s.accountLoginForm)
	r.Page(http.MethodPost, "/login", NeedPublic, s.accountLogin)
	r.Page(http.MethodGet, "/login/totp", NeedPublic, s.accountLoginTOTPForm)
	r.Page(http.MethodPost, "/login/totp", NeedPublic, s.accountLoginTOTP)
	r.Page(http.MethodGet, "/reauth", NeedLogin, s.accountReauthForm)
	r.Page(http.MethodPost, "/reauth", NeedLogin, s.accountReauth)
	r.Page(http.MethodPost, "/logout", NeedPublic, s.accountLogout)
	r.Page(http.MethodGet, "/password/forgot", NeedPublic, s.accountPasswordForgotForm)
	r.Page(http.MethodPost, "/password/forgot", NeedPublic, s.accountPasswordForgot)
	r.Page(http.MethodGet, "/password/reset", NeedPublic, s.accountPasswordResetForm)
	r.Page(http.MethodPost, "/password/reset", NeedPublic, s.accountPasswordReset)
	r.Page(http.MethodGet, "/account", NeedLogin, s.accountShow)
	r.Page(http.MethodPost, "/account", NeedLogin, s.accountUpdate)
	r.Page(http.MethodPost, "/account/sessions/end", NeedLogin, s.accountSessionsEnd)
	r.Page(http.MethodGet, "/account/data", NeedLogin, s.accountDataDownload)
	r.Page(http.MethodGet, "/account/delete", NeedLogin, s.accountDeleteForm)
	r.Page(http.MethodPost, "/account/delete", NeedLogin, s.accountDelete)
	r.Page(http.MethodGet, "/account/tokens", NeedLogin, s.accountTokenList)
	r.Page(http.MethodPost, "/account/tokens", NeedLogin, s.accountTokenCreate)
	r.Page(http.MethodPost, "/account/tokens/:id/revoke", NeedLogin, s.accountTokenRevoke)
	r.Page(http.MethodGet, "/account/totp", NeedLogin, s.accountTOTPShow)
	r.Page(http.MethodPost, "/account/totp/setup", NeedLogin, s.accountTOTPSetup)
	r.Page(http.MethodPost, "/account/totp/enable", NeedLogin, s.accountTOTPEnable)
	r.Page(http.MethodPost, "/account/totp/disable", NeedLogin, s.accountTOTPDisable)

	r.API(http.MethodPost, "/register", NeedPublic, Operation{
		Summary:  "Register an account; a confirmation link is mailed. Like every cookie request, needs the session's X-CSRF-Token. Proof of work as on the form (pow_challenge and pow_nonce query parameters), or the per-IP limit of unsolved registrations.",
		Body:     map[string]string{"email": "string", "name": "string", "nickname": "string", "password": "string", "locale": "string", "kind": "string"},
		Required: []string{"email", "name", "nickname", "password"},
		Response: "The new (unconfirmed) account.",
		// The same guard as the form: without it a bot registers through
		// the API with neither proof of work nor limit.
	}, s.requirePoW("register", s.accountRegisterAPI))
	r.API(http.MethodPost, "/confirm", NeedPublic, Operation{
		Summary:  "Confirm an e-mail address with the token of the mailed link.",
		Body:     map[string]string{"token": "string"},
		Required: []string{"token"},
		Response: "The confirmed account.",
	}, s.accountConfirmAPI)
	r.API(http.MethodPost, "/confirm/resend", NeedPublic, Operation{
		Summary:  "Mail a new confirmation link to an unconfirmed account (same answer for any address).",
		Body:     map[string]string{"email": "string"},
		Required: []string{"email"},
		Response: "Accepted.",
	}, s.accountConfirmResendAPI)
	r.API(http.MethodPost, "/password/forgot", NeedPublic, Operation{
		Summary:  "Mail a password reset link, valid one hour (same answer for any address).",
		Body:     map[string]string{"email": "string"},
		Required: []string{"email"},
		Response: "Accepted.",
	}, s.accountPasswordForgotAPI)
	r.API(http.MethodPost, "/password/reset", NeedPublic, Operation{
		Summary:  "Set a new password with the token of a reset link; every session of the account ends.",
		Body:     map[string]string{"token": "string", "password": "string"},
		Required: []string{"token", "password"},
		Response: "No content.",
	}, s.accountPasswordResetAPI)
	r.API(http.MethodGet, "/me", NeedLogin, Operation{Summary: "The authenticated account.", Response: "The account."}, s.accountShowAPI)
	r.API(http.MethodPatch, "/me", NeedLogin, Operation{
		Summary:  "Update the authenticated account's profile.",
		Body:     map[string]string{"name": "string", "nickname": "string", "locale": "string"},
		Required: []string{"name", "nickname"},
		Response: "The updated account.",
	}, s.accountUpdateAPI)
	r.API(http.MethodGet, "/me/data", NeedLogin, Operation{Summary: "Download every piece of personal data held about the account (GDPR).", Response: "The personal data export."}, s.accountDataDownloadAPI)
	r.API(http.MethodDelete, "/me", NeedLogin, Operation{
		Summary:  "Delete (anonymise) the authenticated account; contributions stay under a neutral name.",
		Body:     map[string]string{"password": "string"},
		Required: []string{"password"},
		Response: "No content.",
	}, s.accountDeleteAPI)
	r.API(http.MethodDelete, "/me/sessions", NeedLogin, Operation{Summary: "Log the account out of every browser session but the caller's (tokens stay valid).", Response: "No content."}, s.accountSessionsEndAPI)
	r.API(http.MethodGet, "/me/tokens", NeedLogin, Operation{Summary: "List the account's personal access tokens (never their secrets).", Response: "The tokens."}, s.accountTokenListAPI)
	r.API(http.MethodPost, "/me/tokens", NeedLogin, Operation{
		Summary:  "Create a personal access token; its secret is returned once.",
		Body:     map[string]string{"name": "string"},
		Required: []string{"name"},
		Response: "The token and its secret.",
	}, s.accountTokenCreateAPI)
	r.API(http.MethodPost, "/me/reauth", NeedLogin, Operation{
		Summary:  "Confirm the password (and the TOTP or recovery code when the second factor is on): for 15 minutes the session may change administration settings (their calls otherwise answer 403 with error \"reauth_required\"). Rotates the session cookie.",
		Body:     map[string]string{"password": "string", "code": "string"},
		Required: []string{"password"},
		Response: "valid_until (RFC 3339).",
	}, s.accountReauthAPI)
	r.API(http.MethodDelete, "/me/tokens/:id", NeedLogin, Operation{Summary: "Revoke a personal access token.", Response: "No content."}, s.accountTokenRevokeAPI)
}

const sessionEpochKey = "account_epoch"

// checkSessionEpoch logs out a session whose account has since ended all
// its sessions (password reset, erasure).
func (s *Server) checkSessionEpoch(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		acc := Account(c)
		if acc == nil || strings.HasPrefix(c.Request().Header.Get("Authorization"), "Bearer ") {
			return next(c)
		}
		ctx := c.Request().Context()
		if s.Sessions.GetInt64(ctx, sessionEpochKey) != acc.SessionEpoch {
			s.Sessions.Remove(ctx, sessionAccountKey)
			s.Sessions.Remove(ctx, sessionEpochKey)
			c.Set(keyAccount, nil)
		}
		return next(c)
	}
}

// LoginAccount opens a session for an account: the session token is
// rotated, the account's session epoch and preferred language are
// remembered, and modules merge what the visitor did anonymously in this
// session (SessionMerger). Every way of logging in goes through it.
func (s *Server) LoginAccount(c echo.Context, acc *accounts.Account) error {
	secret := s.sessionSecret(c)
	if err := s.Login(c, acc.ID); err != nil {
		return err
	}
	s.mergeSession(c, secret, acc.ID)
	ctx := c.Request().Context()
	// A login waiting for another account's code does not survive.
	s.Sessions.Remove(ctx, sessionTOTPPendingKey)
	s.Sessions.Remove(ctx, sessionTOTPPendingAtKey)
	s.Sessions.Put(ctx, sessionEpochKey, acc.SessionEpoch)
	if acc.Locale != "" {
		s.Sessions.Put(ctx, "locale", acc.Locale)
	}
	c.Set(keyAccount, acc)
	return nil
}

// accountHolders lists what keeps personal data, for export and erasure:
// the core services registered with accounts' AddHolder, the authorizer
// (role grants) when it implements the interfaces, the space types and
// the modules.
func (s *Server) accountHolders() accounts.Holders {
	all := s.Accounts.CoreHolders()
	if s.Authz != nil {
		all["core_roles"] = s.Authz
	}
	for _, m := range s.Registry.Modules() {
		all[m.Manifest().ID] = m
	}
	for t, res := range s.spaces {
		all[t] = res
	}
	return accounts.HoldersOf(all)
}

// audit records an account action; details never carry secrets.
func (s *Server) auditAccount(c echo.Context, actorID int64, action, resourceType, resourceID string) {
	if s.Audit == nil {
		return
	}
	s.Audit.Record(c.Request().Context(), AuditEntry{OrganisationID: Org(c).ID, ActorID: actorID, Action: action, ResourceType: resourceType, ResourceID: resourceID})
}

// localPath returns next when it is a path on this site, else "/": the
// login form must not become an open redirect.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// isBearer reports whether the request authenticates with a personal
// access token rather than a session cookie.
func isBearer(c echo.Context) bool {
	return strings.HasPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
}
