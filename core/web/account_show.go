// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/i18n"
)

// AccountPage is the data of accounts/show: the profile form and the
// participant's rights over their data.
type AccountPage struct {
	Account *accounts.Account
	Form    *FormPage
}

func profileForm(acc *accounts.Account) *FormPage {
	opts := []FormOption{{Value: "", Label: "accounts.locale.auto"}}
	for _, l := range i18n.Supported {
		opts = append(opts, FormOption{Value: l, Label: "accounts.locale." + l, Lang: l})
	}
	p := &FormPage{Title: "accounts.profile.title", Action: "/account", Submit: "accounts.profile.submit",
		Fields: []FormField{
			{Name: "name", Type: "text", Label: "accounts.field.name", Hint: "accounts.hint.name", Autocomplete: "name", Required: true},
			{Name: "nickname", Type: "text", Label: "accounts.field.nickname", Hint: "accounts.hint.nickname", Autocomplete: "nickname", Required: true},
			{Name: "locale", Type: "select", Label: "accounts.field.locale", Options: opts},
		}}
	p.fill(map[string]string{"name": acc.Name, "nickname": acc.Nickname, "locale": acc.Locale})
	return p
}

// accountShow shows the account page.
func (s *Server) accountShow(c echo.Context) error {
	acc := Account(c)
	return s.Render(c, http.StatusOK, "accounts/show", &AccountPage{Account: acc, Form: profileForm(acc)})
}

// accountShowAPI returns the authenticated account.
func (s *Server) accountShowAPI(c echo.Context) error {
	return c.JSON(http.StatusOK, Account(c).Data())
}
