// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/registry"
)

// ProcessingEntry is one activity of the register with who declares it.
type ProcessingEntry struct {
	// Owner is "core" or a module id.
	Owner string
	registry.Processing
}

// MountProcessing serves the register of processing activities at
// /admin/processing (page and API): core's declarations, then those of
// every module implementing registry.ProcessingDeclarer.
func (s *Server) MountProcessing(core []registry.Processing) {
	register := func() []ProcessingEntry {
		var out []ProcessingEntry
		for _, p := range core {
			out = append(out, ProcessingEntry{Owner: "core", Processing: p})
		}
		mods := s.Registry.Modules()
		sort.SliceStable(mods, func(i, j int) bool { return mods[i].Manifest().ID < mods[j].Manifest().ID })
		for _, m := range mods {
			if d, ok := m.(registry.ProcessingDeclarer); ok {
				for _, p := range d.Processing() {
					out = append(out, ProcessingEntry{Owner: m.Manifest().ID, Processing: p})
				}
			}
		}
		return out
	}
	r := s.Root()
	need := NeedPermission("org.admin")
	r.Page(http.MethodGet, "/admin/processing", need, func(c echo.Context) error {
		return s.Render(c, http.StatusOK, "admin/processing", register())
	})
	r.API(http.MethodGet, "/admin/processing", need, Operation{Summary: "The register of processing activities (GDPR art. 30) of core and the enabled modules, as message IDs.",
		Response: "array of activities"}, func(c echo.Context) error {
		return c.JSON(http.StatusOK, register())
	})
}
