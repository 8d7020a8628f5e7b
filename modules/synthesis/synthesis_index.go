// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// IndexPage lists the versions and, for organisers, the build form.
type IndexPage struct {
	Base
	Versions []Synthesis
	// Covers says what each version covers, index by index.
	Covers     []string
	Candidates []registry.Component
	// Kinds are the kinds of contributions the candidates hold, offered
	// as checkboxes (all checked), with their names.
	Kinds []KindView
	Error string
}

// KindView is a kind of contribution with its name in the reader's
// language.
type KindView struct {
	Kind, Name string
}

// kindName names a kind of contribution with its module's message, or
// shows the kind itself when no module names it.
func (h *handlers) kindName(c echo.Context, kind string) string {
	if id := h.svc.KindMessage(kind); id != "" && h.s.Bundle.Has(id) {
		return h.s.Bundle.T(web.Locale(c), id, nil)
	}
	return kind
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
	t := h.tr(c)
	for i := range vs {
		page.Covers = append(page.Covers, coversLine(t, h.slice(c, &vs[i], b.Space, web.Locale(c))))
	}
	if b.CanBuild {
		if page.Candidates, err = h.svc.Candidates(ctx, b.Component); err != nil {
			return err
		}
		for _, k := range h.svc.Kinds(page.Candidates) {
			page.Kinds = append(page.Kinds, KindView{Kind: k, Name: h.kindName(c, k)})
		}
	}
	return h.s.Render(c, status, "synthesis/index", page)
}
