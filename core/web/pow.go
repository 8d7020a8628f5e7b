// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"log/slog"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/pow"
)

// powServices holds each server's proof-of-work service (kept beside the
// Server rather than in it, so that this feature stays in one file).
var powServices sync.Map // *Server → *pow.Service

// PoW returns the proof-of-work service of core's own forms (registration):
// it shares its signing secret with every instance through the database.
func (s *Server) PoW() *pow.Service {
	if v, ok := powServices.Load(s); ok {
		return v.(*pow.Service)
	}
	v, _ := powServices.LoadOrStore(s, pow.New(s.DB))
	return v.(*pow.Service)
}

// requirePoW guards a form handler with a proof of work of a purpose
// (pow.Require: a browser without JavaScript gets a stricter per-IP limit).
func (s *Server) requirePoW(purpose string, next echo.HandlerFunc) echo.HandlerFunc {
	return s.PoW().Require(purpose)(next)
}

// withChallenge adds a fresh challenge to a form as hidden fields, which
// static/pow.js solves before the form is sent. Without one (the database
// failed) the form still works, under the no-JavaScript limit.
func (s *Server) withChallenge(c echo.Context, p *FormPage, purpose string) *FormPage {
	ch, err := s.PoW().Challenge(c.Request().Context(), purpose)
	if err != nil {
		slog.Error("proof-of-work challenge", "err", err)
		return p
	}
	if p.Hidden == nil {
		p.Hidden = map[string]string{}
	}
	p.Hidden[pow.FieldChallenge] = ch
	p.Hidden[pow.FieldNonce] = ""
	return p
}
