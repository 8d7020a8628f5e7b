// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"context"
	"log/slog"

	"github.com/labstack/echo/v4"
)

// SessionMerger is implemented by modules that let visitors take part
// without an account, bound to their browser session (the opinion map's
// anonymous participants). After every login core calls MergeSession of
// each such module with the session's secret as it was before the login
// (its CSRF token, which modules may hash into an anonymous identity, see
// CSRFToken), so that what the visitor did anonymously moves to the
// account. A module should merge in one transaction; an error is logged
// and the login stands (the secret survives the login, so a later login
// from the same session retries).
type SessionMerger interface {
	MergeSession(ctx context.Context, sessionSecret string, accountID int64) error
}

// sessionSecret returns the current session's secret without creating
// one: a session that never had one has nothing anonymous to merge.
func (s *Server) sessionSecret(c echo.Context) string {
	return s.Sessions.GetString(c.Request().Context(), csrfSessionKey)
}

// mergeSession hands the pre-login session secret to every SessionMerger
// module.
func (s *Server) mergeSession(c echo.Context, secret string, accountID int64) {
	if secret == "" || s.Registry == nil {
		return
	}
	for _, m := range s.Registry.Modules() {
		sm, ok := m.(SessionMerger)
		if !ok {
			continue
		}
		if err := sm.MergeSession(c.Request().Context(), secret, accountID); err != nil {
			slog.Error("merging an anonymous session into the account", "module", m.Manifest().ID, "account", accountID, "err", err)
		}
	}
}
