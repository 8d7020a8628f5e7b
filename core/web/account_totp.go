// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
)

// Where a login waiting for its second factor keeps the account (the
// password was right) and when the password was checked.
const (
	sessionTOTPPendingKey   = "totp_pending"
	sessionTOTPPendingAtKey = "totp_pending_at"
	// totpLoginWindow is how long the code may follow the password.
	totpLoginWindow = 5 * time.Minute
)

func totpCodeField() FormField {
	return FormField{Name: "code", Type: "text", Label: "accounts.totp.field.code", Hint: "accounts.totp.hint.code", Autocomplete: "one-time-code", Required: true}
}

// TOTPPage is the data of accounts/totp.
type TOTPPage struct {
	Status accounts.TOTPStatus
	// Pending enrolment: the otpauth URI, the secret as text and the QR
	// code as an inline PNG (no third-party service sees the secret).
	Pending bool
	URI     string
	Secret  string
	QR      template.URL
	// Recovery codes, shown once after enrolment.
	Recovery []string
	Confirm  *FormPage
	Disable  *FormPage
}

func totpConfirmForm() *FormPage {
	return &FormPage{Title: "accounts.totp.confirm.title", Action: "/account/totp/enable", Submit: "accounts.totp.confirm.submit",
		Fields: []FormField{totpCodeField()}}
}

func totpDisableForm() *FormPage {
	return &FormPage{Title: "accounts.totp.disable.title", Action: "/account/totp/disable", Submit: "accounts.totp.disable.submit", Danger: true,
		Fields: []FormField{
			{Name: "password", Type: "password", Label: "accounts.field.password", Autocomplete: "current-password", Required: true},
			totpCodeField(),
		}}
}

// issuer names the organisation in authenticator apps.
func issuer(c echo.Context) string {
	if o := Org(c); o != nil && o.Name != "" {
		return o.Name
	}
	return "Polder"
}

// totpPage fills the page from the account's state.
func (s *Server) totpPage(c echo.Context) (*TOTPPage, error) {
	ctx := c.Request().Context()
	acc := Account(c)
	st, err := s.Accounts.TOTPStatusOf(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	p := &TOTPPage{Status: st}
	if st.Enabled {
		p.Disable = totpDisableForm()
		return p, nil
	}
	k, err := s.Accounts.PendingTOTP(ctx, acc, issuer(c))
	if err != nil {
		return nil, err
	}
	if k != nil {
		if err := p.setKey(k); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *TOTPPage) setKey(k *otp.Key) error {
	p.Pending, p.URI, p.Secret, p.Confirm = true, k.URL(), k.Secret(), totpConfirmForm()
	img, err := k.Image(240, 240)
	if err != nil {
		return fmt.Errorf("drawing QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("encoding QR code: %w", err)
	}
	// A data: URL the CSP allows (img-src 'self' data:).
	p.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	return nil
}

func (s *Server) renderTOTP(c echo.Context, status int, p *TOTPPage) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.Render(c, status, "accounts/totp", p)
}

// accountTOTPShow shows the second factor's state: enabled (with the
// form to disable it), pending (key and confirmation) or off.
func (s *Server) accountTOTPShow(c echo.Context) error {
	p, err := s.totpPage(c)
	if err != nil {
		return err
	}
	return s.renderTOTP(c, http.StatusOK, p)
}

// accountTOTPSetup draws a secret and shows it for the authenticator app.
// It needs a recent authentication: a second factor chosen by someone at
// an unattended browser would lock its owner out.
func (s *Server) accountTOTPSetup(c echo.Context) error {
	if err := RequireForm(c); err != nil {
		return err
	}
	acc := Account(c)
	if acc.PasswordHash == "" {
		return perr.New(perr.CodeForbidden, "accounts.totp.error.no_password", nil)
	}
	if err := s.demandRecentAuth(c); err != nil {
		return err
	}
	k, err := s.Accounts.BeginTOTP(c.Request().Context(), acc, issuer(c))
	if err != nil {
		return err
	}
	p := &TOTPPage{}
	if err := p.setKey(k); err != nil {
		return err
	}
	return s.renderTOTP(c, http.StatusOK, p)
}

// accountTOTPEnable confirms the pending secret with a code, shows the
// recovery codes once and rotates the session token (privilege change).
func (s *Server) accountTOTPEnable(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	acc := Account(c)
	keys := []string{"totp:" + itoa(acc.ID)}
	if err := s.Accounts.LoginLimiter.Check(ctx, keys...); err != nil {
		return err
	}
	codes, err := s.Accounts.ConfirmTOTP(ctx, acc.ID, form["code"])
	if err != nil {
		if perr.CodeOf(err) == perr.CodeInvalid {
			if rerr := s.Accounts.LoginLimiter.Record(ctx, keys...); rerr != nil {
				return rerr
			}
		}
		p, perr2 := s.totpPage(c)
		if perr2 != nil {
			return perr2
		}
		if p.Confirm == nil {
			return err
		}
		status, ierr := p.Confirm.setError(err)
		if ierr != nil {
			return ierr
		}
		return s.renderTOTP(c, status, p)
	}
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renewing session: %w", err)
	}
	s.auditAccount(c, acc.ID, "account.totp.enable", "account", itoa(acc.ID))
	st, err := s.Accounts.TOTPStatusOf(ctx, acc.ID)
	if err != nil {
		return err
	}
	return s.renderTOTP(c, http.StatusOK, &TOTPPage{Status: st, Recovery: codes, Disable: totpDisableForm()})
}

// accountTOTPDisable removes the second factor after the password and a
// code, and rotates the session token.
func (s *Server) accountTOTPDisable(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	acc := Account(c)
	keys := []string{"ip:" + c.RealIP(), "totp:" + itoa(acc.ID)}
	lim := s.Accounts.LoginLimiter
	if err := lim.Check(ctx, keys...); err != nil {
		return err
	}
	if err := s.Accounts.DisableTOTP(ctx, Org(c).ID, acc.ID, form["password"], form["code"]); err != nil {
		if perr.CodeOf(err) == perr.CodeInvalid {
			if rerr := lim.Record(ctx, keys...); rerr != nil {
				return rerr
			}
		}
		p, perr2 := s.totpPage(c)
		if perr2 != nil {
			return perr2
		}
		if p.Disable == nil {
			return err
		}
		status, ierr := p.Disable.setError(err)
		if ierr != nil {
			return ierr
		}
		return s.renderTOTP(c, status, p)
	}
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renewing session: %w", err)
	}
	s.auditAccount(c, acc.ID, "account.totp.disable", "account", itoa(acc.ID))
	s.Flash(c, "accounts.totp.flash.disabled")
	return Redirect(c, "/account/totp")
}

// startSecondFactor holds a login whose password was right until its
// code comes: the session token is rotated, the account is not logged in.
func (s *Server) startSecondFactor(c echo.Context, acc *accounts.Account, next string) error {
	ctx := c.Request().Context()
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renewing session: %w", err)
	}
	s.Sessions.Put(ctx, sessionTOTPPendingKey, acc.ID)
	s.Sessions.Put(ctx, sessionTOTPPendingAtKey, time.Now().Unix())
	return Redirect(c, "/login/totp?next="+url.QueryEscape(localPath(next)))
}

func loginTOTPForm(next string) *FormPage {
	return &FormPage{Title: "accounts.totp.login.title", Intro: "accounts.totp.login.intro", Action: "/login/totp", Submit: "accounts.totp.login.submit",
		Fields: []FormField{totpCodeField()}, Hidden: map[string]string{"next": localPath(next)},
		Links: []FormLink{{Href: "/login", Label: "accounts.totp.login.restart"}}}
}

// pendingLogin returns the account waiting for its second factor, or 0.
func (s *Server) pendingLogin(c echo.Context) int64 {
	ctx := c.Request().Context()
	id := s.Sessions.GetInt64(ctx, sessionTOTPPendingKey)
	at := s.Sessions.GetInt64(ctx, sessionTOTPPendingAtKey)
	if id == 0 || time.Since(time.Unix(at, 0)) > totpLoginWindow {
		return 0
	}
	return id
}

// accountLoginTOTPForm asks for the code of a login whose password was
// right.
func (s *Server) accountLoginTOTPForm(c echo.Context) error {
	next := localPath(c.QueryParam("next"))
	if s.pendingLogin(c) == 0 {
		// Nothing waits for a code (expired, or opened directly): the
		// login starts with the password.
		return s.renderForm(c, loginForm(next), nil)
	}
	return s.renderForm(c, loginTOTPForm(next), nil)
}

// accountLoginTOTP checks the code (or a recovery code), rate-limited per
// address and per account, and opens the session.
func (s *Server) accountLoginTOTP(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := loginTOTPForm(form["next"])
	id := s.pendingLogin(c)
	if id == 0 {
		return s.renderForm(c, loginForm(form["next"]), perr.New(perr.CodeUnauthorised, "accounts.totp.error.expired", nil))
	}
	keys := []string{"ip:" + c.RealIP(), "totp:" + itoa(id)}
	lim := s.Accounts.LoginLimiter
	if err := lim.Check(ctx, keys...); err != nil {
		return s.renderForm(c, p, err)
	}
	if err := s.Accounts.VerifySecondFactor(ctx, id, form["code"]); err != nil {
		if perr.CodeOf(err) == perr.CodeInvalid {
			if rerr := lim.Record(ctx, keys...); rerr != nil {
				return rerr
			}
		}
		return s.renderForm(c, p, err)
	}
	acc, err := s.Accounts.Get(ctx, Org(c).ID, id)
	if err != nil {
		return err
	}
	if err := s.LoginAccount(c, acc); err != nil {
		return err
	}
	s.auditAccount(c, acc.ID, "account.login", "account", itoa(acc.ID))
	return Redirect(c, localPath(form["next"]))
}
