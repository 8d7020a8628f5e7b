// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"strconv"

	"github.com/polder-civic/polder/core/registry"
)

// Overview gives the space's page the counts an organiser follows:
// visible published proposals per theme (rows) and session (columns).
func (m *Module) Overview(ctx context.Context, comp *registry.Component, sp *registry.Space, locale string) (*registry.Overview, error) {
	if m.svc == nil || m.srv == nil {
		return nil, nil
	}
	counts, err := m.svc.Counts(ctx, m.svc.Scope(sp, comp))
	if err != nil {
		return nil, err
	}
	bundle := m.srv.Bundle
	ov := &registry.Overview{Caption: bundle.T(locale, "proposals.overview.caption", map[string]any{"Component": comp.Title.In(locale, "en")})}
	for _, se := range sp.Sessions {
		ov.Columns = append(ov.Columns, se.Title.In(locale, "en"))
	}
	ov.Columns = append(ov.Columns, bundle.T(locale, "proposals.overview.total", nil))
	cell := map[[2]int64]int{}
	for _, c := range counts {
		cell[[2]int64{c.ThemeID, c.SessionID}] += c.N
	}
	sessionSums := make([]int, len(sp.Sessions))
	grand := 0
	for _, th := range sp.Themes {
		row := registry.OverviewRow{Label: th.Title.In(locale, "en")}
		sum := 0
		for i, se := range sp.Sessions {
			n := cell[[2]int64{th.ID, se.ID}]
			sum += n
			sessionSums[i] += n
			row.Cells = append(row.Cells, strconv.Itoa(n))
		}
		grand += sum
		row.Cells = append(row.Cells, strconv.Itoa(sum))
		ov.Rows = append(ov.Rows, row)
	}
	total := registry.OverviewRow{Label: bundle.T(locale, "proposals.overview.total", nil)}
	for _, n := range sessionSums {
		total.Cells = append(total.Cells, strconv.Itoa(n))
	}
	total.Cells = append(total.Cells, strconv.Itoa(grand))
	ov.Rows = append(ov.Rows, total)
	return ov, nil
}

var _ registry.OverviewProvider = (*Module)(nil)
