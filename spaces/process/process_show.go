// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/registry"
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
	return h.srv.Render(c, http.StatusOK, "process/show", ShowPage{Process: p, Sessions: views, Current: cur, Next: next, Overridden: p.CurrentSessionID != nil,
		Components: publicComponents(comps, admin), URL: h.prefix + "/" + p.Slug, CanAdmin: admin, AdminURL: adminPrefix + "/" + p.Slug})
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
