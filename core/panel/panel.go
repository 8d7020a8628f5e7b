// SPDX-License-Identifier: AGPL-3.0-or-later

// Package panel is the registry of sortition panels: which accounts a draw
// selected for a space. The sortition module marks members; the opinion
// map, budgets and synthesis read the marks to show results for the panel
// and for open participation side by side, without knowing sortition.
package panel

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/store"
)

// Member is one account's panel mark in a space.
type Member struct {
	ID             int64
	OrganisationID int64
	SpaceDomain    string
	AccountID      int64
	Source         string // what selected them, e.g. "sortition:12"
	CreatedAt      time.Time
	EndedAt        *time.Time
}

// TableName is the panel table.
func (Member) TableName() string { return "panel_members" }

// Registry reads and writes panel marks.
type Registry struct{ db *store.DB }

// New returns the panel registry.
func New(db *store.DB) *Registry { return &Registry{db: db} }

// Mark makes accounts panel members of a space (idempotent; a member who
// had left is reinstated).
func (r *Registry) Mark(ctx context.Context, orgID int64, domain, source string, accountIDs ...int64) error {
	return r.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, id := range accountIDs {
			var m Member
			err := tx.Where("space_domain = ? AND account_id = ?", domain, id).Limit(1).Find(&m).Error
			if err != nil {
				return fmt.Errorf("reading panel mark: %w", err)
			}
			if m.ID != 0 {
				if err := tx.Model(&m).Updates(map[string]any{"ended_at": nil, "source": source}).Error; err != nil {
					return fmt.Errorf("reinstating panel member: %w", err)
				}
				continue
			}
			m = Member{OrganisationID: orgID, SpaceDomain: domain, AccountID: id, Source: source, CreatedAt: time.Now().UTC()}
			if err := tx.Create(&m).Error; err != nil {
				return fmt.Errorf("marking panel member: %w", err)
			}
		}
		return nil
	})
}

// End removes an account from a space's panel (a drop-out), keeping the
// record.
func (r *Registry) End(ctx context.Context, domain string, accountID int64) error {
	err := r.db.WithContext(ctx).Model(&Member{}).Where("space_domain = ? AND account_id = ? AND ended_at IS NULL", domain, accountID).
		Update("ended_at", time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("ending panel membership: %w", err)
	}
	return nil
}

// Members returns the current members' account ids in a space, as a set.
func (r *Registry) Members(ctx context.Context, domain string) (map[int64]bool, error) {
	var ids []int64
	err := r.db.WithContext(ctx).Model(&Member{}).Where("space_domain = ? AND ended_at IS NULL", domain).Pluck("account_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("listing panel members: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// IsMember reports whether an account is a current panel member.
func (r *Registry) IsMember(ctx context.Context, domain string, accountID int64) (bool, error) {
	var n int64
	err := r.db.WithContext(ctx).Model(&Member{}).Where("space_domain = ? AND account_id = ? AND ended_at IS NULL", domain, accountID).Count(&n).Error
	return n > 0, err
}

// PersonalData lists the account's panel memberships, for the
// participant's data download.
func (r *Registry) PersonalData(ctx context.Context, accountID int64) (any, error) {
	var ms []Member
	if err := r.db.WithContext(ctx).Where("account_id = ?", accountID).Order("id").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("reading panel memberships: %w", err)
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return ms, nil
}

// Anonymise removes an erased account's panel marks: a panel is about
// people, and an anonymised account no longer stands for one.
func (r *Registry) Anonymise(ctx context.Context, accountID int64) error {
	if err := r.db.WithContext(ctx).Where("account_id = ?", accountID).Delete(&Member{}).Error; err != nil {
		return fmt.Errorf("erasing panel memberships: %w", err)
	}
	return nil
}
