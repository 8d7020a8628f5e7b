// SPDX-License-Identifier: AGPL-3.0-or-later

package notes

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

type handlers struct {
	srv   *web.Server
	board *Board
}

// IndexPage is the data of the notes page.
type IndexPage struct {
	Space     *registry.Space
	Component *registry.Component
	Notes     []Note
	CanCreate bool
	Open      bool
	MaxLength int
	Body      string
	Errors    map[string]string
}

// open reports whether the current session lets notes be pinned (a
// per-session setting; between sessions the default applies).
func (h *handlers) open(c echo.Context) bool {
	comp := web.Component(c)
	if cur := web.Space(c).CurrentSession(time.Now()); cur != nil {
		return h.srv.Components.SessionSettings(comp, cur.ID).Bool("open")
	}
	man, _ := h.srv.Registry.Manifest(ID)
	return man.SessionSettings.Defaults().Bool("open")
}

func (h *handlers) page(c echo.Context) (*IndexPage, error) {
	comp := web.Component(c)
	list, err := h.board.List(c.Request().Context(), comp.ID)
	if err != nil {
		return nil, err
	}
	can, err := h.srv.Can(c, PermCreate)
	if err != nil {
		return nil, err
	}
	return &IndexPage{Space: web.Space(c), Component: comp, Notes: list, CanCreate: can, Open: h.open(c),
		MaxLength: h.srv.Components.Settings(comp).Int("max_length")}, nil
}

// index lists the notes, with the form for those who may pin one.
func (h *handlers) index(c echo.Context) error {
	p, err := h.page(c)
	if err != nil {
		return err
	}
	return h.srv.Render(c, http.StatusOK, ID+"/index", p)
}

// create pins a note from the page's form; an invalid note shows the form
// again with the field's error.
func (h *handlers) create(c echo.Context) error {
	if err := web.RequireForm(c); err != nil {
		return err
	}
	if !h.open(c) {
		return perr.Conflict("notes.error.closed", nil)
	}
	comp := web.Component(c)
	body := c.FormValue("body")
	_, err := h.board.Create(c.Request().Context(), comp.ID, web.AccountID(c), body, h.srv.Components.Settings(comp).Int("max_length"))
	if pe, ok := perr.As(err); ok && pe.Code == perr.CodeInvalid {
		p, perr2 := h.page(c)
		if perr2 != nil {
			return perr2
		}
		p.Body = body
		p.Errors = map[string]string{}
		for k, id := range pe.Fields {
			p.Errors[k] = h.srv.Bundle.T(web.Locale(c), id, pe.Data)
		}
		return h.srv.Render(c, http.StatusUnprocessableEntity, ID+"/index", p)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "notes.pinned")
	return web.Redirect(c, c.Request().URL.Path)
}

func (h *handlers) apiList(c echo.Context) error {
	list, err := h.board.List(c.Request().Context(), web.Component(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (h *handlers) apiCreate(c echo.Context) error {
	var in struct {
		Body string `json:"body"`
	}
	if err := c.Bind(&in); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	if !h.open(c) {
		return perr.Conflict("notes.error.closed", nil)
	}
	comp := web.Component(c)
	n, err := h.board.Create(c.Request().Context(), comp.ID, web.AccountID(c), in.Body, h.srv.Components.Settings(comp).Int("max_length"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, n)
}
