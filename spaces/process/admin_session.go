// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// sessionIndex returns the position of a session in the process's list.
func sessionIndex(p *Process, key string) int {
	for i, s := range p.Sessions {
		if s.Key == key {
			return i
		}
	}
	return -1
}

// sessionFromForm reads a session's editable fields; dates are UTC.
func sessionFromForm(s *Session, form map[string]string) {
	s.Title = textFromForm(form, "title")
	s.StartsAt = parseFormTime(form["starts_at"])
	s.EndsAt = parseFormTime(form["ends_at"])
}

// adminSessionAdd appends a session.
func (h *handlers) adminSessionAdd(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	s := Session{Key: strings.TrimSpace(form["key"])}
	sessionFromForm(&s, form)
	sessions := append(append([]Session(nil), p.Sessions...), s)
	i := len(sessions) - 1
	orig := *p
	if err := h.svc.SaveSessions(c.Request().Context(), p, sessions); err != nil {
		return h.rejected(c, &orig, "session-add", form, err, func(f Fields) Fields { return fieldsAt(f, "sessions", i) })
	}
	return h.done(c, p, "process.session_add", s.Key, "#sessions")
}

// adminSessionEdit changes a session's title and window (its key stays:
// settings and contributions refer to the session).
func (h *handlers) adminSessionEdit(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	key := c.Param("key")
	i := sessionIndex(p, key)
	if i < 0 {
		return Fields{"key": "process.error.no_session"}.Err()
	}
	sessions := append([]Session(nil), p.Sessions...)
	sessionFromForm(&sessions[i], form)
	orig := *p
	if err := h.svc.SaveSessions(c.Request().Context(), p, sessions); err != nil {
		return h.rejected(c, &orig, "session:"+key, form, err, func(f Fields) Fields { return fieldsAt(f, "sessions", i) })
	}
	return h.done(c, p, "process.session_edit", key, "#sessions")
}

// adminSessionDelete removes a session.
func (h *handlers) adminSessionDelete(c echo.Context) error {
	p, _, err := h.adminForm(c)
	if err != nil {
		return err
	}
	key := c.Param("key")
	i := sessionIndex(p, key)
	if i < 0 {
		return Fields{"key": "process.error.no_session"}.Err()
	}
	sessions := append(append([]Session(nil), p.Sessions[:i]...), p.Sessions[i+1:]...)
	if err := h.svc.SaveSessions(c.Request().Context(), p, sessions); err != nil {
		return err
	}
	return h.done(c, p, "process.session_remove", key, "#sessions")
}

// adminSessionMove moves a session one place up or down in the list.
func (h *handlers) adminSessionMove(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	key := c.Param("key")
	i := sessionIndex(p, key)
	if i < 0 {
		return Fields{"key": "process.error.no_session"}.Err()
	}
	j, err := moveTarget(i, len(p.Sessions), form["direction"])
	if err != nil {
		return err
	}
	sessions := append([]Session(nil), p.Sessions...)
	sessions[i], sessions[j] = sessions[j], sessions[i]
	if err := h.svc.SaveSessions(c.Request().Context(), p, sessions); err != nil {
		return err
	}
	return h.done(c, p, "process.session_move", key+" "+form["direction"], "#sessions")
}
