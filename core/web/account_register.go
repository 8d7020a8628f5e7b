// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
)

func registerForm() *FormPage {
	return &FormPage{
		Title: "accounts.register.title", Intro: "accounts.register.intro", Action: "/register", Submit: "accounts.register.submit",
		Fields: []FormField{
			{Name: "email", Type: "email", Label: "accounts.field.email", Autocomplete: "email", Required: true},
			{Name: "name", Type: "text", Label: "accounts.field.name", Hint: "accounts.hint.name", Autocomplete: "name", Required: true},
			{Name: "nickname", Type: "text", Label: "accounts.field.nickname", Hint: "accounts.hint.nickname", Autocomplete: "nickname", Required: true},
			{Name: "password", Type: "password", Label: "accounts.field.password", Hint: "accounts.hint.password", Autocomplete: "new-password", Required: true},
			{Name: "kind", Type: "select", Label: "accounts.field.kind", Options: []FormOption{
				{Value: accounts.KindPerson, Label: "accounts.kind.person"}, {Value: accounts.KindGroup, Label: "accounts.kind.group"}}},
		},
		Links: []FormLink{{Href: "/login", Label: "accounts.link.have_account"}},
	}
}

// accountRegisterForm shows the registration form.
func (s *Server) accountRegisterForm(c echo.Context) error {
	if Account(c) != nil {
		return Redirect(c, "/account")
	}
	return s.renderForm(c, s.withChallenge(c, registerForm(), "register"), nil)
}

// accountRegister creates an unconfirmed account and mails the link that
// confirms it.
func (s *Server) accountRegister(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	p := s.withChallenge(c, registerForm(), "register")
	p.fill(form)
	acc, err := s.register(c, accounts.Registration{Email: form["email"], Name: form["name"], Nickname: form["nickname"], Password: form["password"], Kind: form["kind"]})
	if err != nil {
		return s.renderForm(c, p, err)
	}
	return s.Render(c, http.StatusOK, "accounts/message", &MessagePage{Title: "accounts.register.done_title", Text: "accounts.register.done", Data: map[string]any{"Email": *acc.Email}})
}

// register is the one use case behind the page and the API.
func (s *Server) register(c echo.Context, r accounts.Registration) (*accounts.Account, error) {
	ctx := c.Request().Context()
	if r.Locale == "" {
		r.Locale = Locale(c)
	}
	acc, err := s.Accounts.Register(ctx, Org(c).ID, r)
	if err != nil {
		return nil, err
	}
	secret, err := s.Accounts.IssueConfirmation(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	s.sendAccountMail(c, acc, "confirm", "/confirm", secret)
	s.auditAccount(c, acc.ID, "account.register", "account", itoa(acc.ID))
	return acc, nil
}

type registerRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Nickname string `json:"nickname"`
	Password string `json:"password"`
	Locale   string `json:"locale"`
	Kind     string `json:"kind"`
}

// accountRegisterAPI is the JSON form of accountRegister.
func (s *Server) accountRegisterAPI(c echo.Context) error {
	var req registerRequest
	if err := bindAccountJSON(c, &req); err != nil {
		return err
	}
	acc, err := s.register(c, accounts.Registration{Email: req.Email, Name: req.Name, Nickname: req.Nickname, Password: req.Password, Locale: req.Locale, Kind: req.Kind})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, acc.Data())
}
