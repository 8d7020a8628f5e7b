// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"
)

// AdminLink is one section of the administration index.
type AdminLink struct {
	URL string
	// Label is a translated title.
	Label string
}

// AdminIndexPage is the data of /admin.
type AdminIndexPage struct {
	Links []AdminLink
}

// adminIndex is the page the header's "Administration" link opens: the
// admin list of each space type that has one, then roles and the audit
// log. Space types name their list with the message
// "<type>.admin.list_title".
func (s *Server) adminIndex(c echo.Context) error {
	loc := Locale(c)
	pages := map[string]bool{}
	for _, rt := range s.Routes.All() {
		if !rt.API && rt.Method == http.MethodGet {
			pages[rt.Path] = true
		}
	}
	types := make([]string, 0, len(SpacePrefixes))
	for t := range SpacePrefixes {
		types = append(types, t)
	}
	sort.Strings(types)
	var links []AdminLink
	for _, t := range types {
		u := "/admin" + SpacePrefixes[t]
		id := t + ".admin.list_title"
		if pages[u] && s.Bundle.Has(id) {
			links = append(links, AdminLink{URL: u, Label: s.Bundle.T(loc, id, nil)})
		}
	}
	// Organisation-wide pages of core services, listed when mounted.
	for _, l := range []struct{ url, id string }{
		{"/admin/roles", "authz.admin.roles.title"},
		{"/admin/verify", "verify.admin.title"},
		{"/admin/processing", "privacy.register.title"},
		{"/admin/audit", "authz.admin.audit.title"},
	} {
		if pages[l.url] && s.Bundle.Has(l.id) {
			links = append(links, AdminLink{URL: l.url, Label: s.Bundle.T(loc, l.id, nil)})
		}
	}
	return s.Render(c, http.StatusOK, "admin/index", AdminIndexPage{Links: links})
}
