// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

// Basket returns the voter's basket, projects in id order.
func (s *Service) Basket(ctx context.Context, b *Budget, accountID int64) ([]Line, error) {
	return basketLines(s.db.WithContext(ctx), b.ID, accountID)
}

func basketLines(tx *gorm.DB, budgetID, accountID int64) ([]Line, error) {
	var out []Line
	err := tx.Raw(`SELECT i.project_id, p.title, p.cost, i.points FROM budget_basket_items i JOIN budget_projects p ON p.id = i.project_id
		WHERE i.budget_id = ? AND i.account_id = ? ORDER BY i.project_id`, budgetID, accountID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("loading basket: %w", err)
	}
	return out, nil
}

// Check checks basket lines against the budget's ballot rule.
func Check(b *Budget, lines []Line) rules.BallotCheck {
	choices := make([]rules.Choice, len(lines))
	for i, l := range lines {
		choices[i] = rules.Choice{ProjectID: strconv.FormatInt(l.ProjectID, 10), Cost: l.Cost, Points: l.Points}
	}
	return b.BallotRule().CheckBallot(choices)
}

// lineTitles maps the project ids of lines to their titles, for the
// reasons that name a project.
func lineTitles(lines []Line) map[string]string {
	out := make(map[string]string, len(lines))
	for _, l := range lines {
		out[strconv.FormatInt(l.ProjectID, 10)] = l.Title
	}
	return out
}

// votable refuses basket changes and checkouts outside the voting period
// and from voters who already voted.
func (s *Service) votable(ctx context.Context, b *Budget, accountID int64) error {
	if b.State != StateOpen {
		return perr.Conflict("budgets.error.not_open", nil)
	}
	voted, err := s.HasVoted(ctx, b, accountID)
	if err != nil {
		return err
	}
	if voted {
		return perr.Conflict("budgets.error.already_voted", nil)
	}
	return nil
}

// AddToBasket puts a project in the voter's basket (or changes its
// points). The basket may break the rule while it is being built; the
// rule decides at checkout. One statement in the common case: the insert
// itself checks that the project belongs to the budget and that the voter
// has not voted; only when it inserts nothing is the reason looked up.
func (s *Service) AddToBasket(ctx context.Context, b *Budget, accountID, projectID, points int64) error {
	if b.State != StateOpen {
		return perr.Conflict("budgets.error.not_open", nil)
	}
	if !b.Cardinal() {
		points = 1
	}
	if points <= 0 {
		return perr.Invalid("budgets.error.points", nil)
	}
	res := s.db.WithContext(ctx).Exec(`INSERT INTO budget_basket_items (budget_id, account_id, project_id, points, created_at)
		SELECT ?, ?, p.id, ?, ? FROM budget_projects p
		WHERE p.id = ? AND p.budget_id = ? AND NOT EXISTS (SELECT 1 FROM budget_ballots x WHERE x.budget_id = ? AND x.account_id = ?)
		ON CONFLICT (budget_id, account_id, project_id) DO UPDATE SET points = excluded.points`,
		b.ID, accountID, points, s.Now(), projectID, b.ID, b.ID, accountID)
	if res.Error != nil {
		return fmt.Errorf("adding to basket: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		if err := s.votable(ctx, b, accountID); err != nil {
			return err
		}
		return perr.NotFound("project")
	}
	return nil
}

// RemoveFromBasket takes a project out of the voter's basket.
func (s *Service) RemoveFromBasket(ctx context.Context, b *Budget, accountID, projectID int64) error {
	if err := s.votable(ctx, b, accountID); err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Exec("DELETE FROM budget_basket_items WHERE budget_id = ? AND account_id = ? AND project_id = ?", b.ID, accountID, projectID)
	if res.Error != nil {
		return fmt.Errorf("removing from basket: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return perr.NotFound("project")
	}
	return nil
}

// HasVoted reports whether the account checked out a ballot.
func (s *Service) HasVoted(ctx context.Context, b *Budget, accountID int64) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Ballot{}).Where("budget_id = ? AND account_id = ?", b.ID, accountID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("checking ballot: %w", err)
	}
	return n > 0, nil
}

// MyBallot returns the account's ballot, or nil.
func (s *Service) MyBallot(ctx context.Context, b *Budget, accountID int64) (*Ballot, error) {
	var bl Ballot
	err := s.db.WithContext(ctx).Where("budget_id = ? AND account_id = ?", b.ID, accountID).First(&bl).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading ballot: %w", err)
	}
	err = s.db.WithContext(ctx).Raw(`SELECT l.project_id, p.title, p.cost, l.points FROM budget_ballot_lines l JOIN budget_projects p ON p.id = l.project_id
		WHERE l.ballot_id = ? ORDER BY l.project_id`, bl.ID).Scan(&bl.Lines).Error
	if err != nil {
		return nil, fmt.Errorf("loading ballot lines: %w", err)
	}
	return &bl, nil
}

// RuleError is the refusal of a checkout: the rule's findings, for the
// page to translate. It wraps a perr "invalid" error.
type RuleError struct {
	Check rules.BallotCheck
	Err   *perr.Error
	// Lines is the refused basket, whose titles the reasons name.
	Lines []Line
}

// Error says that the rule refused the ballot.
func (e *RuleError) Error() string { return e.Err.Error() }

// Unwrap exposes the perr error to core's error mapping.
func (e *RuleError) Unwrap() error { return e.Err }

// Checkout turns the voter's basket into their ballot; see CheckoutByID.
func (s *Service) Checkout(ctx context.Context, b *Budget, accountID int64) (*Ballot, error) {
	_, bl, err := s.CheckoutByID(ctx, b.ComponentID, b.ID, accountID)
	return bl, err
}

// CheckoutByID turns the voter's basket into their ballot in one short
// transaction of four statements: share-lock and read the budget row (a
// close waits for checkouts in flight), insert the ballot row (the unique
// index on (budget, voter) makes a concurrent checkout of the same voter
// wait for this transaction and then fail), take the basket out
// (DELETE … RETURNING), check the rule in memory against the cached
// projects, insert the lines. A refusal or a failure rolls everything
// back, so the basket stays and no partial ballot remains. It returns the
// budget it read (also on refusal, for the page to show); drafts are
// not_found, as for every non-admin page.
func (s *Service) CheckoutByID(ctx context.Context, componentID, budgetID, accountID int64) (*Budget, *Ballot, error) {
	var ballot *Ballot
	var budget *Budget
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var b Budget
		q := tx.Where("id = ? AND component_id = ?", budgetID, componentID)
		if s.db.Dialect == store.Postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthShare})
		}
		if err := q.Take(&b).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return perr.NotFound("budget")
			}
			return fmt.Errorf("locking budget: %w", err)
		}
		budget = &b
		switch b.State {
		case StateOpen:
		case StateDraft:
			return perr.NotFound("budget")
		default:
			return perr.Conflict("budgets.error.not_open", nil)
		}
		now := s.Now()
		bl := &Ballot{BudgetID: b.ID, AccountID: accountID, CreatedAt: now}
		if err := tx.Raw("INSERT INTO budget_ballots (budget_id, account_id, created_at) VALUES (?, ?, ?) RETURNING id", b.ID, accountID, now).
			Scan(&bl.ID).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return perr.Conflict("budgets.error.already_voted", nil)
			}
			return fmt.Errorf("saving ballot: %w", err)
		}
		var taken []struct{ ProjectID, Points int64 }
		if err := tx.Raw("DELETE FROM budget_basket_items WHERE budget_id = ? AND account_id = ? RETURNING project_id, points", b.ID, accountID).
			Scan(&taken).Error; err != nil {
			return fmt.Errorf("emptying basket: %w", err)
		}
		if len(taken) == 0 {
			return perr.Invalid("budgets.error.empty_basket", nil)
		}
		projects, err := s.projectCache(ctx, tx, b.ID)
		if err != nil {
			return err
		}
		lines := make([]Line, 0, len(taken))
		for _, t := range taken {
			p, ok := projects[t.ProjectID]
			if !ok { // the basket's foreign key makes this impossible
				return fmt.Errorf("basket project %d not in budget %d", t.ProjectID, b.ID)
			}
			lines = append(lines, Line{ProjectID: t.ProjectID, Title: p.Title, Cost: p.Cost, Points: t.Points})
		}
		slices.SortFunc(lines, func(x, y Line) int { return cmp.Compare(x.ProjectID, y.ProjectID) })
		if chk := Check(&b, lines); !chk.Valid {
			return &RuleError{Check: chk, Err: perr.Invalid("budgets.error.ballot_refused", nil), Lines: lines}
		}
		if s.afterBallotInsert != nil {
			if err := s.afterBallotInsert(ctx); err != nil {
				return fmt.Errorf("saving ballot: %w", err)
			}
		}
		var sql strings.Builder
		args := make([]any, 0, 3*len(lines))
		sql.WriteString("INSERT INTO budget_ballot_lines (ballot_id, project_id, points) VALUES ")
		for i, l := range lines {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?)")
			args = append(args, bl.ID, l.ProjectID, l.Points)
		}
		if err := tx.Exec(sql.String(), args...).Error; err != nil {
			return fmt.Errorf("saving ballot lines: %w", err)
		}
		bl.Lines = lines
		ballot = bl
		return nil
	})
	if err != nil {
		return budget, nil, err
	}
	return budget, ballot, nil
}

// projectCache returns a budget's projects by id (title and cost), from
// the in-process cache or, the first time, from tx. Only budgets past
// their draft are cached: their projects can no longer change (SaveProject
// and DeleteProject refuse), so the cache needs no invalidation and is
// right in every process of a multi-process deployment. The caller has
// read the budget's state in the same transaction.
func (s *Service) projectCache(ctx context.Context, tx *gorm.DB, budgetID int64) (map[int64]Line, error) {
	s.cacheMu.Lock()
	m, ok := s.projects[budgetID]
	s.cacheMu.Unlock()
	if ok {
		return m, nil
	}
	var rows []Line
	if err := tx.WithContext(ctx).Raw("SELECT id AS project_id, title, cost FROM budget_projects WHERE budget_id = ?", budgetID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("loading projects: %w", err)
	}
	m = make(map[int64]Line, len(rows))
	for _, r := range rows {
		m[r.ProjectID] = r
	}
	s.cacheMu.Lock()
	if s.projects == nil {
		s.projects = map[int64]map[int64]Line{}
	}
	s.projects[budgetID] = m
	s.cacheMu.Unlock()
	return m, nil
}
