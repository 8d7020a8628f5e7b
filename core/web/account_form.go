// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
)

// FormField is one field of an account form, ready for the template.
type FormField struct {
	Name         string
	Type         string // text, email, password, select
	Label        string // message ID
	Hint         string // message ID
	Value        string
	Autocomplete string
	Required     bool
	Options      []FormOption
	// Error is the message ID of the field's error.
	Error string
}

// FormOption is one choice of a select field.
type FormOption struct {
	Value string
	Label string // message ID
	// Lang marks a label written in another language (a language's own
	// name), so screen readers pronounce it right.
	Lang string
}

// DescribedBy lists the ids of the field's hint and error for
// aria-describedby.
func (f FormField) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, "f-"+f.Name+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, "f-"+f.Name+"-error")
	}
	return strings.Join(ids, " ")
}

// FormLink is a link under a form ("Forgot your password?").
type FormLink struct {
	Href  string
	Label string // message ID
}

// FormPage is the data of accounts/form: a titled form with fields,
// per-field errors, a form-level error and links.
type FormPage struct {
	Title  string // message ID
	Intro  string // message ID
	Action string
	Submit string // message ID
	Danger bool
	Fields []FormField
	// Hidden fields (next, token).
	Hidden map[string]string
	// Error is the form-level message ID; ErrData fills it and the
	// fields' messages.
	Error   string
	ErrData map[string]any
	Links   []FormLink
}

// fill copies submitted values into the fields, except passwords, which
// are never sent back to the browser.
func (p *FormPage) fill(values map[string]string) {
	for i := range p.Fields {
		if p.Fields[i].Type != "password" {
			p.Fields[i].Value = values[p.Fields[i].Name]
		}
	}
}

// setError puts a domain error on the form: its message and its
// per-field messages. Errors without a code are returned for the error
// handler (they are internal).
func (p *FormPage) setError(err error) (int, error) {
	pe, ok := perr.As(err)
	if !ok || pe.Code == perr.CodeInternal {
		return 0, err
	}
	p.Error, p.ErrData = pe.MessageID, pe.Data
	for i := range p.Fields {
		p.Fields[i].Error = pe.Fields[p.Fields[i].Name]
	}
	return StatusOf(pe.Code), nil
}

// renderForm shows a form page, with an error when err is not nil.
func (s *Server) renderForm(c echo.Context, p *FormPage, err error) error {
	status := http.StatusOK
	if err != nil {
		st, ierr := p.setError(err)
		if ierr != nil {
			return ierr
		}
		status = st
	}
	return s.Render(c, status, "accounts/form", p)
}

// MessagePage is the data of accounts/message: a title, a text and links.
type MessagePage struct {
	Title string // message ID
	Text  string // message ID
	Data  map[string]any
	Links []FormLink
}

// bindAccountJSON decodes a JSON API body into dst, refusing other content
// types, unknown fields and trailing data.
func bindAccountJSON(c echo.Context, dst any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return perr.New(perr.CodeBadRequest, "error.content_type", nil)
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		var he *echo.HTTPError
		if errors.As(err, &mbe) || errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return perr.New(perr.CodeBadRequest, "error.too_large", nil)
		}
		return &perr.Error{Code: perr.CodeBadRequest, MessageID: "error.bad_request", Err: fmt.Errorf("decoding JSON: %w", err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	return nil
}

// accountForm reads a posted form, refusing other content types.
func accountForm(c echo.Context) (map[string]string, error) {
	if err := RequireForm(c); err != nil {
		return nil, err
	}
	return FormMap(c)
}
