// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func confirmResendForm() *FormPage {
	return &FormPage{Title: "accounts.resend.title", Intro: "accounts.resend.intro", Action: "/confirm/resend", Submit: "accounts.resend.submit",
		Fields: []FormField{{Name: "email", Type: "email", Label: "accounts.field.email", Autocomplete: "email", Required: true}}}
}

// accountConfirmResendForm asks for the address to send a new
// confirmation link to.
func (s *Server) accountConfirmResendForm(c echo.Context) error {
	return s.renderForm(c, confirmResendForm(), nil)
}

// accountConfirmResend mails a new confirmation link. The answer is the
// same whether or not the address has an unconfirmed account.
func (s *Server) accountConfirmResend(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	p := confirmResendForm()
	p.fill(form)
	if err := s.mailLink(c, form["email"], "confirm"); err != nil {
		return s.renderForm(c, p, err)
	}
	return s.Render(c, http.StatusOK, "accounts/message", &MessagePage{Title: "accounts.resend.title", Text: "accounts.resend.done"})
}

type emailBody struct {
	Email string `json:"email"`
}

// accountConfirmResendAPI is the JSON form of accountConfirmResend; it
// answers 202 whether or not a mail was sent.
func (s *Server) accountConfirmResendAPI(c echo.Context) error {
	var req emailBody
	if err := bindAccountJSON(c, &req); err != nil {
		return err
	}
	if err := s.mailLink(c, req.Email, "confirm"); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}
