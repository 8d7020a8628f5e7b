// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"context"
	"fmt"

	"github.com/polder-civic/polder/core/app"
)

// SeedDemo queues "interim synthesis 1" of a process from all its
// contribution sources, unless the process's synthesis component already
// has a version; the instance's workers build it. It returns whether it
// queued one.
func SeedDemo(ctx context.Context, a *app.App, orgID int64, processSlug string) (bool, error) {
	sp, comp, err := a.SpaceComponent(ctx, orgID, "process", processSlug, ID)
	if err != nil {
		return false, fmt.Errorf("demo synthesis: %w", err)
	}
	m, ok := a.Registry.Module(ID)
	if !ok || comp == nil {
		return false, nil
	}
	mod, ok := m.(*Module)
	if !ok || mod.svc == nil {
		return false, nil
	}
	have, err := mod.svc.List(ctx, comp, true)
	if err != nil || len(have) > 0 {
		return false, err
	}
	cands, err := mod.svc.Candidates(ctx, comp)
	if err != nil {
		return false, err
	}
	req := Request{Kind: KindInterim}
	for _, c := range cands {
		req.Sources = append(req.Sources, c.ID)
	}
	if len(req.Sources) == 0 {
		return false, nil
	}
	if _, err := mod.svc.Create(ctx, sp, comp, 0, req); err != nil {
		return false, fmt.Errorf("demo synthesis: %w", err)
	}
	return true, nil
}
