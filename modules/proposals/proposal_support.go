// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
)

// Support adds the account's support to a proposal. The supporter's row is
// locked while the limit is checked and the support written, and the
// count is incremented in the same transaction, so counts stay exact under
// concurrency and nobody exceeds the limit.
func (s *Service) Support(ctx context.Context, sc *Scope, acc *accounts.Account, id int64) (*Proposal, error) {
	if acc == nil {
		return nil, perr.Unauthorised()
	}
	now := s.Now()
	cur := sc.Space.CurrentSession(now)
	if cur == nil || !sc.SessionSettings(cur.ID).SupportsOpen {
		return nil, perr.Conflict("proposals.error.supports_closed", nil)
	}
	p, err := s.Get(ctx, sc, id, 0, false)
	if err != nil {
		return nil, err
	}
	if p.State != StatePublished {
		return nil, perr.Conflict("proposals.error.not_published", nil)
	}
	if p.AuthorID == acc.ID && !sc.Settings.SupportOwn {
		return nil, perr.Invalid("proposals.error.support_own", nil)
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		pp, err := s.lockParticipant(tx, sc.Component.ID, acc.ID)
		if err != nil {
			return err
		}
		if limit := sc.Settings.SupportsPerParticipant; limit > 0 && pp.Supports >= limit {
			return perr.Conflict("proposals.error.support_limit", map[string]any{"Limit": limit})
		}
		// The supporter's row is locked: checking before inserting cannot
		// race with the same supporter's other request.
		var already int64
		if err := tx.Table("proposal_supports").Where("proposal_id = ? AND account_id = ?", p.ID, acc.ID).Count(&already).Error; err != nil {
			return fmt.Errorf("checking support: %w", err)
		}
		if already > 0 {
			return perr.Conflict("proposals.error.already_supported", nil)
		}
		if err := tx.Exec("INSERT INTO proposal_supports (proposal_id, account_id, component_id, created_at) VALUES (?, ?, ?, ?)",
			p.ID, acc.ID, sc.Component.ID, now).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return perr.Conflict("proposals.error.already_supported", nil)
			}
			return fmt.Errorf("saving support: %w", err)
		}
		if err := tx.Exec("UPDATE proposal_participants SET supports = supports + 1 WHERE component_id = ? AND account_id = ?", sc.Component.ID, acc.ID).Error; err != nil {
			return fmt.Errorf("counting support: %w", err)
		}
		return bumpSupports(tx, p, 1, now)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func bumpSupports(tx *gorm.DB, p *Proposal, delta int, now time.Time) error {
	if err := tx.Exec("UPDATE proposals SET supports_count = supports_count + ?, updated_at = ? WHERE id = ?", delta, now, p.ID).Error; err != nil {
		return fmt.Errorf("counting supports: %w", err)
	}
	return tx.Raw("SELECT supports_count FROM proposals WHERE id = ?", p.ID).Scan(&p.SupportsCount).Error
}

// Unsupport removes the account's support while supports are open.
func (s *Service) Unsupport(ctx context.Context, sc *Scope, acc *accounts.Account, id int64) (*Proposal, error) {
	if acc == nil {
		return nil, perr.Unauthorised()
	}
	now := s.Now()
	cur := sc.Space.CurrentSession(now)
	if cur == nil || !sc.SessionSettings(cur.ID).SupportsOpen {
		return nil, perr.Conflict("proposals.error.supports_closed", nil)
	}
	p, err := s.Get(ctx, sc, id, 0, false)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if _, err := s.lockParticipant(tx, sc.Component.ID, acc.ID); err != nil {
			return err
		}
		res := tx.Exec("DELETE FROM proposal_supports WHERE proposal_id = ? AND account_id = ?", p.ID, acc.ID)
		if res.Error != nil {
			return fmt.Errorf("removing support: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return perr.Conflict("proposals.error.not_supported", nil)
		}
		if err := tx.Exec("UPDATE proposal_participants SET supports = supports - 1 WHERE component_id = ? AND account_id = ?", sc.Component.ID, acc.ID).Error; err != nil {
			return fmt.Errorf("counting support: %w", err)
		}
		return bumpSupports(tx, p, -1, now)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (h *handlers) support(c echo.Context, sc *Scope, id int64) error {
	_, err := h.svc.Support(c.Request().Context(), sc, web.Account(c), id)
	return err
}

func (h *handlers) unsupport(c echo.Context, sc *Scope, id int64) error {
	_, err := h.svc.Unsupport(c.Request().Context(), sc, web.Account(c), id)
	return err
}

func (h *handlers) apiSupport(c echo.Context, sc *Scope, id int64) (*Proposal, error) {
	if c.Request().Method == http.MethodDelete {
		return h.svc.Unsupport(c.Request().Context(), sc, web.Account(c), id)
	}
	return h.svc.Support(c.Request().Context(), sc, web.Account(c), id)
}
