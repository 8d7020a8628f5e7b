// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"

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

// project loads a project of the budget, or not_found.
func (s *Service) project(ctx context.Context, b *Budget, projectID int64) (*Project, error) {
	var p Project
	err := s.db.WithContext(ctx).Where("id = ? AND budget_id = ?", projectID, b.ID).First(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("project")
	}
	if err != nil {
		return nil, fmt.Errorf("loading project: %w", err)
	}
	return &p, nil
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
// rule decides at checkout.
func (s *Service) AddToBasket(ctx context.Context, b *Budget, accountID, projectID, points int64) error {
	if err := s.votable(ctx, b, accountID); err != nil {
		return err
	}
	if _, err := s.project(ctx, b, projectID); err != nil {
		return err
	}
	if !b.Cardinal() {
		points = 1
	}
	if points <= 0 {
		return perr.Invalid("budgets.error.points", nil)
	}
	err := s.db.WithContext(ctx).Exec(`INSERT INTO budget_basket_items (budget_id, account_id, project_id, points, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (budget_id, account_id, project_id) DO UPDATE SET points = excluded.points`, b.ID, accountID, projectID, points, s.Now()).Error
	if err != nil {
		return fmt.Errorf("adding to basket: %w", err)
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
}

// Error says that the rule refused the ballot.
func (e *RuleError) Error() string { return e.Err.Error() }

// Unwrap exposes the perr error to core's error mapping.
func (e *RuleError) Unwrap() error { return e.Err }

// Checkout turns the voter's basket into their ballot, atomically: the
// ballot and its lines are written in one transaction (a refusal or a
// failure rolls the ballot row back), the unique index on (budget, voter)
// refuses a second ballot even when two checkouts race,
// and the budget row is share-locked so a close waits for checkouts in
// flight. A refused checkout keeps the basket.
func (s *Service) Checkout(ctx context.Context, b *Budget, accountID int64) (*Ballot, error) {
	var ballot *Ballot
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var state string
		q := "SELECT state FROM budgets WHERE id = ?"
		if s.db.Dialect == store.Postgres {
			q += " FOR SHARE"
		}
		if err := tx.Raw(q, b.ID).Scan(&state).Error; err != nil {
			return fmt.Errorf("locking budget: %w", err)
		}
		if state != StateOpen {
			return perr.Conflict("budgets.error.not_open", nil)
		}
		var voted int64
		if err := tx.Model(&Ballot{}).Where("budget_id = ? AND account_id = ?", b.ID, accountID).Count(&voted).Error; err != nil {
			return fmt.Errorf("checking ballot: %w", err)
		}
		if voted > 0 {
			return perr.Conflict("budgets.error.already_voted", nil)
		}
		// The ballot row goes first: the unique index makes a concurrent
		// checkout of the same voter wait here for this transaction, then
		// fail, so the basket read below is the one this ballot records.
		bl := &Ballot{BudgetID: b.ID, AccountID: accountID, CreatedAt: s.Now()}
		if err := tx.Create(bl).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return perr.Conflict("budgets.error.already_voted", nil)
			}
			return fmt.Errorf("saving ballot: %w", err)
		}
		lines, err := basketLines(tx, b.ID, accountID)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return perr.Invalid("budgets.error.empty_basket", nil)
		}
		if chk := Check(b, lines); !chk.Valid {
			return &RuleError{Check: chk, Err: perr.Invalid("budgets.error.ballot_refused", nil)}
		}
		if s.afterBallotInsert != nil {
			if err := s.afterBallotInsert(); err != nil {
				return fmt.Errorf("saving ballot: %w", err)
			}
		}
		rows := make([]map[string]any, len(lines))
		for i, l := range lines {
			rows[i] = map[string]any{"ballot_id": bl.ID, "project_id": l.ProjectID, "points": l.Points}
		}
		if err := tx.Table("budget_ballot_lines").Create(rows).Error; err != nil {
			return fmt.Errorf("saving ballot lines: %w", err)
		}
		if err := tx.Exec("DELETE FROM budget_basket_items WHERE budget_id = ? AND account_id = ?", b.ID, accountID).Error; err != nil {
			return fmt.Errorf("emptying basket: %w", err)
		}
		bl.Lines = lines
		ballot = bl
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ballot, nil
}
