// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/polder-civic/polder/core/registry"
)

// KindProject is the Contribution.Kind of a budget's projects.
const KindProject = "project"

var errNotMounted = errors.New("budgets: module not mounted yet (core hands it the database when mounting routes)")

// Contributions lists the projects of a component's public budgets (not
// drafts) for other modules and the synthesis. Projects have no session
// and no state of their own: a session or state filter leaves them all
// out; the date range applies to when each project was added.
func (m *Module) Contributions(ctx context.Context, comp *registry.Component, f registry.ContributionFilter) ([]registry.Contribution, error) {
	if m.svc == nil {
		return nil, errNotMounted
	}
	if !f.Wants(KindProject) || f.SessionID != 0 || f.State != "" {
		return nil, nil
	}
	q := m.svc.db.WithContext(ctx).Table("budget_projects pr").Select("pr.*").
		Joins("JOIN budgets b ON b.id = pr.budget_id").
		Where("b.component_id = ? AND b.state <> ?", comp.ID, StateDraft)
	if f.ThemeID != 0 {
		q = q.Where("pr.theme_id = ?", f.ThemeID)
	}
	if !f.From.IsZero() {
		q = q.Where("pr.created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("pr.created_at < ?", f.To.UTC())
	}
	var rows []Project
	if err := q.Order("pr.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing projects: %w", err)
	}
	base := ""
	if m.srv != nil {
		base = m.srv.ComponentURL(ctx, comp)
	}
	out := make([]registry.Contribution, 0, len(rows))
	for _, p := range rows {
		out = append(out, registry.Contribution{Ref: ID + ":" + strconv.FormatInt(comp.ID, 10) + ":" + strconv.FormatInt(p.ID, 10),
			ModuleID: ID, ComponentID: comp.ID, ID: p.ID, Kind: KindProject, Title: p.Title, Body: p.Description, ThemeID: p.ThemeID,
			AuthorType: "facilitator", State: "published", CreatedAt: p.CreatedAt,
			URL: base + "/budgets/" + strconv.FormatInt(p.BudgetID, 10) + "#project-" + strconv.FormatInt(p.ID, 10)})
	}
	return out, nil
}

// ContributionKinds lists what Contributions gives: projects.
func (m *Module) ContributionKinds() []string { return []string{KindProject} }

var _ registry.ContributionSource = (*Module)(nil)
