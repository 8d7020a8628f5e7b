// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/polder-civic/polder/core/retention"
)

// RetentionErasers implements retention.Provider: the daily retention job
// erases a space's pools once its `pool` period has passed since the
// draw. The component's own retention_days setting (the delayed
// JobErase) still applies: whichever comes first erases the pool.
func (m *Module) RetentionErasers() map[string]retention.Eraser {
	return map[string]retention.Eraser{retention.CategoryPool: func(ctx context.Context, domain string, before time.Time) (int64, error) {
		if m.svc == nil {
			return 0, nil // routes not mounted: no space has a sortition component here
		}
		return m.svc.ErasePoolsDrawnBefore(ctx, domain, before)
	}}
}

// ErasePoolsDrawnBefore erases the pools of the draws of a space (its
// permission domain, "process:7") drawn before a time, and returns how
// many pools it erased.
func (s *Service) ErasePoolsDrawnBefore(ctx context.Context, domain string, before time.Time) (int64, error) {
	spaceType, idText, ok := strings.Cut(domain, ":")
	spaceID, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil {
		return 0, nil // not a space domain: no draws belong to it
	}
	var ids []int64
	err = s.srv.DB.WithContext(ctx).Table("sortition_draws AS d").
		Joins("JOIN components AS c ON c.id = d.component_id").
		Where("c.space_type = ? AND c.space_id = ? AND d.status = ? AND d.pool_erased_at IS NULL AND d.drawn_at < ?", spaceType, spaceID, StatusDrawn, before).
		Order("d.id").Pluck("d.id", &ids).Error
	if err != nil {
		return 0, fmt.Errorf("sortition: listing draws of %s to erase: %w", domain, err)
	}
	for i, id := range ids {
		if err := s.ErasePool(ctx, id); err != nil {
			return int64(i), err
		}
	}
	return int64(len(ids)), nil
}
