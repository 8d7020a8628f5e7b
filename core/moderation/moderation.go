// SPDX-License-Identifier: AGPL-3.0-or-later

// Package moderation is the core moderation service any module uses:
// participants report a resource (a proposal, a comment, a statement) with
// a reason; a resource is hidden automatically once it gathers a number of
// reports, or by a moderator from the queue; moderators can unhide it.
// Authors and reporters get a notification row of each outcome.
//
// Hidden content must be gone from every list, export and search: modules
// add NotHiddenSQL to their queries, which keeps the rule in one place.
package moderation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// Reasons a participant can give when reporting.
const (
	ReasonSpam      = "spam"
	ReasonOffensive = "offensive"
	ReasonOffTopic  = "off_topic"
	ReasonPersonal  = "personal_data"
	ReasonOther     = "other"
)

// Reasons lists the accepted reasons, in display order.
var Reasons = []string{ReasonSpam, ReasonOffensive, ReasonOffTopic, ReasonPersonal, ReasonOther}

// MaxDetails bounds the free text of a report.
const MaxDetails = 1000

// Notification kinds written by this package.
const (
	NoticeHidden   = "moderation.hidden"
	NoticeUnhidden = "moderation.unhidden"
	NoticeOutcome  = "moderation.report_outcome"
)

// Moderation is the moderation state of one resource.
type Moderation struct {
	ID             int64
	OrganisationID int64
	SpaceID        int64
	ResourceType   string
	ResourceID     int64
	AuthorID       *int64
	Link           string
	Excerpt        string
	ReportsCount   int
	HiddenAt       *time.Time
	HiddenBy       *int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Hidden reports whether the resource is hidden.
func (m *Moderation) Hidden() bool { return m.HiddenAt != nil }

// Report is one participant's report.
type Report struct {
	ID           int64
	ModerationID int64
	ReporterID   int64
	Reason       string
	Details      string
	CreatedAt    time.Time
}

// TableName is the reports table.
func (Report) TableName() string { return "moderation_reports" }

// Target describes the reported resource; modules fill it.
type Target struct {
	OrganisationID int64
	SpaceID        int64
	ResourceType   string
	ResourceID     int64
	// AuthorID is notified of hiding (0 if none).
	AuthorID int64
	// Link is where a moderator sees the resource.
	Link string
	// Excerpt is a short copy of the content, for the queue.
	Excerpt string
}

// Service reports, hides and lists.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the moderation service.
func New(db *store.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// NotHiddenSQL is a condition that keeps only resources of resourceType
// whose id (the SQL expression idColumn) is not hidden. Every list, export
// and search of moderated content adds it. It is written as NOT IN over an
// uncorrelated subquery, which both SQLite and PostgreSQL evaluate once
// per query (hidden resources are few), not once per row.
func NotHiddenSQL(resourceType, idColumn string) string {
	return idColumn + " NOT IN (SELECT mh.resource_id FROM moderations mh WHERE mh.resource_type = '" + resourceType +
		"' AND mh.hidden_at IS NOT NULL)"
}

// Report records a participant's report. When the resource reaches
// autoHide reports (autoHide > 0) it is hidden and its author notified.
// A participant reports a resource once; a second report is a conflict.
func (s *Service) Report(ctx context.Context, t Target, reporterID int64, reason, details string, autoHide int) (*Moderation, error) {
	if !slices.Contains(Reasons, reason) {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "moderation.error.reason", Fields: map[string]string{"reason": "moderation.error.reason"}}
	}
	if len([]rune(details)) > MaxDetails {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "moderation.error.details", Data: map[string]any{"Max": MaxDetails}, Fields: map[string]string{"details": "moderation.error.details"}}
	}
	if t.AuthorID != 0 && t.AuthorID == reporterID {
		return nil, perr.Invalid("moderation.error.own", nil)
	}
	var out Moderation
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		m, err := s.ensure(tx, t, now)
		if err != nil {
			return err
		}
		r := Report{ModerationID: m.ID, ReporterID: reporterID, Reason: reason, Details: details, CreatedAt: now}
		if err := tx.Create(&r).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return perr.Conflict("moderation.error.already_reported", nil)
			}
			return fmt.Errorf("saving report: %w", err)
		}
		if err := tx.Model(&Moderation{}).Where("id = ?", m.ID).Updates(map[string]any{
			"reports_count": gorm.Expr("reports_count + 1"), "updated_at": now}).Error; err != nil {
			return fmt.Errorf("counting report: %w", err)
		}
		if err := tx.First(m, m.ID).Error; err != nil {
			return fmt.Errorf("reloading moderation: %w", err)
		}
		if autoHide > 0 && m.ReportsCount >= autoHide && m.HiddenAt == nil {
			if err := s.setHidden(tx, m, true, 0, now); err != nil {
				return err
			}
		}
		out = *m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ensure returns the resource's moderation row, creating it if needed. The
// row is locked on PostgreSQL so concurrent reports count exactly.
func (s *Service) ensure(tx *gorm.DB, t Target, now time.Time) (*Moderation, error) {
	var m Moderation
	err := s.db.LockRow(tx).Where("resource_type = ? AND resource_id = ?", t.ResourceType, t.ResourceID).First(&m).Error
	if err == nil {
		return &m, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("loading moderation: %w", err)
	}
	m = Moderation{OrganisationID: t.OrganisationID, SpaceID: t.SpaceID, ResourceType: t.ResourceType, ResourceID: t.ResourceID,
		Link: t.Link, Excerpt: excerpt(t.Excerpt), CreatedAt: now, UpdatedAt: now}
	if t.AuthorID != 0 {
		a := t.AuthorID
		m.AuthorID = &a
	}
	// Two first reports may race to create the row: insert-or-ignore, then
	// read (and lock) whichever row won.
	if err := tx.Exec(`INSERT INTO moderations (organisation_id, space_id, resource_type, resource_id, author_id, link, excerpt, reports_count, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING`,
		m.OrganisationID, m.SpaceID, m.ResourceType, m.ResourceID, m.AuthorID, m.Link, m.Excerpt, now, now).Error; err != nil {
		return nil, fmt.Errorf("creating moderation: %w", err)
	}
	if err := s.db.LockRow(tx).Where("resource_type = ? AND resource_id = ?", t.ResourceType, t.ResourceID).First(&m).Error; err != nil {
		return nil, fmt.Errorf("loading moderation: %w", err)
	}
	return &m, nil
}

func excerpt(s string) string {
	r := []rune(s)
	if len(r) > 280 {
		return string(r[:280]) + "…"
	}
	return s
}

// setHidden hides or unhides and writes the notifications of the outcome.
func (s *Service) setHidden(tx *gorm.DB, m *Moderation, hide bool, moderatorID int64, now time.Time) error {
	upd := map[string]any{"updated_at": now}
	if hide {
		upd["hidden_at"] = now
		if moderatorID != 0 {
			upd["hidden_by"] = moderatorID
		} else {
			upd["hidden_by"] = nil
		}
	} else {
		upd["hidden_at"] = nil
		upd["hidden_by"] = nil
	}
	if err := tx.Model(&Moderation{}).Where("id = ?", m.ID).Updates(upd).Error; err != nil {
		return fmt.Errorf("updating moderation: %w", err)
	}
	if hide {
		m.HiddenAt = &now
	} else {
		m.HiddenAt = nil
	}
	kind := NoticeHidden
	if !hide {
		kind = NoticeUnhidden
	}
	if m.AuthorID != nil {
		if err := notify(tx, *m.AuthorID, kind, m.Link, now); err != nil {
			return err
		}
	}
	if hide {
		var reporters []int64
		if err := tx.Model(&Report{}).Where("moderation_id = ?", m.ID).Pluck("reporter_id", &reporters).Error; err != nil {
			return fmt.Errorf("listing reporters: %w", err)
		}
		for _, r := range reporters {
			if err := notify(tx, r, NoticeOutcome, m.Link, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// notify writes a notification row. The message column holds the i18n
// message ID (the kind), translated when the notification is shown, so the
// reader sees it in their own language.
func notify(tx *gorm.DB, accountID int64, kind, link string, now time.Time) error {
	err := tx.Exec("INSERT INTO notifications (account_id, kind, message, link, created_at) VALUES (?, ?, ?, ?, ?)",
		accountID, kind, "notification."+kind, link, now).Error
	if err != nil {
		return fmt.Errorf("writing notification: %w", err)
	}
	return nil
}

// Hide hides a resource by a moderator's decision (creating its moderation
// row if nobody reported it).
func (s *Service) Hide(ctx context.Context, t Target, moderatorID int64) (*Moderation, error) {
	return s.decide(ctx, t, moderatorID, true)
}

// Unhide shows a hidden resource again.
func (s *Service) Unhide(ctx context.Context, t Target, moderatorID int64) (*Moderation, error) {
	return s.decide(ctx, t, moderatorID, false)
}

func (s *Service) decide(ctx context.Context, t Target, moderatorID int64, hide bool) (*Moderation, error) {
	var out Moderation
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		m, err := s.ensure(tx, t, now)
		if err != nil {
			return err
		}
		if m.Hidden() == hide {
			out = *m
			return nil
		}
		if err := s.setHidden(tx, m, hide, moderatorID, now); err != nil {
			return err
		}
		out = *m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ByID loads a moderation of an organisation.
func (s *Service) ByID(ctx context.Context, orgID, id int64) (*Moderation, error) {
	var m Moderation
	err := s.db.WithContext(ctx).Where("organisation_id = ? AND id = ?", orgID, id).First(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("moderation")
	}
	if err != nil {
		return nil, fmt.Errorf("loading moderation: %w", err)
	}
	return &m, nil
}

// IsHidden reports whether a resource is hidden.
func (s *Service) IsHidden(ctx context.Context, resourceType string, id int64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Moderation{}).Where("resource_type = ? AND resource_id = ? AND hidden_at IS NOT NULL", resourceType, id).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("checking moderation: %w", err)
	}
	return n > 0, nil
}

// QueueItem is a moderation with its reports, for the moderator queue.
type QueueItem struct {
	Moderation
	Reports []Report
}

// Queue lists the reported or hidden resources of a space (of the given
// resource types, all when empty), most reported first.
func (s *Service) Queue(ctx context.Context, orgID, spaceID int64, types []string, hidden bool) ([]QueueItem, error) {
	q := s.db.WithContext(ctx).Where("organisation_id = ? AND space_id = ?", orgID, spaceID)
	if len(types) > 0 {
		q = q.Where("resource_type IN ?", types)
	}
	if hidden {
		q = q.Where("hidden_at IS NOT NULL")
	} else {
		q = q.Where("hidden_at IS NULL AND reports_count > 0")
	}
	var ms []Moderation
	if err := q.Order("reports_count DESC, id").Limit(500).Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("listing moderation queue: %w", err)
	}
	out := make([]QueueItem, len(ms))
	ids := make([]int64, len(ms))
	for i, m := range ms {
		out[i].Moderation = m
		ids[i] = m.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var reps []Report
	if err := s.db.WithContext(ctx).Where("moderation_id IN ?", ids).Order("id").Find(&reps).Error; err != nil {
		return nil, fmt.Errorf("listing reports: %w", err)
	}
	idx := map[int64]int{}
	for i, m := range ms {
		idx[m.ID] = i
	}
	for _, r := range reps {
		i := idx[r.ModerationID]
		out[i].Reports = append(out[i].Reports, r)
	}
	return out, nil
}
