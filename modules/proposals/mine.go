// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/web"
)

// Mine lists an author's proposals in a component, drafts and hidden ones
// included.
func (s *Service) Mine(ctx context.Context, sc *Scope, authorID int64) ([]Proposal, error) {
	var out []Proposal
	err := s.db.WithContext(ctx).Where("component_id = ? AND author_id = ?", sc.Component.ID, authorID).Order("id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("listing own proposals: %w", err)
	}
	return out, nil
}

// MinePage is the author's page: their proposals and remaining quota per
// theme.
type MinePage struct {
	Base
	Proposals []Proposal
	Quota     *QuotaReport
}

func (h *handlers) mine(c echo.Context) error {
	acc, err := actor(c)
	if err != nil {
		return err
	}
	sc := h.scope(c)
	ctx := c.Request().Context()
	ps, err := h.svc.Mine(ctx, sc, acc.ID)
	if err != nil {
		return err
	}
	q, err := h.svc.Remaining(ctx, sc, acc.ID, acc.Kind)
	if err != nil {
		return err
	}
	if web.IsAPI(c) {
		return c.JSON(http.StatusOK, map[string]any{"proposals": ps, "quota": q})
	}
	return h.s.Render(c, http.StatusOK, "proposals/mine", MinePage{Base: h.base(c, sc), Proposals: ps, Quota: q})
}
