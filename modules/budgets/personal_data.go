// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"context"
	"fmt"
	"time"

	"github.com/polder-civic/polder/core/registry"
)

// PersonalRecord is what the budgets module holds about an account, as
// its data download shows it: the baskets being built and the ballots
// cast.
type PersonalRecord struct {
	Baskets []PersonalBasket `json:"baskets,omitempty"`
	Ballots []PersonalBallot `json:"ballots,omitempty"`
}

// PersonalBasket is an account's basket in one budget.
type PersonalBasket struct {
	BudgetID    int64  `json:"budget_id"`
	BudgetTitle string `json:"budget"`
	Lines       []Line `json:"projects"`
}

// PersonalBallot is a ballot the account cast.
type PersonalBallot struct {
	BudgetID    int64     `json:"budget_id"`
	BudgetTitle string    `json:"budget"`
	CastAt      time.Time `json:"cast_at"`
	Lines       []Line    `json:"projects"`
}

// personalLine is one basket or ballot line with its budget.
type personalLine struct {
	Grp         int64 // ballot id, or budget id for baskets
	BudgetID    int64
	BudgetTitle string
	CastAt      time.Time
	Line
}

// PersonalData returns the account's baskets and ballots
// (registry.PersonalDataProvider); nil when it has neither.
func (m *Module) PersonalData(ctx context.Context, accountID int64) (any, error) {
	if m.svc == nil {
		return nil, nil
	}
	db := m.svc.db.WithContext(ctx)
	var basket, ballots []personalLine
	if err := db.Raw(`SELECT i.budget_id AS grp, i.budget_id, b.title AS budget_title, i.project_id, p.title, p.cost, i.points
		FROM budget_basket_items i JOIN budgets b ON b.id = i.budget_id JOIN budget_projects p ON p.id = i.project_id
		WHERE i.account_id = ? ORDER BY i.budget_id, i.project_id`, accountID).Scan(&basket).Error; err != nil {
		return nil, fmt.Errorf("budgets: personal data: baskets: %w", err)
	}
	if err := db.Raw(`SELECT x.id AS grp, x.budget_id, b.title AS budget_title, x.created_at AS cast_at, l.project_id, p.title, p.cost, l.points
		FROM budget_ballots x JOIN budgets b ON b.id = x.budget_id JOIN budget_ballot_lines l ON l.ballot_id = x.id JOIN budget_projects p ON p.id = l.project_id
		WHERE x.account_id = ? ORDER BY x.id, l.project_id`, accountID).Scan(&ballots).Error; err != nil {
		return nil, fmt.Errorf("budgets: personal data: ballots: %w", err)
	}
	if len(basket) == 0 && len(ballots) == 0 {
		return nil, nil
	}
	var out PersonalRecord
	for i, l := range basket {
		if i == 0 || l.Grp != basket[i-1].Grp {
			out.Baskets = append(out.Baskets, PersonalBasket{BudgetID: l.BudgetID, BudgetTitle: l.BudgetTitle})
		}
		last := &out.Baskets[len(out.Baskets)-1]
		last.Lines = append(last.Lines, l.Line)
	}
	for i, l := range ballots {
		if i == 0 || l.Grp != ballots[i-1].Grp {
			out.Ballots = append(out.Ballots, PersonalBallot{BudgetID: l.BudgetID, BudgetTitle: l.BudgetTitle, CastAt: l.CastAt})
		}
		last := &out.Ballots[len(out.Ballots)-1]
		last.Lines = append(last.Lines, l.Line)
	}
	return out, nil
}

// Anonymise detaches the account's ballots from it and deletes its baskets
// (registry.Eraser). The ballots stay counted, anonymous: nothing left in
// the database says whose they were. Idempotent.
func (m *Module) Anonymise(ctx context.Context, accountID int64) error {
	if m.svc == nil {
		return nil
	}
	db := m.svc.db.WithContext(ctx)
	if err := db.Exec("UPDATE budget_ballots SET account_id = NULL WHERE account_id = ?", accountID).Error; err != nil {
		return fmt.Errorf("budgets: detaching ballots: %w", err)
	}
	if err := db.Exec("DELETE FROM budget_basket_items WHERE account_id = ?", accountID).Error; err != nil {
		return fmt.Errorf("budgets: deleting baskets: %w", err)
	}
	return nil
}

// Processing declares the ballots' processing for the GDPR register.
func (*Module) Processing() []registry.Processing {
	return []registry.Processing{{
		Name:       "budgets.processing.name",
		Purpose:    "budgets.processing.purpose",
		Data:       []string{"budgets.processing.data"},
		Subjects:   "budgets.processing.subjects",
		Retention:  "budgets.processing.retention",
		LegalBasis: "budgets.processing.basis",
	}}
}

// Interface guards.
var (
	_ registry.PersonalDataProvider = (*Module)(nil)
	_ registry.Eraser               = (*Module)(nil)
	_ registry.ProcessingDeclarer   = (*Module)(nil)
)
