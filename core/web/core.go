// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"context"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/registry"
)

// SpaceLister is implemented by space resolvers that can list the spaces
// open to the public, for the organisation's home page.
type SpaceLister interface {
	Published(ctx context.Context, orgID int64) ([]registry.Space, error)
}

// SpaceLink is one space on the home page.
type SpaceLink struct {
	Space      registry.Space
	URL        string
	Components []registry.Component
}

// HomePage is the data of the home page.
type HomePage struct {
	Spaces []SpaceLink
}

// SpacePrefixes maps a space type to its URL prefix ("process" →
// "/processes"); space types set it when they mount.
var SpacePrefixes = map[string]string{}

func (s *Server) mountCore() {
	r := s.Root()
	r.Page(http.MethodGet, "/", NeedPublic, s.home)
	s.mountOpenAPI(r)
	s.mountAdmin(r)
	s.mountAccounts()
}

func (s *Server) home(c echo.Context) error {
	ctx := c.Request().Context()
	var links []SpaceLink
	types := make([]string, 0, len(s.spaces))
	for t := range s.spaces {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		l, ok := s.spaces[t].(SpaceLister)
		if !ok {
			continue
		}
		spaces, err := l.Published(ctx, Org(c).ID)
		if err != nil {
			return err
		}
		for _, sp := range spaces {
			comps, err := s.Components.InSpace(ctx, sp.Type, sp.ID)
			if err != nil {
				return err
			}
			var pub []registry.Component
			for _, cp := range comps {
				if cp.Published {
					pub = append(pub, cp)
				}
			}
			links = append(links, SpaceLink{Space: sp, URL: SpacePrefixes[sp.Type] + "/" + sp.Slug, Components: pub})
		}
	}
	return s.Render(c, http.StatusOK, "home", HomePage{Spaces: links})
}
