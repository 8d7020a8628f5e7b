// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
)

// createToken is the use case behind the page and the API.
func (s *Server) createToken(c echo.Context, name string) (*accounts.APIToken, string, error) {
	id := AccountID(c)
	// A token would outlive the session and skip re-authentication:
	// minting one needs a recent password.
	if err := s.demandRecentAuth(c); err != nil {
		return nil, "", err
	}
	tok, secret, err := s.Accounts.CreateAPIToken(c.Request().Context(), id, name)
	if err != nil {
		return nil, "", err
	}
	s.auditAccount(c, id, "api_token.create", "api_token", itoa(tok.ID))
	return tok, secret, nil
}

// accountTokenCreate creates a token and shows its secret once.
func (s *Server) accountTokenCreate(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	tok, secret, err := s.createToken(c, form["name"])
	if err != nil {
		f := tokenForm()
		f.fill(form)
		status, ierr := f.setError(err)
		if ierr != nil {
			return ierr
		}
		return s.renderTokens(c, status, &TokensPage{Form: f})
	}
	return s.renderTokens(c, http.StatusCreated, &TokensPage{Secret: secret, NewName: tok.Name})
}

// NewTokenResponse is the API's answer to a token creation: the only time
// the secret is sent.
type NewTokenResponse struct {
	accounts.APITokenData
	Secret string `json:"secret"`
}

type tokenRequest struct {
	Name string `json:"name"`
}

// accountTokenCreateAPI is the JSON form of accountTokenCreate.
func (s *Server) accountTokenCreateAPI(c echo.Context) error {
	var req tokenRequest
	if err := bindAccountJSON(c, &req); err != nil {
		return err
	}
	tok, secret, err := s.createToken(c, req.Name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, NewTokenResponse{APITokenData: tok.Data(), Secret: secret})
}
