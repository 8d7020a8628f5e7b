// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

// label changes one topic's label (form fields theme, topic, label).
func (h *handlers) label(c echo.Context) error {
	b := h.base(c)
	syn, err := h.load(c, b)
	if err != nil {
		return err
	}
	ti, err1 := strconv.Atoi(c.FormValue("theme"))
	k, err2 := strconv.Atoi(c.FormValue("topic"))
	if err1 != nil || err2 != nil {
		return perr.NotFound("topic")
	}
	if err := h.svc.SetLabel(c.Request().Context(), syn, ti, k, c.FormValue("label"), web.AccountID(c)); err != nil {
		return err
	}
	h.s.Flash(c, "synthesis.flash.label")
	return web.Redirect(c, b.URL+"/syntheses/"+strconv.FormatInt(syn.ID, 10))
}

// introduction stores the editorial introduction.
func (h *handlers) introduction(c echo.Context) error {
	b := h.base(c)
	syn, err := h.load(c, b)
	if err != nil {
		return err
	}
	if err := h.svc.SetIntroduction(c.Request().Context(), syn, c.FormValue("introduction"), web.AccountID(c)); err != nil {
		return err
	}
	h.s.Flash(c, "synthesis.flash.introduction")
	return web.Redirect(c, b.URL+"/syntheses/"+strconv.FormatInt(syn.ID, 10))
}

func (h *handlers) publish(c echo.Context) error {
	b := h.base(c)
	syn, err := h.load(c, b)
	if err != nil {
		return err
	}
	if err := h.svc.Publish(c.Request().Context(), syn, web.AccountID(c)); err != nil {
		return err
	}
	h.s.Flash(c, "synthesis.flash.published")
	return web.Redirect(c, b.URL+"/syntheses/"+strconv.FormatInt(syn.ID, 10))
}

func (h *handlers) apiPublish(c echo.Context) error {
	syn, err := h.load(c, h.base(c))
	if err != nil {
		return err
	}
	if err := h.svc.Publish(c.Request().Context(), syn, web.AccountID(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, syn)
}
