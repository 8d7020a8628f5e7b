// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// ProcessJSON is a process as the API returns it.
type ProcessJSON struct {
	*Process
	URL string `json:"url"`
	// CurrentSession is the key of the session in force now, "" between
	// sessions.
	CurrentSession string          `json:"current_session"`
	Components     []ComponentJSON `json:"components"`
}

// ComponentJSON is a component as the API returns it.
type ComponentJSON struct {
	ID        int64     `json:"id"`
	Module    string    `json:"module"`
	Key       string    `json:"key"`
	Title     i18n.Text `json:"title"`
	Published bool      `json:"published"`
	URL       string    `json:"url"`
}

func orgID(c echo.Context) int64 { return web.Org(c).ID }

// processJSON builds the API view of a full process.
func (h *handlers) processJSON(ctx context.Context, p *Process, admin bool) (*ProcessJSON, error) {
	out := &ProcessJSON{Process: p, URL: h.prefix + "/" + p.Slug, Components: []ComponentJSON{}}
	if cur := p.CurrentSession(h.now().UTC()); cur != nil {
		out.CurrentSession = cur.Key
	}
	if p.Themes == nil {
		p.Themes = []Theme{}
	}
	if p.Sessions == nil {
		p.Sessions = []Session{}
	}
	comps, err := h.comps.InSpace(ctx, SpaceType, p.ID)
	if err != nil {
		return nil, err
	}
	for _, cp := range publicComponents(comps, admin) {
		out.Components = append(out.Components, componentJSON(h.prefix, p, cp))
	}
	return out, nil
}

func componentJSON(prefix string, p *Process, cp registry.Component) ComponentJSON {
	return ComponentJSON{ID: cp.ID, Module: cp.ModuleID, Key: cp.Key, Title: cp.Title, Published: cp.Published,
		URL: fmt.Sprintf("%s/%s/c/%d", prefix, p.Slug, cp.ID)}
}

// apiProcessShow returns one process.
func (h *handlers) apiProcessShow(c echo.Context) error {
	p, err := h.process(c)
	if err != nil {
		return err
	}
	out, err := h.processJSON(c.Request().Context(), p, h.canAdmin(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// apiProcessList lists processes: published and closed ones for everyone,
// drafts too for those who administer the organisation's processes.
func (h *handlers) apiProcessList(c echo.Context) error {
	ctx := c.Request().Context()
	statuses := []string{registry.StatusPublished, registry.StatusClosed}
	admin := h.canAdmin(c)
	if admin {
		statuses = nil
	}
	list, err := h.svc.List(ctx, orgID(c), statuses...)
	if err != nil {
		return err
	}
	out := make([]*ProcessJSON, 0, len(list))
	for _, p := range list {
		full, err := h.svc.ByID(ctx, p.ID)
		if err != nil {
			return err
		}
		j, err := h.processJSON(ctx, full, admin)
		if err != nil {
			return err
		}
		out = append(out, j)
	}
	return c.JSON(http.StatusOK, out)
}
