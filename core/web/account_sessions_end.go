// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"github.com/labstack/echo/v4"
)

// accountSessionsEnd logs the account out on every other browser and
// device (after using a shared computer, or a lost phone); this session
// stays open.
func (s *Server) accountSessionsEnd(c echo.Context) error {
	if err := RequireForm(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	id := AccountID(c)
	if err := s.Accounts.EndSessions(ctx, id); err != nil {
		return err
	}
	acc, err := s.Accounts.Get(ctx, Org(c).ID, id)
	if err != nil {
		return err
	}
	// Rotate this session's token too, and move it to the new epoch.
	if err := s.LoginAccount(c, acc); err != nil {
		return err
	}
	s.auditAccount(c, id, "account.sessions_end", "account", itoa(id))
	s.Flash(c, "accounts.flash.sessions_ended")
	return Redirect(c, "/account")
}
