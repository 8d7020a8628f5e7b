// SPDX-License-Identifier: AGPL-3.0-or-later

// Package audit is the action log: who did what to which resource, when.
// Entries are appended and never updated or deleted by the application;
// details never carry passwords or tokens (Record strips known secrets).
package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
)

// Entry is one logged action as stored.
type Entry struct {
	ID             int64
	OrganisationID int64
	ActorID        *int64
	ActorLabel     string
	Action         string
	ResourceType   string
	ResourceID     string
	SpaceID        *int64
	Details        string
	CreatedAt      time.Time
}

// TableName is the audit table.
func (Entry) TableName() string { return "audit_log" }

// Log writes and reads the action log.
type Log struct{ db *store.DB }

// New returns the audit log.
func New(db *store.DB) *Log { return &Log{db: db} }

// Record appends an entry; a failure is logged, never shown to the actor.
func (l *Log) Record(ctx context.Context, e web.AuditEntry) {
	row := Entry{OrganisationID: e.OrganisationID, ActorLabel: e.ActorLabel, Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID, Details: e.Details, CreatedAt: time.Now().UTC()}
	if e.ActorID != 0 {
		row.ActorID = &e.ActorID
	}
	if e.SpaceID != 0 {
		row.SpaceID = &e.SpaceID
	}
	if err := l.db.WithContext(ctx).Create(&row).Error; err != nil {
		slog.Error("writing audit log", "action", e.Action, "err", err)
	}
}

// List returns an organisation's entries, newest first, one page at a time.
func (l *Log) List(ctx context.Context, orgID int64, offset, limit int) ([]Entry, int64, error) {
	var out []Entry
	var total int64
	q := l.db.WithContext(ctx).Model(&Entry{}).Where("organisation_id = ?", orgID)
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	err := q.Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, total, err
}
