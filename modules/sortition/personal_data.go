// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/polder-civic/polder/core/registry"
)

// poolEntry is one pool row as its own volunteer sees it in their export.
type poolEntry struct {
	ComponentID int64             `json:"component_id"`
	ExternalID  string            `json:"pool_id"`
	Features    map[string]string `json:"features"`
	Household   string            `json:"household,omitempty"`
	// SignedUpAt is when the volunteer signed up and consented through
	// the form (absent for uploaded rows).
	SignedUpAt *time.Time `json:"signed_up_at,omitempty"`
}

// memberEntry is one panel seat of the account.
type memberEntry struct {
	ComponentID int64      `json:"component_id"`
	Pseudonym   string     `json:"pseudonym"`
	DrawnAt     time.Time  `json:"drawn_at"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
}

// PersonalData returns the pool rows linked to the account (while the pool
// is kept) and its panel seats.
func (m *Module) PersonalData(ctx context.Context, accountID int64) (any, error) {
	if m.svc == nil {
		return nil, nil
	}
	db := m.svc.srv.DB.WithContext(ctx)
	var rows []PoolRow
	if err := db.Where("account_id = ?", accountID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("sortition: personal data: %w", err)
	}
	var members []Member
	if err := db.Where("account_id = ?", accountID).Find(&members).Error; err != nil {
		return nil, fmt.Errorf("sortition: personal data: %w", err)
	}
	if len(rows) == 0 && len(members) == 0 {
		return nil, nil
	}
	draws := map[int64]*Draw{}
	draw := func(id int64) (*Draw, error) {
		if d, ok := draws[id]; ok {
			return d, nil
		}
		var d Draw
		if err := db.First(&d, id).Error; err != nil {
			return nil, fmt.Errorf("sortition: personal data: %w", err)
		}
		draws[id] = &d
		return &d, nil
	}
	out := struct {
		Pool   []poolEntry   `json:"pool,omitempty"`
		Panels []memberEntry `json:"panels,omitempty"`
	}{}
	for _, r := range rows {
		d, err := draw(r.DrawID)
		if err != nil {
			return nil, err
		}
		cats, err := d.categories()
		if err != nil {
			return nil, err
		}
		var f []int
		_ = json.Unmarshal([]byte(r.Features), &f)
		e := poolEntry{ComponentID: d.ComponentID, ExternalID: r.ExternalID, Features: map[string]string{},
			Household: r.Household, SignedUpAt: r.ConsentedAt}
		for i, x := range f {
			if i < len(cats) && x >= 0 && x < len(cats[i].Values) {
				e.Features[cats[i].Name] = cats[i].Values[x].Value
			}
		}
		out.Pool = append(out.Pool, e)
	}
	for _, mb := range members {
		d, err := draw(mb.DrawID)
		if err != nil {
			return nil, err
		}
		out.Panels = append(out.Panels, memberEntry{ComponentID: d.ComponentID, Pseudonym: mb.Pseudonym, DrawnAt: mb.CreatedAt, EndedAt: mb.EndedAt})
	}
	return out, nil
}

// Anonymise removes the account's pool rows and detaches its panel seats;
// the published record keeps the pseudonym, which no longer leads back to
// the account.
func (m *Module) Anonymise(ctx context.Context, accountID int64) error {
	if m.svc == nil {
		return nil
	}
	db := m.svc.srv.DB.WithContext(ctx)
	var drawIDs []int64
	if err := db.Model(&PoolRow{}).Where("account_id = ?", accountID).Distinct().Pluck("draw_id", &drawIDs).Error; err != nil {
		return fmt.Errorf("sortition: finding pool rows: %w", err)
	}
	if err := db.Where("account_id = ?", accountID).Delete(&PoolRow{}).Error; err != nil {
		return fmt.Errorf("sortition: erasing pool rows: %w", err)
	}
	// The pools not drawn yet lost volunteers: keep their size right.
	for _, id := range drawIDs {
		if err := db.Exec("UPDATE sortition_draws SET pool_size = (SELECT COUNT(*) FROM sortition_pool WHERE draw_id = ?) WHERE id = ? AND status IN (?, ?, ?)",
			id, id, StatusCollecting, StatusUploaded, StatusCommitted).Error; err != nil {
			return fmt.Errorf("sortition: recounting pool %d: %w", id, err)
		}
	}
	if err := db.Model(&Member{}).Where("account_id = ?", accountID).Update("account_id", 0).Error; err != nil {
		return fmt.Errorf("sortition: detaching panel seats: %w", err)
	}
	return nil
}

// Processing declares the pool processing for the GDPR register.
func (*Module) Processing() []registry.Processing {
	return []registry.Processing{{
		Name:       "sortition.processing.name",
		Purpose:    "sortition.processing.purpose",
		Data:       []string{"sortition.processing.data"},
		Subjects:   "sortition.processing.subjects",
		Retention:  "sortition.processing.retention",
		LegalBasis: "sortition.processing.basis",
	}}
}

// Interface guards.
var (
	_ registry.PersonalDataProvider = (*Module)(nil)
	_ registry.Eraser               = (*Module)(nil)
	_ registry.ProcessingDeclarer   = (*Module)(nil)
)
