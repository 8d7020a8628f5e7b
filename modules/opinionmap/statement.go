// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

func (h *handlers) submit(c echo.Context, body string) (*Statement, error) {
	if web.Account(c) != nil && !h.can(c, ActionSubmit) {
		return nil, perr.Forbidden()
	}
	p, err := h.participant(c, true)
	if err != nil {
		return nil, err
	}
	return h.svc.Submit(c.Request().Context(), web.Component(c), p, body, false)
}

func (h *handlers) submitForm(c echo.Context) error {
	st, err := h.submit(c, c.FormValue("body"))
	if err != nil {
		return err
	}
	if st.State == StatePending {
		h.s.Flash(c, "opinionmap.flash.pending")
	} else {
		h.s.Flash(c, "opinionmap.flash.submitted")
	}
	return web.Redirect(c, h.url(c, ""))
}

// SubmitInput is the submit API's body.
type SubmitInput struct {
	Body string `json:"body"`
}

func (h *handlers) apiSubmit(c echo.Context) error {
	var in SubmitInput
	if err := c.Bind(&in); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	st, err := h.submit(c, in.Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, st)
}

func (h *handlers) apiStatements(c echo.Context) error {
	sts, err := h.svc.Statements(c.Request().Context(), web.Component(c).ID, StateAccepted, StateUnmoderated)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"statements": sts})
}
