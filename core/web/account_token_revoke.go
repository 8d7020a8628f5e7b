// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
)

// revokeToken is the use case behind the page and the API; a token of
// another account is "not found".
func (s *Server) revokeToken(c echo.Context) error {
	tokenID, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return perr.NotFound("token")
	}
	id := AccountID(c)
	if err := s.Accounts.RevokeAPIToken(c.Request().Context(), id, tokenID); err != nil {
		return err
	}
	s.auditAccount(c, id, "api_token.revoke", "api_token", itoa(tokenID))
	return nil
}

// accountTokenRevoke revokes a token and goes back to the list.
func (s *Server) accountTokenRevoke(c echo.Context) error {
	if err := RequireForm(c); err != nil {
		return err
	}
	if err := s.revokeToken(c); err != nil {
		return err
	}
	s.Flash(c, "accounts.flash.token_revoked")
	return Redirect(c, "/account/tokens")
}

// accountTokenRevokeAPI is the JSON form of accountTokenRevoke.
func (s *Server) accountTokenRevokeAPI(c echo.Context) error {
	if err := s.revokeToken(c); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
