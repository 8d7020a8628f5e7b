// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

func parseDate(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return nil, perr.Invalid("synthesis.error.dates", nil)
		}
	}
	return &t, nil
}

func (h *handlers) create(c echo.Context) error {
	b := h.base(c)
	if err := web.RequireForm(c); err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return perr.Invalid("synthesis.error.form", nil)
	}
	req := Request{Kind: form.Get("kind")}
	for _, s := range form["sources"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			req.Sources = append(req.Sources, id)
		}
	}
	// The form offers every kind, checked, after a hidden empty "kinds"
	// (so that unchecking them all still sends the field): the field with
	// no kind is a mistake; no field at all (a client of its own) reads
	// every kind.
	for _, k := range form["kinds"] {
		if k != "" {
			req.Kinds = append(req.Kinds, k)
		}
	}
	if len(form["kinds"]) > 0 && len(req.Kinds) == 0 {
		return h.renderIndex(c, http.StatusUnprocessableEntity, "synthesis.error.no_kinds")
	}
	req.ThemeID, _ = strconv.ParseInt(form.Get("theme_id"), 10, 64)
	req.SessionID, _ = strconv.ParseInt(form.Get("session_id"), 10, 64)
	if req.From, err = parseDate(form.Get("from")); err == nil {
		req.To, err = parseDate(form.Get("to"))
	}
	if err == nil {
		var syn *Synthesis
		syn, err = h.svc.Create(c.Request().Context(), b.Space, b.Component, web.AccountID(c), req)
		if err == nil {
			return web.Redirect(c, b.URL+"/syntheses/"+strconv.FormatInt(syn.ID, 10))
		}
	}
	if pe, ok := perr.As(err); ok && pe.Code != perr.CodeInternal {
		return h.renderIndex(c, http.StatusUnprocessableEntity, pe.MessageID)
	}
	return err
}

// createBody is the JSON of a build request.
type createBody struct {
	Kind      string  `json:"kind"`
	Sources   []int64 `json:"sources"`
	ThemeID   int64   `json:"theme_id"`
	SessionID int64   `json:"session_id"`
	From      string  `json:"from"`
	To        string  `json:"to"`
	// Kinds of contributions to read; empty or absent: every kind.
	Kinds []string `json:"kinds"`
}

func (h *handlers) apiCreate(c echo.Context) error {
	b := h.base(c)
	var body createBody
	if err := c.Bind(&body); err != nil {
		return perr.Invalid("synthesis.error.form", nil)
	}
	req := Request{Kind: body.Kind, Sources: body.Sources, ThemeID: body.ThemeID, SessionID: body.SessionID, Kinds: body.Kinds}
	var err error
	if req.From, err = parseDate(body.From); err != nil {
		return err
	}
	if req.To, err = parseDate(body.To); err != nil {
		return err
	}
	syn, err := h.svc.Create(c.Request().Context(), b.Space, b.Component, web.AccountID(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, syn)
}
