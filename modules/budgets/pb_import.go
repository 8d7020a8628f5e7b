// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/modules/budgets/pabulib"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

// ErrNotBudgetsComponent is returned when an import names a component of
// another module.
var ErrNotBudgetsComponent = errors.New("not a budgets component")

// ImportPB creates a draft budget in a budgets component from a pabulib
// instance: its total, ballot kind and length limits from META, its
// projects (name or project id as title, cost, description from the
// "description" column when present). Ballots are not imported: they
// belong to the instance's voters, who have no account here. Costs must be
// whole currency units.
func (s *Service) ImportPB(ctx context.Context, componentID int64, in *pabulib.Instance, title string) (*Budget, error) {
	var comp struct {
		SpaceType string
		SpaceID   int64
		ModuleID  string
	}
	if err := s.db.WithContext(ctx).Raw("SELECT space_type, space_id, module_id FROM components WHERE id = ?", componentID).Scan(&comp).Error; err != nil {
		return nil, fmt.Errorf("loading component %d: %w", componentID, err)
	}
	if comp.ModuleID != ID {
		return nil, fmt.Errorf("component %d: %w", componentID, ErrNotBudgetsComponent)
	}
	var orgID int64
	if comp.SpaceType == "process" {
		if err := s.db.WithContext(ctx).Raw("SELECT organisation_id FROM processes WHERE id = ?", comp.SpaceID).Scan(&orgID).Error; err != nil {
			return nil, fmt.Errorf("loading the component's space: %w", err)
		}
	}
	total, err := in.Budget()
	if err != nil {
		return nil, err
	}
	units, ok := total.ScaledTo(0)
	if !ok || units <= 0 {
		return nil, fmt.Errorf("budget %s is not a positive whole amount", total)
	}
	now := s.Now()
	b := &Budget{OrganisationID: orgID, ComponentID: componentID, SpaceID: comp.SpaceID, Title: title, Total: units, State: StateDraft,
		BallotKind: KindApproval, Knapsack: true, OutcomeRule: string(rules.RuleMES), Completion: string(rules.CompletionAdd1), CreatedAt: now, UpdatedAt: now}
	if b.Title == "" {
		b.Title, _ = in.MetaValue("description")
	}
	if b.Title == "" {
		b.Title = "Imported budget"
	}
	switch in.VoteType() {
	case pabulib.VoteCumulative:
		b.BallotKind, b.Knapsack = KindPoints, false
		if v, ok := in.MetaValue("max_sum_points"); ok {
			b.MaxPoints, _ = strconv.ParseInt(v, 10, 64)
		}
	case pabulib.VoteScoring:
		b.BallotKind, b.Knapsack = KindScores, false
		if v, ok := in.MetaValue("max_points"); ok {
			b.MaxScore, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	if v, ok := in.MetaValue("min_length"); ok {
		b.MinProjects, _ = strconv.Atoi(v)
	}
	if v, ok := in.MetaValue("max_length"); ok {
		b.MaxProjects, _ = strconv.Atoi(v)
	}
	if r := in.Rule(); r == "greedy" {
		b.OutcomeRule = string(rules.RuleGreedy)
	}
	if err := validateBudget(b); err != nil {
		return nil, fmt.Errorf("the instance's settings make no valid budget: %w", err)
	}
	projects := make([]Project, 0, len(in.Projects))
	for i, p := range in.Projects {
		cost, ok := p.Cost.ScaledTo(0)
		if !ok || cost <= 0 {
			return nil, fmt.Errorf("project %s: cost %s is not a positive whole amount", p.ID, p.Cost)
		}
		name, _ := in.ProjectColumn(i, "name")
		if name == "" {
			name = p.ID
		}
		desc, _ := in.ProjectColumn(i, "description")
		projects = append(projects, Project{Title: name, Description: desc, Cost: cost, SourceRef: "pabulib:" + p.ID, CreatedAt: now})
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(b).Error; err != nil {
			return fmt.Errorf("creating budget: %w", err)
		}
		for i := range projects {
			projects[i].BudgetID = b.ID
		}
		if len(projects) > 0 {
			if err := tx.CreateInBatches(&projects, 500).Error; err != nil {
				return fmt.Errorf("creating projects: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// BudgetByID loads a budget by id alone (for the command line).
func (s *Service) BudgetByID(ctx context.Context, id int64) (*Budget, error) {
	var b Budget
	if err := s.db.WithContext(ctx).Where("id = ?", id).First(&b).Error; err != nil {
		return nil, fmt.Errorf("loading budget %d: %w", id, err)
	}
	return &b, nil
}
