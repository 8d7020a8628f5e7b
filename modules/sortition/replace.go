// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/modules/sortition/lottery"
)

// Replace ends a drawn member who dropped out and draws one replacement
// among the volunteers of the same type (identical feature values, so the
// panel still meets every quota) who were never on the panel. The seed is
// a public value typed by the organiser (dice rolled in public, a named
// lottery's result); the candidates are sorted by pseudonym, the published
// key, and the item-draw record is stored for anyone to replay.
//
// Two organisers may replace at once: the draw row is locked first and the
// members are read inside the same transaction, so concurrent replacements
// of one draw run one after the other. The second replacement of the same
// dropout then finds the member ended (a conflict), and a replacement for
// another dropout sees the seat just filled and never draws the same
// volunteer twice; unique indexes on (draw, pseudonym) and (draw, replaced)
// back this up.
func (s *Service) Replace(ctx context.Context, sp *registry.Space, comp *registry.Component, pseudonym, public string) (*Replacement, error) {
	if strings.TrimSpace(public) == "" {
		return nil, perr.Invalid("sortition.error.public_value", nil)
	}
	now := s.Now()
	var rp *Replacement
	var leaving *Member
	var account int64
	err := s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		var d Draw
		if err := s.srv.DB.LockRow(tx).Where("component_id = ?", comp.ID).Limit(1).Find(&d).Error; err != nil {
			return fmt.Errorf("sortition: loading draw: %w", err)
		}
		if d.ID == 0 || d.Status != StatusDrawn {
			return perr.Conflict("sortition.error.not_drawn", nil)
		}
		// On SQLite the lock is the write lock this update takes; on
		// PostgreSQL the row is already locked and this is harmless.
		if err := tx.Model(&Draw{}).Where("id = ?", d.ID).Update("updated_at", now).Error; err != nil {
			return fmt.Errorf("sortition: locking draw: %w", err)
		}
		var err error
		rp, leaving, account, err = s.replaceLocked(tx, &d, pseudonym, public, now)
		return err
	})
	if err != nil {
		if _, ok := perr.As(err); ok {
			return nil, err
		}
		if store.IsUniqueViolation(err) {
			return nil, perr.Conflict("sortition.error.not_member", nil)
		}
		return nil, fmt.Errorf("sortition: storing replacement: %w", err)
	}
	if s.panels != nil {
		if leaving.AccountID != 0 {
			if err := s.panels.End(ctx, sp.Domain(), leaving.AccountID); err != nil {
				return nil, fmt.Errorf("sortition: ending panel mark: %w", err)
			}
		}
		if account != 0 {
			if err := s.panels.Mark(ctx, sp.OrganisationID, sp.Domain(), Source(comp), account); err != nil {
				return nil, fmt.Errorf("sortition: panel mark: %w", err)
			}
		}
	}
	return rp, nil
}

// replaceLocked is Replace inside its transaction, the draw row locked.
func (s *Service) replaceLocked(tx *gorm.DB, d *Draw, pseudonym, public string, now time.Time) (*Replacement, *Member, int64, error) {
	rec, err := d.PublishedRecord()
	if err != nil {
		return nil, nil, 0, err
	}
	var members []Member
	if err := tx.Where("draw_id = ?", d.ID).Find(&members).Error; err != nil {
		return nil, nil, 0, fmt.Errorf("sortition: reading members: %w", err)
	}
	var leaving *Member
	drawn := map[string]bool{}
	for i := range members {
		drawn[members[i].Pseudonym] = true
		if members[i].Pseudonym == pseudonym && members[i].EndedAt == nil {
			leaving = &members[i]
		}
	}
	if leaving == nil {
		return nil, nil, 0, perr.Invalid("sortition.error.not_member", nil)
	}
	features := map[string][]string{}
	for _, m := range rec.Pool {
		features[m.ID] = m.Features
	}
	want := features[pseudonym]
	var items []lottery.Item
	for _, m := range rec.Pool {
		if !drawn[m.ID] && slices.Equal(m.Features, want) {
			items = append(items, lottery.Item{ID: m.ID, Key: m.ID})
		}
	}
	if len(items) == 0 {
		return nil, nil, 0, perr.Conflict("sortition.error.no_candidate", nil)
	}
	irec, err := lottery.NewItemRecord(items, 1, lottery.Public(public))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("sortition: replacement draw: %w", err)
	}
	recJSON, err := json.Marshal(irec)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("sortition: encoding replacement record: %w", err)
	}
	chosen := irec.Selected[0]
	// The account link needs the pool and its pseudonym key; once the pool
	// is erased the replacement is published by pseudonym only.
	var account int64
	if d.PseudonymKey != "" {
		key, err := hex.DecodeString(d.PseudonymKey)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("sortition: pseudonym key: %w", err)
		}
		var rows []PoolRow
		if err := tx.Where("draw_id = ?", d.ID).Order("position").Find(&rows).Error; err != nil {
			return nil, nil, 0, fmt.Errorf("sortition: reading pool: %w", err)
		}
		for _, r := range rows {
			if lottery.Pseudonym(key, r.ExternalID) == chosen {
				account = r.AccountID
				break
			}
		}
	}
	res := tx.Model(&Member{}).Where("id = ? AND ended_at IS NULL", leaving.ID).Update("ended_at", now)
	if res.Error != nil {
		return nil, nil, 0, res.Error
	}
	if res.RowsAffected != 1 {
		return nil, nil, 0, perr.Conflict("sortition.error.not_member", nil)
	}
	if err := tx.Create(&Member{DrawID: d.ID, Pseudonym: chosen, AccountID: account, CreatedAt: now}).Error; err != nil {
		return nil, nil, 0, err
	}
	rp := &Replacement{DrawID: d.ID, Replaced: pseudonym, Replacement: chosen, Record: string(recJSON), CreatedAt: now}
	if err := tx.Create(rp).Error; err != nil {
		return nil, nil, 0, err
	}
	return rp, leaving, account, nil
}

// Replacements lists a draw's replacement records, oldest first.
func (s *Service) Replacements(ctx context.Context, d *Draw) ([]Replacement, error) {
	var out []Replacement
	if err := s.srv.DB.WithContext(ctx).Where("draw_id = ?", d.ID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("sortition: reading replacements: %w", err)
	}
	return out, nil
}

// Current returns the pseudonyms of the panel as it stands (drawn members
// not ended, then replacements), in record order.
func (s *Service) Current(ctx context.Context, d *Draw) ([]string, error) {
	var ms []Member
	if err := s.srv.DB.WithContext(ctx).Where("draw_id = ? AND ended_at IS NULL", d.ID).Order("id").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("sortition: reading members: %w", err)
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Pseudonym
	}
	return out, nil
}
