// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

// Service holds the budgets domain: every action is a method taking the
// component (or a budget of it) and the acting account, never an HTTP
// context.
type Service struct {
	db    *store.DB
	comps *registry.Components
	audit web.Auditor
	// Now is the clock, replaceable in tests.
	Now func() time.Time
	// afterBallotInsert, when set (tests only), runs inside the checkout
	// transaction between the ballot row and its lines: a failure there
	// must leave no partial ballot.
	afterBallotInsert func(context.Context) error

	// projects caches the projects of budgets past their draft, by budget
	// id, for checkouts (see projectCache).
	cacheMu  sync.Mutex
	projects map[int64]map[int64]Line
}

// NewService returns the service. audit may be nil.
func NewService(db *store.DB, comps *registry.Components, audit web.Auditor) *Service {
	return &Service{db: db, comps: comps, audit: audit, Now: func() time.Time { return time.Now().UTC() }}
}

func (s *Service) record(ctx context.Context, b *Budget, actorID int64, action, details string) {
	if s.audit == nil {
		return
	}
	s.audit.Record(ctx, web.AuditEntry{OrganisationID: b.OrganisationID, ActorID: actorID, Action: "budgets." + action,
		ResourceType: "budget", ResourceID: strconv.FormatInt(b.ID, 10), SpaceID: b.SpaceID, Details: details})
}

// Budgets lists a component's budgets.
func (s *Service) Budgets(ctx context.Context, componentID int64) ([]Budget, error) {
	var out []Budget
	if err := s.db.WithContext(ctx).Where("component_id = ?", componentID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("listing budgets: %w", err)
	}
	return out, nil
}

// Budget loads a budget of a component.
func (s *Service) Budget(ctx context.Context, componentID, id int64) (*Budget, error) {
	var b Budget
	err := s.db.WithContext(ctx).Where("component_id = ? AND id = ?", componentID, id).First(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("budget")
	}
	if err != nil {
		return nil, fmt.Errorf("loading budget %d: %w", id, err)
	}
	return &b, nil
}

// validateBudget checks an admin's budget form.
func validateBudget(b *Budget) error {
	fields := map[string]string{}
	b.Title = strings.TrimSpace(b.Title)
	if b.Title == "" || len(b.Title) > 300 {
		fields["title"] = "budgets.error.title"
	}
	if b.Total <= 0 {
		fields["total"] = "budgets.error.total"
	}
	switch b.BallotKind {
	case KindApproval:
	case KindPoints:
		if b.MaxPoints <= 0 {
			fields["max_points"] = "budgets.error.max_points"
		}
	case KindScores:
		if b.MaxScore <= 0 {
			fields["max_score"] = "budgets.error.max_score"
		}
	default:
		fields["ballot_kind"] = "budgets.error.ballot_kind"
	}
	if b.MinProjects < 0 || b.MaxProjects < 0 || (b.MaxProjects > 0 && b.MinProjects > b.MaxProjects) {
		fields["min_projects"] = "budgets.error.projects_bounds"
	}
	if b.ThresholdPercent < 0 || b.ThresholdPercent > 100 {
		fields["threshold_percent"] = "budgets.error.threshold"
	}
	if b.MaxCost < 0 || b.MaxPointsProject < 0 {
		fields["max_cost"] = "budgets.error.negative"
	}
	switch b.OutcomeRule {
	case string(rules.RuleGreedy), string(rules.RuleMES):
	default:
		fields["outcome_rule"] = "budgets.error.outcome_rule"
	}
	switch rules.Completion(b.Completion) {
	case rules.CompletionNone, rules.CompletionAdd1, rules.CompletionAdd1Greedy, rules.CompletionGreedy:
	default:
		fields["completion"] = "budgets.error.completion"
	}
	if len(fields) > 0 {
		e := perr.Invalid("budgets.error.form", nil)
		e.Fields = fields
		return e
	}
	return nil
}

// SaveBudget creates (ID 0) or updates a budget of a component. The rules
// of a budget cannot change once voting has started.
func (s *Service) SaveBudget(ctx context.Context, sp *registry.Space, comp *registry.Component, actorID int64, b *Budget) error {
	if b.BallotKind == "" {
		b.BallotKind = KindApproval
	}
	if b.OutcomeRule == "" {
		b.OutcomeRule = string(rules.RuleMES)
	}
	if b.Completion == "" {
		b.Completion = string(rules.CompletionAdd1)
	}
	if err := validateBudget(b); err != nil {
		return err
	}
	now := s.Now()
	b.ComponentID, b.SpaceID, b.OrganisationID, b.UpdatedAt = comp.ID, sp.ID, sp.OrganisationID, now
	if b.ID == 0 {
		b.State, b.CreatedAt = StateDraft, now
		if err := s.db.WithContext(ctx).Create(b).Error; err != nil {
			return fmt.Errorf("creating budget: %w", err)
		}
		s.record(ctx, b, actorID, "create", b.Title)
		return nil
	}
	old, err := s.Budget(ctx, comp.ID, b.ID)
	if err != nil {
		return err
	}
	if old.State != StateDraft {
		return perr.Conflict("budgets.error.not_draft", nil)
	}
	b.State, b.CreatedAt, b.ExportKey = old.State, old.CreatedAt, old.ExportKey
	if err := s.db.WithContext(ctx).Save(b).Error; err != nil {
		return fmt.Errorf("saving budget: %w", err)
	}
	s.record(ctx, b, actorID, "update", b.Title)
	return nil
}

// SetState moves a budget forward: draft → open → closed. Closing waits
// for checkouts in flight (they hold a share lock on the budget row), so
// no ballot lands after the close.
func (s *Service) SetState(ctx context.Context, b *Budget, actorID int64, state string) error {
	from := map[string]string{StateOpen: StateDraft, StateClosed: StateOpen}[state]
	if from == "" {
		return perr.Invalid("budgets.error.state", nil)
	}
	if state == StateOpen {
		var n int64
		if err := s.db.WithContext(ctx).Model(&Project{}).Where("budget_id = ?", b.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("counting projects: %w", err)
		}
		if n == 0 {
			return perr.Conflict("budgets.error.no_projects", nil)
		}
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE budgets SET state = ?, updated_at = ? WHERE id = ? AND state = ?", state, s.Now(), b.ID, from)
		if res.Error != nil {
			return fmt.Errorf("changing budget state: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return perr.Conflict("budgets.error.state_conflict", map[string]any{"State": b.State})
		}
		// Baskets never checked out serve no purpose once the vote is
		// closed: they are personal data to drop, not to keep.
		if state == StateClosed {
			if err := tx.Exec("DELETE FROM budget_basket_items WHERE budget_id = ?", b.ID).Error; err != nil {
				return fmt.Errorf("deleting baskets: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.State = state
	s.record(ctx, b, actorID, "state."+state, "")
	return nil
}

// Projects lists a budget's projects by id.
func (s *Service) Projects(ctx context.Context, budgetID int64) ([]Project, error) {
	var out []Project
	if err := s.db.WithContext(ctx).Where("budget_id = ?", budgetID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("listing projects: %w", err)
	}
	return out, nil
}

// validateProject checks a project against the space's themes.
func validateProject(sp *registry.Space, p *Project) error {
	fields := map[string]string{}
	p.Title = strings.TrimSpace(p.Title)
	if p.Title == "" || len(p.Title) > 600 {
		fields["title"] = "budgets.error.title"
	}
	if p.Cost <= 0 {
		fields["cost"] = "budgets.error.cost"
	}
	if p.ThemeID != 0 {
		if _, ok := sp.Theme(p.ThemeID); !ok {
			fields["theme_id"] = "budgets.error.theme"
		}
	}
	if p.ImageURL != "" {
		u, err := url.Parse(p.ImageURL)
		// 1000: the column's size (PostgreSQL refuses longer text).
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len([]rune(p.ImageURL)) > 1000 {
			fields["image_url"] = "budgets.error.image_url"
		}
	}
	if len(p.Location) > 300 {
		fields["location"] = "budgets.error.location"
	}
	if len(fields) > 0 {
		e := perr.Invalid("budgets.error.form", nil)
		e.Fields = fields
		return e
	}
	return nil
}

// SaveProject creates (ID 0) or updates a project while the budget is a
// draft.
func (s *Service) SaveProject(ctx context.Context, sp *registry.Space, b *Budget, actorID int64, p *Project) error {
	if b.State != StateDraft {
		return perr.Conflict("budgets.error.not_draft", nil)
	}
	if err := validateProject(sp, p); err != nil {
		return err
	}
	p.BudgetID = b.ID
	if p.ID == 0 {
		p.CreatedAt = s.Now()
		if err := s.db.WithContext(ctx).Create(p).Error; err != nil {
			return fmt.Errorf("creating project: %w", err)
		}
		s.record(ctx, b, actorID, "project.create", p.Title)
		return nil
	}
	// The state is checked again in the statement: the checkout's project
	// cache relies on projects never changing once a budget is open.
	res := s.db.WithContext(ctx).Model(&Project{}).Where("id = ? AND budget_id = ? AND budget_id IN (SELECT id FROM budgets WHERE state = ?)", p.ID, b.ID, StateDraft).
		Updates(map[string]any{"title": p.Title, "description": p.Description, "cost": p.Cost, "theme_id": p.ThemeID, "location": p.Location, "image_url": p.ImageURL})
	if res.Error != nil {
		return fmt.Errorf("updating project: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return perr.NotFound("project")
	}
	s.record(ctx, b, actorID, "project.update", p.Title)
	return nil
}

// DeleteProject removes a project while the budget is a draft.
func (s *Service) DeleteProject(ctx context.Context, b *Budget, actorID, projectID int64) error {
	if b.State != StateDraft {
		return perr.Conflict("budgets.error.not_draft", nil)
	}
	res := s.db.WithContext(ctx).Where("id = ? AND budget_id = ? AND budget_id IN (SELECT id FROM budgets WHERE state = ?)", projectID, b.ID, StateDraft).Delete(&Project{})
	if res.Error != nil {
		return fmt.Errorf("deleting project: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return perr.NotFound("project")
	}
	s.record(ctx, b, actorID, "project.delete", strconv.FormatInt(projectID, 10))
	return nil
}
