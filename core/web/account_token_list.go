// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
)

// TokensPage is the data of accounts/tokens: the account's personal access
// tokens, the creation form, and a new token's secret, shown once.
type TokensPage struct {
	Tokens []accounts.APIToken
	Form   *FormPage
	// Secret is the token just created; it is never shown again.
	Secret    string
	NewName   string
	APIPrefix string
}

func tokenForm() *FormPage {
	return &FormPage{Title: "accounts.tokens.create_title", Action: "/account/tokens", Submit: "accounts.tokens.create",
		Fields: []FormField{{Name: "name", Type: "text", Label: "accounts.field.token_name", Hint: "accounts.hint.token_name", Autocomplete: "off", Required: true}}}
}

func (s *Server) renderTokens(c echo.Context, status int, page *TokensPage) error {
	toks, err := s.Accounts.APITokens(c.Request().Context(), AccountID(c))
	if err != nil {
		return err
	}
	page.Tokens = toks
	if page.Form == nil {
		page.Form = tokenForm()
	}
	page.APIPrefix = "/api/v1"
	// A page with a secret on it must not linger in caches.
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.Render(c, status, "accounts/tokens", page)
}

// accountTokenList shows the personal access tokens.
func (s *Server) accountTokenList(c echo.Context) error {
	return s.renderTokens(c, http.StatusOK, &TokensPage{})
}

// accountTokenListAPI lists the tokens, without secrets.
func (s *Server) accountTokenListAPI(c echo.Context) error {
	toks, err := s.Accounts.APITokens(c.Request().Context(), AccountID(c))
	if err != nil {
		return err
	}
	out := make([]accounts.APITokenData, 0, len(toks))
	for i := range toks {
		out = append(out, toks[i].Data())
	}
	return c.JSON(http.StatusOK, out)
}
