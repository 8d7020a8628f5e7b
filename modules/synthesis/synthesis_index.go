// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/registry"
)

// IndexPage lists the versions and, for organisers, the build form.
type IndexPage struct {
	Base
	Versions   []Synthesis
	Candidates []registry.Component
	Error      string
}

func (h *handlers) index(c echo.Context) error {
	return h.renderIndex(c, http.StatusOK, "")
}

func (h *handlers) renderIndex(c echo.Context, status int, errMsg string) error {
	b := h.base(c)
	ctx := c.Request().Context()
	vs, err := h.svc.List(ctx, b.Component, b.CanBuild)
	if err != nil {
		return err
	}
	page := IndexPage{Base: b, Versions: vs, Error: errMsg}
	if b.CanBuild {
		if page.Candidates, err = h.svc.Candidates(ctx, b.Component); err != nil {
			return err
		}
	}
	return h.s.Render(c, status, "synthesis/index", page)
}
