// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
)

// StatusOf maps an error code to its HTTP status.
func StatusOf(code perr.Code) int {
	switch code {
	case perr.CodeInvalid:
		return http.StatusUnprocessableEntity
	case perr.CodeBadRequest:
		return http.StatusBadRequest
	case perr.CodeNotFound:
		return http.StatusNotFound
	case perr.CodeForbidden:
		return http.StatusForbidden
	case perr.CodeUnauthorised:
		return http.StatusUnauthorized
	case perr.CodeConflict:
		return http.StatusConflict
	case perr.CodeTooMany:
		return http.StatusTooManyRequests
	case perr.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// APIError is the JSON body of every API error.
type APIError struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// ErrorPage is the data of the error template.
type ErrorPage struct {
	Status  int
	Message string
}

// handleError is the one place errors become responses: domain errors keep
// their code and translated message; anything else is logged and shown as
// a generic internal error.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var pe *perr.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &he):
		pe = fromHTTPError(he)
	default:
		slog.Error("internal error", "err", err, "path", c.Request().URL.Path)
		pe = perr.New(perr.CodeInternal, "error.internal", nil)
	}
	if pe.Code == perr.CodeInternal && pe.Err != nil {
		slog.Error("internal error", "err", pe.Err, "path", c.Request().URL.Path)
	}
	status := StatusOf(pe.Code)
	loc := Locale(c)
	msg := s.Bundle.T(loc, pe.MessageID, pe.Data)
	if IsAPI(c) || wantsJSON(c) {
		fields := map[string]string{}
		for k, id := range pe.Fields {
			fields[k] = s.Bundle.T(loc, id, pe.Data)
		}
		if len(fields) == 0 {
			fields = nil
		}
		_ = c.JSON(status, APIError{Error: string(pe.Code), Message: msg, Fields: fields})
		return
	}
	if pe.Code == perr.CodeUnauthorised && c.Request().Method == http.MethodGet {
		_ = c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		return
	}
	if Org(c) == nil || s.Renderer == nil {
		_ = c.String(status, msg)
		return
	}
	if rerr := s.Render(c, status, "error", ErrorPage{Status: status, Message: msg}); rerr != nil {
		slog.Error("rendering error page", "err", rerr)
		_ = c.String(status, msg)
	}
}

func wantsJSON(c echo.Context) bool {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	return ct == echo.MIMEApplicationJSON || c.Request().Header.Get(echo.HeaderAccept) == echo.MIMEApplicationJSON
}

func fromHTTPError(he *echo.HTTPError) *perr.Error {
	switch he.Code {
	case http.StatusNotFound:
		return perr.New(perr.CodeNotFound, "error.page_not_found", nil)
	case http.StatusMethodNotAllowed:
		return perr.New(perr.CodeBadRequest, "error.method", nil)
	case http.StatusRequestEntityTooLarge:
		return perr.New(perr.CodeTooLarge, "error.too_large", nil)
	case http.StatusUnsupportedMediaType:
		return perr.New(perr.CodeBadRequest, "error.content_type", nil)
	case http.StatusTooManyRequests:
		return perr.New(perr.CodeTooMany, "error.too_many", nil)
	case http.StatusBadRequest:
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	case http.StatusForbidden:
		return perr.New(perr.CodeForbidden, "error.forbidden", nil)
	case http.StatusUnauthorized:
		return perr.New(perr.CodeUnauthorised, "error.login_required", nil)
	}
	return &perr.Error{Code: perr.CodeInternal, MessageID: "error.internal", Err: he}
}
