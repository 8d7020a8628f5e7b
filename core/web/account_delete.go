// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func deleteForm() *FormPage {
	return &FormPage{Title: "accounts.delete.title", Intro: "accounts.delete.intro", Action: "/account/delete", Submit: "accounts.delete.submit", Danger: true,
		Fields: []FormField{{Name: "password", Type: "password", Label: "accounts.field.password_confirm", Autocomplete: "current-password", Required: true}},
		Links:  []FormLink{{Href: "/account", Label: "accounts.link.cancel"}, {Href: "/account/data", Label: "accounts.link.download_first"}}}
}

// accountDeleteForm asks for the password before deleting the account.
func (s *Server) accountDeleteForm(c echo.Context) error {
	return s.renderForm(c, deleteForm(), nil)
}

// eraseAccount is the use case behind the page and the API: modules
// anonymise their data, then the account; its sessions end.
func (s *Server) eraseAccount(c echo.Context, password string) error {
	id := AccountID(c)
	if err := s.Accounts.Erase(c.Request().Context(), Org(c).ID, id, password, s.accountHolders()); err != nil {
		return err
	}
	s.auditAccount(c, id, "account.erase", "account", itoa(id))
	return nil
}

// accountDelete deletes (anonymises) the account and logs out.
func (s *Server) accountDelete(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	if err := s.eraseAccount(c, form["password"]); err != nil {
		return s.renderForm(c, deleteForm(), err)
	}
	if err := s.Logout(c); err != nil {
		return err
	}
	s.Flash(c, "accounts.flash.deleted")
	return Redirect(c, "/")
}

type deleteRequest struct {
	Password string `json:"password"`
}

// accountDeleteAPI is the JSON form of accountDelete.
func (s *Server) accountDeleteAPI(c echo.Context) error {
	var req deleteRequest
	if err := bindAccountJSON(c, &req); err != nil {
		return err
	}
	if err := s.eraseAccount(c, req.Password); err != nil {
		return err
	}
	if !isBearer(c) {
		if err := s.Logout(c); err != nil {
			return err
		}
	}
	return c.NoContent(http.StatusNoContent)
}
