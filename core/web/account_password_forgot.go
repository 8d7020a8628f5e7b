// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func passwordForgotForm() *FormPage {
	return &FormPage{Title: "accounts.forgot.title", Intro: "accounts.forgot.intro", Action: "/password/forgot", Submit: "accounts.forgot.submit",
		Fields: []FormField{{Name: "email", Type: "email", Label: "accounts.field.email", Autocomplete: "email", Required: true}},
		Links:  []FormLink{{Href: "/login", Label: "accounts.link.login"}}}
}

// accountPasswordForgotForm asks for the address to send a reset link to.
func (s *Server) accountPasswordForgotForm(c echo.Context) error {
	return s.renderForm(c, passwordForgotForm(), nil)
}

// accountPasswordForgot mails a password reset link. The answer is the
// same whether or not the address has an account.
func (s *Server) accountPasswordForgot(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	p := passwordForgotForm()
	p.fill(form)
	if err := s.mailLink(c, form["email"], "reset"); err != nil {
		return s.renderForm(c, p, err)
	}
	return s.Render(c, http.StatusOK, "accounts/message", &MessagePage{Title: "accounts.forgot.title", Text: "accounts.forgot.done"})
}

// accountPasswordForgotAPI is the JSON form of accountPasswordForgot; it
// answers 202 whether or not the address has an account.
func (s *Server) accountPasswordForgotAPI(c echo.Context) error {
	var req emailBody
	if err := bindAccountJSON(c, &req); err != nil {
		return err
	}
	if err := s.mailLink(c, req.Email, "reset"); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}
