// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/web"
)

// ShowPage is a version's page.
type ShowPage struct {
	Base
	*View
	// Building is true while the job runs: the page refreshes itself.
	Building bool
	Charts   []template.HTML
	Software string
}

func (h *handlers) show(c echo.Context) error {
	b := h.base(c)
	v, err := h.view(c, b)
	if err != nil {
		return err
	}
	page := ShowPage{Base: b, View: v, Software: h.s.Version,
		Building: v.Syn.Status == StatusQueued || v.Syn.Status == StatusBuilding}
	p := h.s.NewPage(c, "synthesis/show", nil)
	for _, tv := range v.Themes {
		page.Charts = append(page.Charts, barChart(p.T("synthesis.chart.title", "Theme", tv.Title), tv))
	}
	p.Data = page
	return h.s.RenderPage(c, http.StatusOK, p)
}

// status is the JSON of a version's build state.
type status struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	Progress int    `json:"progress"`
	Note     string `json:"note"`
	Error    string `json:"error,omitempty"`
}

func (h *handlers) apiStatus(c echo.Context) error {
	syn, err := h.load(c, h.base(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, status{ID: syn.ID, Status: syn.Status, Progress: syn.Progress, Note: syn.ProgressNote, Error: syn.Error})
}

func (h *handlers) apiList(c echo.Context) error {
	b := h.base(c)
	vs, err := h.svc.List(c.Request().Context(), b.Component, b.CanBuild)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"versions": vs, "space": web.Space(c).Slug})
}
