// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
)

func loginForm(next string) *FormPage {
	return &FormPage{
		Title: "accounts.login.title", Action: "/login", Submit: "accounts.login.submit",
		Fields: []FormField{
			{Name: "email", Type: "email", Label: "accounts.field.email", Autocomplete: "username", Required: true},
			{Name: "password", Type: "password", Label: "accounts.field.password", Autocomplete: "current-password", Required: true},
		},
		Hidden: map[string]string{"next": localPath(next)},
		Links: []FormLink{
			{Href: "/password/forgot", Label: "accounts.link.forgot"},
			{Href: "/register", Label: "accounts.link.register"},
		},
	}
}

// accountLoginForm shows the login form.
func (s *Server) accountLoginForm(c echo.Context) error {
	next := localPath(c.QueryParam("next"))
	if Account(c) != nil {
		return Redirect(c, next)
	}
	return s.renderForm(c, loginForm(next), nil)
}

// accountLogin checks an e-mail and password, rate-limited per IP address
// and per e-mail, and opens a fresh session.
func (s *Server) accountLogin(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := loginForm(form["next"])
	p.fill(form)
	email := strings.ToLower(strings.TrimSpace(form["email"]))
	// Failures count per client address and per e-mail (an empty key is
	// not counted). The address is echo's RealIP: behind a proxy, the
	// server must be told which X-Forwarded-For hops to trust.
	keys := []string{"ip:" + c.RealIP(), ""}
	if email != "" {
		keys[1] = "email:" + email
	}
	lim := s.Accounts.LoginLimiter
	if err := lim.Check(ctx, keys...); err != nil {
		return s.renderForm(c, p, err)
	}
	acc, err := s.Accounts.Authenticate(ctx, Org(c).ID, email, form["password"])
	if err != nil {
		if perr.CodeOf(err) == perr.CodeUnauthorised {
			if rerr := lim.Record(ctx, keys...); rerr != nil {
				return rerr
			}
		}
		if perr.CodeOf(err) == perr.CodeForbidden {
			// Unconfirmed: point to the way out.
			p.Links = append([]FormLink{{Href: "/confirm/resend", Label: "accounts.link.resend"}}, p.Links...)
		}
		return s.renderForm(c, p, err)
	}
	on, err := s.Accounts.TOTPEnabled(ctx, acc.ID)
	if err != nil {
		return err
	}
	if on {
		return s.startSecondFactor(c, acc, form["next"])
	}
	if err := s.LoginAccount(c, acc); err != nil {
		return err
	}
	s.auditAccount(c, acc.ID, "account.login", "account", itoa(acc.ID))
	return Redirect(c, localPath(form["next"]))
}
