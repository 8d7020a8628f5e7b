// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
)

// ReauthWindow is how long a password (or second-factor) confirmation
// lets an administrator change things before being asked again.
const ReauthWindow = 15 * time.Minute

// sessionAuthAtKey is when the session last proved its password (set by
// Login and by re-authentication), in Unix seconds.
const sessionAuthAtKey = "auth_at"

// ReauthErrorCode is the "error" of the JSON answer to an admin API call
// whose session needs re-authentication (POST /api/v1/me/reauth).
const ReauthErrorCode = "reauth_required"

// adminPermissions are the permissions that mark administration routes:
// their state-changing requests need a recent authentication.
var adminPermissions = map[string]bool{"org.admin": true, "space.admin": true}

// RecentlyAuthenticated reports whether the session proved its password
// (or second factor) within ReauthWindow.
func (s *Server) RecentlyAuthenticated(c echo.Context) bool {
	at := s.Sessions.GetInt64(c.Request().Context(), sessionAuthAtKey)
	return at != 0 && time.Since(time.Unix(at, 0)) < ReauthWindow
}

// requireRecentAuth runs after the route's permission check: a
// state-changing request to an administration route from a session that
// has not authenticated within ReauthWindow is sent to /reauth (pages) or
// refused with ReauthErrorCode (JSON). Personal access tokens are exempt:
// they carry no ambient credential a passer-by could use, and minting
// one needs a recent authentication (docs/privacy.md).
func (s *Server) requireRecentAuth(c echo.Context, need Need) error {
	if need.Kind != Permitted || !adminPermissions[need.Permission] {
		return nil
	}
	return s.demandRecentAuth(c)
}

// demandRecentAuth is requireRecentAuth for a handler that guards itself
// (token creation, second-factor enrolment).
func (s *Server) demandRecentAuth(c echo.Context) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if Account(c) == nil || isBearer(c) || s.RecentlyAuthenticated(c) {
		return nil
	}
	e := &reauthError{next: refererPath(c)}
	if err := s.answerReauth(c, e); err != nil {
		return err
	}
	// The response is written: the error handler leaves committed
	// responses alone, and the error stops the handler chain.
	return e
}

// reauthError stops a request whose answer (JSON with its own code, or a
// redirect to /reauth) is already written.
type reauthError struct{ next string }

func (e *reauthError) Error() string { return "re-authentication required" }

// answerReauth writes the response for a reauthError.
func (s *Server) answerReauth(c echo.Context, e *reauthError) error {
	if IsAPI(c) || wantsJSON(c) {
		return c.JSON(http.StatusForbidden, APIError{Error: ReauthErrorCode, Message: s.Bundle.T(Locale(c), "accounts.reauth.required", nil)})
	}
	s.Flash(c, "accounts.reauth.resubmit")
	return c.Redirect(http.StatusSeeOther, "/reauth?next="+url.QueryEscape(e.next))
}

// refererPath is the page a form was posted from, when it is on this
// site, so that re-authentication can lead back to it.
func refererPath(c echo.Context) string {
	ref := c.Request().Referer()
	u, err := url.Parse(ref)
	if ref == "" || err != nil || u.Host != c.Request().Host {
		return "/"
	}
	return localPath(u.RequestURI())
}

func reauthForm(next string, withCode bool) *FormPage {
	p := &FormPage{Title: "accounts.reauth.title", Intro: "accounts.reauth.intro", Action: "/reauth", Submit: "accounts.reauth.submit",
		Fields: []FormField{{Name: "password", Type: "password", Label: "accounts.field.password", Autocomplete: "current-password", Required: true}},
		Hidden: map[string]string{"next": localPath(next)}}
	if withCode {
		p.Fields = append(p.Fields, totpCodeField())
	}
	return p
}

// accountReauthForm asks the logged-in person to confirm their password
// (and second factor, when enabled).
func (s *Server) accountReauthForm(c echo.Context) error {
	on, err := s.Accounts.TOTPEnabled(c.Request().Context(), AccountID(c))
	if err != nil {
		return err
	}
	return s.renderForm(c, reauthForm(c.QueryParam("next"), on), nil)
}

// reauthenticate is the use case behind the page and the API: the
// password, and the second factor when enabled, rate-limited like
// logins; on success the session token is rotated (a privilege change)
// and the session counts as recently authenticated.
func (s *Server) reauthenticate(c echo.Context, password, code string) error {
	ctx := c.Request().Context()
	acc := Account(c)
	keys := []string{"ip:" + c.RealIP(), "reauth:" + itoa(acc.ID)}
	lim := s.Accounts.LoginLimiter
	if err := lim.Check(ctx, keys...); err != nil {
		return err
	}
	on, err := s.Accounts.TOTPEnabled(ctx, acc.ID)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		if rerr := lim.Record(ctx, keys...); rerr != nil {
			return rerr
		}
		return err
	}
	full, err := s.Accounts.Get(ctx, Org(c).ID, acc.ID)
	if err != nil {
		return err
	}
	if !accounts.CheckPassword(password, full.PasswordHash) {
		return fail(&perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: map[string]string{"password": "accounts.error.password_wrong"}})
	}
	if on {
		if err := s.Accounts.VerifySecondFactor(ctx, acc.ID, code); err != nil {
			return fail(err)
		}
	}
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.Sessions.Put(ctx, sessionAuthAtKey, time.Now().Unix())
	s.auditAccount(c, acc.ID, "account.reauth", "account", itoa(acc.ID))
	return nil
}

// accountReauth checks the form and returns to the page the person came
// from.
func (s *Server) accountReauth(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	if err := s.reauthenticate(c, form["password"], form["code"]); err != nil {
		on, _ := s.Accounts.TOTPEnabled(c.Request().Context(), AccountID(c))
		return s.renderForm(c, reauthForm(form["next"], on), err)
	}
	next := localPath(form["next"])
	if strings.HasPrefix(next, "/reauth") {
		next = "/"
	}
	return Redirect(c, next)
}

type reauthRequest struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

// accountReauthAPI is the JSON form of accountReauth.
func (s *Server) accountReauthAPI(c echo.Context) error {
	var req reauthRequest
	if err := bindAccountJSON(c, &req); err != nil {
		return err
	}
	if err := s.reauthenticate(c, req.Password, req.Code); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"valid_until": time.Now().Add(ReauthWindow).UTC()})
}
