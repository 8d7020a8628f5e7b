// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// endOtherSessions is the use case behind the page and the API: every
// session of the account ends, then this one (when the request has one)
// is rotated onto the new epoch, so it stays open.
func (s *Server) endOtherSessions(c echo.Context) error {
	ctx := c.Request().Context()
	id := AccountID(c)
	if err := s.Accounts.EndSessions(ctx, id); err != nil {
		return err
	}
	if !isBearer(c) {
		acc, err := s.Accounts.Get(ctx, Org(c).ID, id)
		if err != nil {
			return err
		}
		if err := s.LoginAccount(c, acc); err != nil {
			return err
		}
	}
	s.auditAccount(c, id, "account.sessions_end", "account", itoa(id))
	return nil
}

// accountSessionsEnd logs the account out on every other browser and
// device (after using a shared computer, or a lost phone); this session
// stays open.
func (s *Server) accountSessionsEnd(c echo.Context) error {
	if err := RequireForm(c); err != nil {
		return err
	}
	if err := s.endOtherSessions(c); err != nil {
		return err
	}
	s.Flash(c, "accounts.flash.sessions_ended")
	return Redirect(c, "/account")
}

// accountSessionsEndAPI is the JSON form of accountSessionsEnd. Personal
// access tokens are not sessions: revoke them separately.
func (s *Server) accountSessionsEndAPI(c echo.Context) error {
	if err := s.endOtherSessions(c); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
