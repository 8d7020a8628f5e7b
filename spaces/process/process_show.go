// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// SessionView is a session with its place in time, for pages.
type SessionView struct {
	Session
	// State is "past", "current" or "upcoming".
	State string
}

// ShowPage is the data of the process page.
type ShowPage struct {
	Process  *Process
	Sessions []SessionView
	Current  *Session
	// Next is the next session to start, when none is current.
	Next       *registry.Session
	Overridden bool
	Components []registry.Component
	URL        string
	CanAdmin   bool
	AdminURL   string
	// Overviews are the figures components add to the page.
	Overviews []*registry.Overview
	// Anon links to untraceable participation: shown when the space
	// offers it, and to admins, who switch it on from that page.
	Anon bool
}

// sessionViews marks each session past, current or upcoming at now.
func sessionViews(p *Process, now time.Time) ([]SessionView, *Session) {
	cur := p.CurrentSession(now)
	out := make([]SessionView, 0, len(p.Sessions))
	for _, s := range p.Sessions {
		st := "upcoming"
		switch {
		case cur != nil && cur.ID == s.ID:
			st = "current"
		case !now.Before(s.EndsAt):
			st = "past"
		}
		out = append(out, SessionView{Session: s, State: st})
	}
	return out, cur
}

// processShow is the public process page.
func (h *handlers) processShow(c echo.Context) error {
	p, err := h.process(c)
	if err != nil {
		return err
	}
	comps, err := h.comps.InSpace(c.Request().Context(), SpaceType, p.ID)
	if err != nil {
		return err
	}
	admin := h.canAdmin(c)
	now := h.now().UTC()
	views, cur := sessionViews(p, now)
	var next *registry.Session
	if cur == nil {
		next = p.Space().NextSession(now)
	}
	public := publicComponents(comps, admin)
	overviews, err := h.overviews(c, p, public)
	if err != nil {
		return err
	}
	return h.srv.Render(c, http.StatusOK, "process/show", ShowPage{Process: p, Sessions: views, Current: cur, Next: next, Overridden: p.CurrentSessionID != nil,
		Components: public, URL: h.prefix + "/" + p.Slug, CanAdmin: admin, AdminURL: adminPrefix + "/" + p.Slug, Overviews: overviews,
		Anon: h.app.Anon != nil && (admin || h.app.Anon.Enabled(c.Request().Context(), registry.SpaceDomain(SpaceType, p.ID)))})
}

// overviews asks each component's module, when it offers one, for the
// figures it shows on the space's page.
func (h *handlers) overviews(c echo.Context, p *Process, comps []registry.Component) ([]*registry.Overview, error) {
	var out []*registry.Overview
	sp := p.Space()
	for i := range comps {
		m, ok := h.srv.Registry.Module(comps[i].ModuleID)
		if !ok {
			continue
		}
		op, ok := m.(registry.OverviewProvider)
		if !ok {
			continue
		}
		ov, err := op.Overview(c.Request().Context(), &comps[i], sp, web.Locale(c))
		if err != nil {
			return nil, err
		}
		if ov != nil {
			out = append(out, ov)
		}
	}
	return out, nil
}

// ListPage is the data of the public list of processes.
type ListPage struct {
	Prefix    string
	Processes []Process
}

// processList lists the published and closed processes.
func (h *handlers) processList(c echo.Context) error {
	list, err := h.svc.List(c.Request().Context(), orgID(c), registry.StatusPublished, registry.StatusClosed)
	if err != nil {
		return err
	}
	return h.srv.Render(c, http.StatusOK, "process/list", ListPage{Prefix: h.prefix, Processes: list})
}

// Paragraphs splits a text on blank lines, for descriptions.
func (ShowPage) Paragraphs(s string) []string {
	var out []string
	for _, part := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if t := strings.TrimSpace(part); t != "" {
			out = append(out, t)
		}
	}
	return out
}
