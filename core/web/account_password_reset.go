// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func passwordResetForm(token string) *FormPage {
	return &FormPage{Title: "accounts.reset.title", Intro: "accounts.reset.intro", Action: "/password/reset", Submit: "accounts.reset.submit",
		Fields: []FormField{{Name: "password", Type: "password", Label: "accounts.field.new_password", Hint: "accounts.hint.password", Autocomplete: "new-password", Required: true}},
		Hidden: map[string]string{"token": token}}
}

// accountPasswordResetForm shows the new-password form of a mailed link,
// or why the link no longer works.
func (s *Server) accountPasswordResetForm(c echo.Context) error {
	token := c.QueryParam("token")
	// The page carries the token: keep it out of caches.
	c.Response().Header().Set("Cache-Control", "no-store")
	p := passwordResetForm(token)
	if err := s.Accounts.CheckResetToken(c.Request().Context(), Org(c).ID, token); err != nil {
		p.Fields, p.Action, p.Intro = nil, "", ""
		p.Links = []FormLink{{Href: "/password/forgot", Label: "accounts.link.forgot_again"}}
		return s.renderForm(c, p, err)
	}
	return s.renderForm(c, p, nil)
}

// accountPasswordReset sets the new password, ends every session of the
// account and sends the person to the login form.
func (s *Server) accountPasswordReset(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	acc, err := s.Accounts.ResetPassword(c.Request().Context(), Org(c).ID, form["token"], form["password"])
	if err != nil {
		p := passwordResetForm(form["token"])
		p.Links = []FormLink{{Href: "/password/forgot", Label: "accounts.link.forgot_again"}}
		return s.renderForm(c, p, err)
	}
	s.auditAccount(c, acc.ID, "account.password_reset", "account", itoa(acc.ID))
	// This browser may hold a session of the account too: it ended with
	// the others.
	if err := s.Logout(c); err != nil {
		return err
	}
	s.Flash(c, "accounts.flash.password_reset")
	return Redirect(c, "/login")
}

type resetBody struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// accountPasswordResetAPI is the JSON form of accountPasswordReset.
func (s *Server) accountPasswordResetAPI(c echo.Context) error {
	var req resetBody
	if err := bindAccountJSON(c, &req); err != nil {
		return err
	}
	acc, err := s.Accounts.ResetPassword(c.Request().Context(), Org(c).ID, req.Token, req.Password)
	if err != nil {
		return err
	}
	s.auditAccount(c, acc.ID, "account.password_reset", "account", itoa(acc.ID))
	if !isBearer(c) {
		if err := s.Logout(c); err != nil {
			return err
		}
	}
	return c.NoContent(http.StatusNoContent)
}
