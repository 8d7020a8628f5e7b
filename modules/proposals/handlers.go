// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// handlers are the module's thin HTTP handlers: bind, call one Service
// method, map the error, render.
type handlers struct {
	s   *web.Server
	svc *Service
}

// Base is what every page of the module shows: where it is and what the
// viewer may do there.
type Base struct {
	Space     *registry.Space
	Component *registry.Component
	Settings  Settings
	// URL is the component's base URL.
	URL string
	// Current is the session in force, nil between sessions.
	Current *registry.Session
	// Next is the next session, nil when none is planned.
	Next *registry.Session
	// Open reports whether filing is open now.
	Open                                         bool
	SupportsOpen                                 bool
	CanCreate, CanSupport, CanComment, CanReport bool
	CanAnswer, CanModerate, IsAdmin              bool
	Viewer                                       *accounts.Account
}

func (h *handlers) scope(c echo.Context) *Scope {
	if sc, ok := c.Get("proposals.scope").(*Scope); ok {
		return sc
	}
	sc := h.svc.Scope(web.Space(c), web.Component(c))
	c.Set("proposals.scope", sc)
	return sc
}

// url returns a path under the component's base URL.
func (h *handlers) url(c echo.Context, rest string) string {
	sp, comp := web.Space(c), web.Component(c)
	return web.SpacePrefixes[sp.Type] + "/" + sp.Slug + "/c/" + strconv.FormatInt(comp.ID, 10) + rest
}

func (h *handlers) can(c echo.Context, action string) bool {
	ok, err := h.s.Can(c, registry.Permission(ID, action))
	return err == nil && ok
}

func (h *handlers) base(c echo.Context, sc *Scope) Base {
	now := h.svc.Now()
	b := Base{Space: sc.Space, Component: sc.Component, Settings: sc.Settings, URL: h.url(c, ""),
		Current: sc.Space.CurrentSession(now), Next: sc.Space.NextSession(now), Viewer: web.Account(c)}
	if b.Current != nil {
		ss := sc.SessionSettings(b.Current.ID)
		b.Open = ss.ProposalsOpen && sc.Space.Status == registry.StatusPublished
		b.SupportsOpen = ss.SupportsOpen
	}
	b.CanCreate = h.can(c, ActionCreate)
	b.CanSupport = h.can(c, ActionSupport)
	b.CanComment = h.can(c, ActionComment) && sc.Settings.CommentsEnabled
	b.CanReport = h.can(c, ActionReport)
	b.CanAnswer = h.can(c, ActionAnswer)
	b.CanModerate = h.can(c, ActionModerate)
	ok, _ := h.s.Can(c, "space.admin")
	b.IsAdmin = ok
	return b
}

// proposalID reads the :id parameter.
func proposalID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, perr.NotFound("proposal")
	}
	return id, nil
}

// actor returns the logged-in account or the "log in first" error.
func actor(c echo.Context) (*accounts.Account, error) {
	a := web.Account(c)
	if a == nil {
		return nil, perr.Unauthorised()
	}
	return a, nil
}

// ThemeTitle is the title of one of the space's themes (templates cannot
// call Space.Theme, which returns two values).
func (b Base) ThemeTitle(id int64) i18n.Text {
	if t, ok := b.Space.Theme(id); ok {
		return t.Title
	}
	return i18n.Text{}
}

// SessionTitle is the title of one of the space's sessions.
func (b Base) SessionTitle(id int64) i18n.Text {
	if s, ok := b.Space.Session(id); ok {
		return s.Title
	}
	return i18n.Text{}
}
