// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
)

// The confirmation link opens a page with a button rather than confirming
// on GET: mail scanners that prefetch links must not use up the token.
func confirmForm(token string) *FormPage {
	return &FormPage{Title: "accounts.confirm.title", Intro: "accounts.confirm.intro", Action: "/confirm", Submit: "accounts.confirm.submit",
		Hidden: map[string]string{"token": token}}
}

// accountConfirmForm shows the confirmation button of a mailed link, or
// why the link no longer works.
func (s *Server) accountConfirmForm(c echo.Context) error {
	token := c.QueryParam("token")
	c.Response().Header().Set("Cache-Control", "no-store")
	p := confirmForm(token)
	if err := s.Accounts.CheckToken(c.Request().Context(), Org(c).ID, token, accounts.PurposeConfirm); err != nil {
		p.Action, p.Intro = "", ""
		p.Links = []FormLink{{Href: "/confirm/resend", Label: "accounts.link.resend"}, {Href: "/login", Label: "accounts.link.login"}}
		return s.renderForm(c, p, err)
	}
	return s.renderForm(c, p, nil)
}

// accountConfirm confirms the account's e-mail address.
func (s *Server) accountConfirm(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	acc, err := s.Accounts.Confirm(c.Request().Context(), Org(c).ID, form["token"])
	if err != nil {
		p := confirmForm(form["token"])
		p.Links = []FormLink{{Href: "/login", Label: "accounts.link.login"}}
		return s.renderForm(c, p, err)
	}
	s.auditAccount(c, acc.ID, "account.confirm", "account", itoa(acc.ID))
	s.Flash(c, "accounts.flash.confirmed")
	return Redirect(c, "/login")
}

type tokenBody struct {
	Token string `json:"token"`
}

// accountConfirmAPI is the JSON form of accountConfirm.
func (s *Server) accountConfirmAPI(c echo.Context) error {
	var req tokenBody
	if err := bindAccountJSON(c, &req); err != nil {
		return err
	}
	acc, err := s.Accounts.Confirm(c.Request().Context(), Org(c).ID, req.Token)
	if err != nil {
		return err
	}
	s.auditAccount(c, acc.ID, "account.confirm", "account", itoa(acc.ID))
	return c.JSON(http.StatusOK, acc.Data())
}
