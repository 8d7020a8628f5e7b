// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
)

// Service stores processes with their themes and sessions. Every change
// validates the whole resulting list of themes or sessions, so rules that
// span rows (unique keys, no overlapping windows) hold after any edit.
type Service struct {
	db *store.DB
}

// NewService returns the process service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// List returns an organisation's processes (without themes and sessions),
// newest first; statuses filters them when not empty.
func (s *Service) List(ctx context.Context, orgID int64, statuses ...string) ([]Process, error) {
	q := s.db.WithContext(ctx).Where("organisation_id = ?", orgID)
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	var out []Process
	if err := q.Order("id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	return out, nil
}

// BySlug loads a process of an organisation with its themes and sessions.
func (s *Service) BySlug(ctx context.Context, orgID int64, slug string) (*Process, error) {
	return s.load(s.db.WithContext(ctx), "organisation_id = ? AND slug = ?", orgID, slug)
}

// ByID loads a process with its themes and sessions.
func (s *Service) ByID(ctx context.Context, id int64) (*Process, error) {
	return s.load(s.db.WithContext(ctx), "id = ?", id)
}

func (s *Service) load(tx *gorm.DB, where string, args ...any) (*Process, error) {
	var p Process
	err := tx.Where(where, args...).First(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("process")
	}
	if err != nil {
		return nil, fmt.Errorf("loading process: %w", err)
	}
	if err := tx.Where("process_id = ?", p.ID).Order("position, id").Find(&p.Themes).Error; err != nil {
		return nil, fmt.Errorf("loading themes: %w", err)
	}
	if err := tx.Where("process_id = ?", p.ID).Order("position, id").Find(&p.Sessions).Error; err != nil {
		return nil, fmt.Errorf("loading sessions: %w", err)
	}
	for i := range p.Sessions {
		p.Sessions[i].StartsAt = p.Sessions[i].StartsAt.UTC()
		p.Sessions[i].EndsAt = p.Sessions[i].EndsAt.UTC()
	}
	return &p, nil
}

// Create stores a new process (as a draft unless Status says otherwise).
func (s *Service) Create(ctx context.Context, orgID int64, p *Process) error {
	p.ID = 0
	p.OrganisationID = orgID
	if p.Status == "" {
		p.Status = registry.StatusDraft
	}
	if err := p.Validate(); err != nil {
		return err
	}
	now := time.Now().UTC()
	p.CreatedAt, p.UpdatedAt = now, now
	err := s.db.WithContext(ctx).Omit("CurrentSessionID").Create(p).Error
	if store.IsUniqueViolation(err) {
		return Fields{"slug": "process.error.slug_taken"}.Err()
	}
	if err != nil {
		return fmt.Errorf("creating process: %w", err)
	}
	return nil
}

// Update saves the process's own fields (slug, texts, status).
func (s *Service) Update(ctx context.Context, p *Process) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.UpdatedAt = time.Now().UTC()
	err := s.db.WithContext(ctx).Model(p).Select("slug", "title", "subtitle", "description", "status", "updated_at").Updates(p).Error
	if store.IsUniqueViolation(err) {
		return Fields{"slug": "process.error.slug_taken"}.Err()
	}
	if err != nil {
		return fmt.Errorf("updating process: %w", err)
	}
	return nil
}

// SetStatus moves a process to draft, published or closed.
func (s *Service) SetStatus(ctx context.Context, p *Process, status string) error {
	if !validStatus(status) {
		return Fields{"status": "process.error.status"}.Err()
	}
	p.Status = status
	p.UpdatedAt = time.Now().UTC()
	if err := s.db.WithContext(ctx).Model(p).Updates(map[string]any{"status": status, "updated_at": p.UpdatedAt}).Error; err != nil {
		return fmt.Errorf("setting process status: %w", err)
	}
	return nil
}

// SetCurrentSession overrides the current session with the session of the
// given key; an empty key lets the date windows decide again.
func (s *Service) SetCurrentSession(ctx context.Context, p *Process, key string) error {
	var id *int64
	if key != "" {
		ses, ok := p.Session(key)
		if !ok {
			return Fields{"session": "process.error.no_session"}.Err()
		}
		id = &ses.ID
	}
	p.CurrentSessionID = id
	if err := s.db.WithContext(ctx).Model(p).Updates(map[string]any{"current_session_id": id, "updated_at": time.Now().UTC()}).Error; err != nil {
		return fmt.Errorf("setting current session: %w", err)
	}
	return nil
}

// SaveThemes replaces the process's themes with the given list (in
// display order) after validating it whole: rows are matched by key, so
// ids survive edits and reordering.
func (s *Service) SaveThemes(ctx context.Context, p *Process, themes []Theme) error {
	if err := ValidateThemes(themes).Err(); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		// The new list was computed from p.Themes: refuse it if another
		// admin changed the themes since (lost update).
		var current []Theme
		if err := s.lockedRows(tx, p.ID, &current); err != nil {
			return err
		}
		if themeSignature(current) != themeSignature(p.Themes) {
			return perr.Conflict("process.error.stale", nil)
		}
		return saveThemes(tx, p, themes)
	})
	if err != nil {
		return err
	}
	fresh, err := s.ByID(ctx, p.ID)
	if err != nil {
		return err
	}
	p.Themes = fresh.Themes
	return nil
}

// SaveSessions replaces the process's sessions with the given list after
// validating it whole (see ValidateSessions); rows are matched by key.
// Removing the session an admin chose as current clears the override.
func (s *Service) SaveSessions(ctx context.Context, p *Process, sessions []Session) error {
	if err := ValidateSessions(sessions).Err(); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		// Overlaps were checked against p.Sessions: refuse the list if
		// another admin changed the sessions since.
		var current []Session
		if err := s.lockedRows(tx, p.ID, &current); err != nil {
			return err
		}
		if sessionSignature(current) != sessionSignature(p.Sessions) {
			return perr.Conflict("process.error.stale", nil)
		}
		return saveSessions(tx, p, sessions)
	})
	if err != nil {
		return err
	}
	fresh, err := s.ByID(ctx, p.ID)
	if err != nil {
		return err
	}
	*p = *fresh
	return nil
}

// saveThemes writes a validated theme list inside a transaction.
func saveThemes(tx *gorm.DB, p *Process, themes []Theme) error {
	var existing []Theme
	if err := tx.Where("process_id = ?", p.ID).Find(&existing).Error; err != nil {
		return fmt.Errorf("loading themes: %w", err)
	}
	byKey := map[string]Theme{}
	for _, t := range existing {
		byKey[t.Key] = t
	}
	keep := map[string]bool{}
	for i, t := range themes {
		keep[t.Key] = true
		t.ProcessID = p.ID
		t.Position = i
		if old, ok := byKey[t.Key]; ok {
			t.ID = old.ID
			if err := tx.Model(&Theme{ID: old.ID}).Select("title", "description", "transversal", "position").Updates(&t).Error; err != nil {
				return fmt.Errorf("updating theme %s: %w", t.Key, err)
			}
			continue
		}
		t.ID = 0
		if err := tx.Create(&t).Error; err != nil {
			return fmt.Errorf("adding theme %s: %w", t.Key, err)
		}
	}
	for _, t := range existing {
		if !keep[t.Key] {
			if err := tx.Delete(&Theme{}, t.ID).Error; err != nil {
				return fmt.Errorf("removing theme %s: %w", t.Key, err)
			}
		}
	}
	return nil
}

// saveSessions writes a validated session list inside a transaction.
func saveSessions(tx *gorm.DB, p *Process, sessions []Session) error {
	var existing []Session
	if err := tx.Where("process_id = ?", p.ID).Find(&existing).Error; err != nil {
		return fmt.Errorf("loading sessions: %w", err)
	}
	byKey := map[string]Session{}
	for _, s := range existing {
		byKey[s.Key] = s
	}
	keep := map[string]bool{}
	for i, s := range sessions {
		keep[s.Key] = true
		s.ProcessID = p.ID
		s.Position = i
		s.StartsAt, s.EndsAt = s.StartsAt.UTC(), s.EndsAt.UTC()
		if old, ok := byKey[s.Key]; ok {
			s.ID = old.ID
			if err := tx.Model(&Session{ID: old.ID}).Select("title", "starts_at", "ends_at", "position").Updates(&s).Error; err != nil {
				return fmt.Errorf("updating session %s: %w", s.Key, err)
			}
			continue
		}
		s.ID = 0
		if err := tx.Create(&s).Error; err != nil {
			return fmt.Errorf("adding session %s: %w", s.Key, err)
		}
	}
	for _, s := range existing {
		if keep[s.Key] {
			continue
		}
		if p.CurrentSessionID != nil && *p.CurrentSessionID == s.ID {
			if err := tx.Model(&Process{ID: p.ID}).Update("current_session_id", nil).Error; err != nil {
				return fmt.Errorf("clearing current session: %w", err)
			}
		}
		if err := tx.Delete(&Session{}, s.ID).Error; err != nil {
			return fmt.Errorf("removing session %s: %w", s.Key, err)
		}
	}
	return nil
}

// lockedRows locks the process row (serialising edits of its lists) and
// loads its themes or sessions in display order.
func (s *Service) lockedRows(tx *gorm.DB, processID int64, dst any) error {
	var p Process
	if err := s.db.LockRow(tx).Select("id").First(&p, processID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return perr.NotFound("process")
		}
		return fmt.Errorf("locking process: %w", err)
	}
	if err := tx.Where("process_id = ?", processID).Order("position, id").Find(dst).Error; err != nil {
		return fmt.Errorf("loading the process's lists: %w", err)
	}
	return nil
}

func themeSignature(themes []Theme) string {
	var b strings.Builder
	for _, t := range themes {
		fmt.Fprintf(&b, "%d:%s;", t.ID, t.Key)
	}
	return b.String()
}

func sessionSignature(sessions []Session) string {
	var b strings.Builder
	for _, s := range sessions {
		fmt.Fprintf(&b, "%d:%s:%d:%d;", s.ID, s.Key, s.StartsAt.Unix(), s.EndsAt.Unix())
	}
	return b.String()
}
