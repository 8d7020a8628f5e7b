// SPDX-License-Identifier: AGPL-3.0-or-later

package registry

import (
	"context"
	"strconv"
	"time"

	"github.com/polder-civic/polder/core/i18n"
)

// Space statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusClosed    = "closed"
)

// Theme is a thematic axis of a space.
type Theme struct {
	ID          int64
	Key         string
	Title       i18n.Text
	Transversal bool
}

// Session is a phase of a space with its date window.
type Session struct {
	ID       int64
	Key      string
	Title    i18n.Text
	StartsAt time.Time
	EndsAt   time.Time
	Position int
}

// Open reports whether t falls in the session's window.
func (s Session) Open(t time.Time) bool { return !t.Before(s.StartsAt) && t.Before(s.EndsAt) }

// Space is what a module sees of the space a component lives in. Space
// types (spaces/process, later assemblies) implement it.
type Space struct {
	Type           string
	ID             int64
	OrganisationID int64
	Slug           string
	Title          i18n.Text
	Status         string
	Themes         []Theme
	Sessions       []Session
	// CurrentSessionID is the admin's override, 0 when the date windows
	// decide.
	CurrentSessionID int64
}

// CurrentSession returns the session in force at t: the admin's override,
// else the one whose window holds t, else nil (between sessions).
func (s *Space) CurrentSession(t time.Time) *Session {
	for i := range s.Sessions {
		if s.CurrentSessionID != 0 && s.Sessions[i].ID == s.CurrentSessionID {
			return &s.Sessions[i]
		}
	}
	if s.CurrentSessionID != 0 {
		return nil
	}
	for i := range s.Sessions {
		if s.Sessions[i].Open(t) {
			return &s.Sessions[i]
		}
	}
	return nil
}

// NextSession returns the first session starting after t, or nil.
func (s *Space) NextSession(t time.Time) *Session {
	var best *Session
	for i := range s.Sessions {
		if s.Sessions[i].StartsAt.After(t) && (best == nil || s.Sessions[i].StartsAt.Before(best.StartsAt)) {
			best = &s.Sessions[i]
		}
	}
	return best
}

// Theme returns the theme with the given id.
func (s *Space) Theme(id int64) (*Theme, bool) {
	for i := range s.Themes {
		if s.Themes[i].ID == id {
			return &s.Themes[i], true
		}
	}
	return nil, false
}

// Session returns the session with the given id.
func (s *Space) Session(id int64) (*Session, bool) {
	for i := range s.Sessions {
		if s.Sessions[i].ID == id {
			return &s.Sessions[i], true
		}
	}
	return nil, false
}

// Domain is the permission domain of the space ("process:12").
func (s *Space) Domain() string { return SpaceDomain(s.Type, s.ID) }

// SpaceDomain names a space's permission domain.
func SpaceDomain(spaceType string, id int64) string {
	return spaceType + ":" + strconv.FormatInt(id, 10)
}

// SpaceResolver loads spaces of one type; space types register one.
type SpaceResolver interface {
	// SpaceType is the type name, e.g. "process".
	SpaceType() string
	// BySlug loads a space of an organisation.
	BySlug(ctx context.Context, orgID int64, slug string) (*Space, error)
	// ByID loads a space by id.
	ByID(ctx context.Context, id int64) (*Space, error)
}
