// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/pow"
)

// MountBursts serves /admin/bursts: the minutes of the last day in which
// one network prefix (a keyed hash, never the address) sent more guarded
// forms (registrations, anonymous redemptions…) than pow.BurstThreshold.
func (s *Server) MountBursts(svc *pow.Service) {
	r := s.Root()
	need := NeedPermission("org.admin")
	r.Page(http.MethodGet, "/admin/bursts", need, func(c echo.Context) error {
		b, err := svc.Bursts(c.Request().Context(), pow.BurstThreshold)
		if err != nil {
			return err
		}
		return s.Render(c, http.StatusOK, "admin/bursts", map[string]any{"Bursts": b, "Threshold": pow.BurstThreshold})
	})
	r.API(http.MethodGet, "/admin/bursts", need, Operation{Summary: "Suspicious bursts of the last day: guarded form posts per network prefix (hashed) and minute above the threshold.",
		Response: "array of bursts"}, func(c echo.Context) error {
		b, err := svc.Bursts(c.Request().Context(), pow.BurstThreshold)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, b)
	})
}
