// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/panel"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// handlers are the module's thin HTTP handlers.
type handlers struct {
	s      *web.Server
	svc    *Service
	panels *panel.Registry
}

// Base is what every page of the module shows.
type Base struct {
	Space       *registry.Space
	Component   *registry.Component
	Settings    Settings
	URL         string
	CanModerate bool
	// CanTakePart: the viewer may vote (possibly anonymously).
	CanTakePart bool
	// CanSubmit: the viewer may submit statements.
	CanSubmit bool
	// NeedsLogin: logging in would let the viewer take part.
	NeedsLogin bool
}

func (h *handlers) url(c echo.Context, rest string) string {
	sp, comp := web.Space(c), web.Component(c)
	return web.SpacePrefixes[sp.Type] + "/" + sp.Slug + "/c/" + strconv.FormatInt(comp.ID, 10) + rest
}

func (h *handlers) can(c echo.Context, action string) bool {
	ok, err := h.s.Can(c, registry.Permission(ID, action))
	return err == nil && ok
}

func (h *handlers) base(c echo.Context) Base {
	comp := web.Component(c)
	set := h.svc.Settings(comp)
	b := Base{Space: web.Space(c), Component: comp, Settings: set, URL: h.url(c, ""), CanModerate: h.can(c, ActionModerate)}
	_, err := h.who(c, false)
	b.CanTakePart = err == nil
	b.NeedsLogin = perr.CodeOf(err) == perr.CodeUnauthorised
	b.CanSubmit = b.CanTakePart && set.ParticipantStatements && (web.Account(c) == nil || h.can(c, ActionSubmit))
	return b
}

// who says who is acting under the conversation's participation setting,
// or why they may not take part. create gives an anonymous visitor a
// session key.
func (h *handlers) who(c echo.Context, create bool) (Who, error) {
	set := h.svc.Settings(web.Component(c))
	acc := web.Account(c)
	if acc != nil {
		if !h.can(c, ActionVote) {
			return Who{}, perr.Forbidden()
		}
		if set.Participation == ParticipationVerified && !acc.Confirmed() {
			return Who{}, perr.New(perr.CodeForbidden, "opinionmap.error.verified_only", nil)
		}
		return Who{AccountID: acc.ID}, nil
	}
	if set.Participation != ParticipationAnonymous {
		return Who{}, perr.Unauthorised()
	}
	return Who{AnonKey: AnonKey(h.s.CSRFToken(c))}, nil
}

// participant returns the acting participant, creating it when create.
func (h *handlers) participant(c echo.Context, create bool) (*Participant, error) {
	who, err := h.who(c, create)
	if err != nil {
		return nil, err
	}
	return h.svc.Participant(c.Request().Context(), web.Component(c).ID, who, create)
}

func statementID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, perr.NotFound("statement")
	}
	return id, nil
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
