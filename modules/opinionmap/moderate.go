// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/web"
)

// AdminPage is the data of the organisers' page: seed statements and the
// moderation queue.
type AdminPage struct {
	Base
	Queue      []Statement
	Statements []Statement
}

func (h *handlers) adminPage(c echo.Context) error {
	ctx := c.Request().Context()
	d := AdminPage{Base: h.base(c)}
	var err error
	if d.Queue, err = h.svc.Statements(ctx, d.Component.ID, StatePending, StateUnmoderated); err != nil {
		return err
	}
	if d.Statements, err = h.svc.Statements(ctx, d.Component.ID, StateAccepted, StateRejected); err != nil {
		return err
	}
	return h.s.Render(c, http.StatusOK, "opinionmap/admin", d)
}

// seedForm adds an organiser's statement, accepted at once.
func (h *handlers) seedForm(c echo.Context) error {
	if _, err := h.svc.Submit(c.Request().Context(), web.Component(c), nil, c.FormValue("body"), true); err != nil {
		return err
	}
	h.s.Flash(c, "opinionmap.flash.seeded")
	return web.Redirect(c, h.url(c, "/admin"))
}

func (h *handlers) moderateForm(accept bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := statementID(c)
		if err != nil {
			return err
		}
		if _, err := h.svc.Moderate(c.Request().Context(), web.Component(c), id, accept); err != nil {
			return err
		}
		h.s.Flash(c, "opinionmap.flash.moderated")
		return web.Redirect(c, h.url(c, "/admin"))
	}
}

func (h *handlers) apiQueue(c echo.Context) error {
	q, err := h.svc.Statements(c.Request().Context(), web.Component(c).ID, StatePending, StateUnmoderated)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"statements": q})
}

func (h *handlers) apiModerate(accept bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := statementID(c)
		if err != nil {
			return err
		}
		st, err := h.svc.Moderate(c.Request().Context(), web.Component(c), id, accept)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, st)
	}
}
