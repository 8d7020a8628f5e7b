// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"github.com/labstack/echo/v4"
)

// accountLogout ends the session. It is a POST (with the CSRF token) so a
// third-party page cannot log people out.
func (s *Server) accountLogout(c echo.Context) error {
	if id := AccountID(c); id != 0 {
		s.auditAccount(c, id, "account.logout", "account", itoa(id))
	}
	if err := s.Logout(c); err != nil {
		return err
	}
	return Redirect(c, "/")
}
