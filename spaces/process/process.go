// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
)

// SpaceType is the space type name of processes, used in component rows
// and permission domains ("process:12").
const SpaceType = "process"

// Process is a participatory process.
type Process struct {
	ID             int64     `json:"id"`
	OrganisationID int64     `json:"-"`
	Slug           string    `json:"slug"`
	Title          i18n.Text `json:"title"`
	Subtitle       i18n.Text `json:"subtitle"`
	Description    i18n.Text `json:"description"`
	Status         string    `json:"status"`
	// CurrentSessionID is an admin's override of the current session; nil
	// lets the date windows decide.
	CurrentSessionID *int64    `json:"current_session_id"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`

	Themes   []Theme   `gorm:"-" json:"themes"`
	Sessions []Session `gorm:"-" json:"sessions"`
}

// TableName is core's processes table.
func (Process) TableName() string { return "processes" }

// Theme is a thematic axis of a process.
type Theme struct {
	ID          int64     `json:"id"`
	ProcessID   int64     `json:"-"`
	Key         string    `json:"key"`
	Title       i18n.Text `json:"title"`
	Description i18n.Text `json:"description"`
	// Transversal themes cut across the others (the convention's
	// "financing and constitution").
	Transversal bool `json:"transversal"`
	Position    int  `json:"position"`
}

// TableName is core's process_themes table.
func (Theme) TableName() string { return "process_themes" }

// Session is a phase of a process with its date window [StartsAt, EndsAt).
type Session struct {
	ID        int64     `json:"id"`
	ProcessID int64     `json:"-"`
	Key       string    `json:"key"`
	Title     i18n.Text `json:"title"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Position  int       `json:"position"`
}

// TableName is core's process_sessions table.
func (Session) TableName() string { return "process_sessions" }

// Space returns what modules see of the process.
func (p *Process) Space() *registry.Space {
	sp := &registry.Space{Type: SpaceType, ID: p.ID, OrganisationID: p.OrganisationID, Slug: p.Slug, Title: p.Title, Status: p.Status}
	if p.CurrentSessionID != nil {
		sp.CurrentSessionID = *p.CurrentSessionID
	}
	for _, t := range p.Themes {
		sp.Themes = append(sp.Themes, registry.Theme{ID: t.ID, Key: t.Key, Title: t.Title, Transversal: t.Transversal})
	}
	for _, s := range p.Sessions {
		sp.Sessions = append(sp.Sessions, registry.Session{ID: s.ID, Key: s.Key, Title: s.Title, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Position: s.Position})
	}
	return sp
}

// CurrentSession returns the session in force at t (see
// registry.Space.CurrentSession), or nil.
func (p *Process) CurrentSession(t time.Time) *Session {
	cur := p.Space().CurrentSession(t)
	if cur == nil {
		return nil
	}
	for i := range p.Sessions {
		if p.Sessions[i].ID == cur.ID {
			return &p.Sessions[i]
		}
	}
	return nil
}

// Session returns the session with a key.
func (p *Process) Session(key string) (*Session, bool) {
	for i := range p.Sessions {
		if p.Sessions[i].Key == key {
			return &p.Sessions[i], true
		}
	}
	return nil, false
}

// Theme returns the theme with a key.
func (p *Process) Theme(key string) (*Theme, bool) {
	for i := range p.Themes {
		if p.Themes[i].Key == key {
			return &p.Themes[i], true
		}
	}
	return nil, false
}

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,79}$`)
	keyPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,79}$`)
)

// reservedSlugs would collide with the admin pages' static paths.
var reservedSlugs = map[string]bool{"new": true}

// Statuses are the allowed process statuses.
var Statuses = []string{registry.StatusDraft, registry.StatusPublished, registry.StatusClosed}

// Fields collects per-field errors (field → i18n message ID) and turns
// them into one invalid error.
type Fields map[string]string

// Err returns nil when no field is wrong, else an invalid error carrying
// every field.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: f}
}

// validText checks translated content: only supported locales, and at
// least one non-empty text when required. It returns a message ID or "".
func validText(t i18n.Text, required bool, maxLen int) string {
	any := false
	for loc, s := range t {
		if !i18n.IsSupported(loc) {
			return "process.error.locale"
		}
		if strings.TrimSpace(s) != "" {
			any = true
		}
		if len([]rune(s)) > maxLen {
			return "process.error.too_long"
		}
	}
	if required && !any {
		return "process.error.title_required"
	}
	return ""
}

// Validate checks the process's own fields (not its themes and sessions).
func (p *Process) Validate() error {
	f := Fields{}
	switch {
	case !slugPattern.MatchString(p.Slug):
		f["slug"] = "process.error.slug"
	case reservedSlugs[p.Slug]:
		f["slug"] = "process.error.slug_reserved"
	}
	if m := validText(p.Title, true, 200); m != "" {
		f["title"] = m
	}
	if m := validText(p.Subtitle, false, 300); m != "" {
		f["subtitle"] = m
	}
	if m := validText(p.Description, false, 20000); m != "" {
		f["description"] = m
	}
	if !validStatus(p.Status) {
		f["status"] = "process.error.status"
	}
	return f.Err()
}

func validStatus(s string) bool {
	for _, st := range Statuses {
		if s == st {
			return true
		}
	}
	return false
}

// ValidateThemes checks a process's whole list of themes: well-formed,
// unique keys and a title each. Field names are "themes.<i>.<field>".
func ValidateThemes(themes []Theme) Fields {
	f := Fields{}
	seen := map[string]bool{}
	for i, t := range themes {
		pre := "themes." + itoa(i) + "."
		switch {
		case !keyPattern.MatchString(t.Key):
			f[pre+"key"] = "process.error.key"
		case seen[t.Key]:
			f[pre+"key"] = "process.error.key_taken"
		}
		seen[t.Key] = true
		if m := validText(t.Title, true, 200); m != "" {
			f[pre+"title"] = m
		}
		if m := validText(t.Description, false, 5000); m != "" {
			f[pre+"description"] = m
		}
	}
	return f
}

// ValidateSessions checks a process's whole list of sessions: unique keys,
// a title, each window starting before it ends, and no two windows
// overlapping (a session is [start, end), so one may start when the
// previous ends). Field names are "sessions.<i>.<field>".
func ValidateSessions(sessions []Session) Fields {
	f := Fields{}
	seen := map[string]bool{}
	for i, s := range sessions {
		pre := "sessions." + itoa(i) + "."
		switch {
		case !keyPattern.MatchString(s.Key):
			f[pre+"key"] = "process.error.key"
		case seen[s.Key]:
			f[pre+"key"] = "process.error.key_taken"
		}
		seen[s.Key] = true
		if m := validText(s.Title, true, 200); m != "" {
			f[pre+"title"] = m
		}
		if s.StartsAt.IsZero() {
			f[pre+"starts_at"] = "process.error.date"
		}
		if s.EndsAt.IsZero() {
			f[pre+"ends_at"] = "process.error.date"
		}
		if !s.StartsAt.IsZero() && !s.EndsAt.IsZero() && !s.StartsAt.Before(s.EndsAt) {
			f[pre+"ends_at"] = "process.error.end_before_start"
		}
	}
	// Overlaps: sort valid windows by start and compare neighbours.
	idx := make([]int, 0, len(sessions))
	for i, s := range sessions {
		if !s.StartsAt.IsZero() && s.StartsAt.Before(s.EndsAt) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return sessions[idx[a]].StartsAt.Before(sessions[idx[b]].StartsAt) })
	for k := 1; k < len(idx); k++ {
		prev, cur := sessions[idx[k-1]], sessions[idx[k]]
		if cur.StartsAt.Before(prev.EndsAt) {
			f["sessions."+itoa(idx[k])+".starts_at"] = "process.error.overlap"
		}
	}
	return f
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
