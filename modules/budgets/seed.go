// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

// demoProjects are a few costed projects per theme of the climate preset
// (themes without an entry get the generic ones).
var demoProjects = map[string][][2]string{
	"se-deplacer":         {{"Protected cycle lanes on the ring road", "180000"}, {"Secure bike parking at every station", "60000"}, {"Car-sharing hubs in the suburbs", "90000"}},
	"se-loger":            {{"Insulate the municipal schools", "240000"}, {"Energy advice desk for tenants", "40000"}, {"Heat pumps for social housing", "200000"}},
	"se-nourrir":          {{"Organic meals in school canteens", "120000"}, {"Community gardens on vacant plots", "35000"}, {"Local producers' covered market", "150000"}},
	"produire-travailler": {{"Repair café and tool library", "30000"}, {"Solar panels on public buildings", "220000"}, {"Training in green trades", "80000"}},
	"consommer":           {{"Deposit scheme for reusable packaging", "50000"}, {"Free water fountains downtown", "25000"}, {"Second-hand shop run by the city", "45000"}},
}

var genericProjects = [][2]string{{"Trees along the main streets", "70000"}, {"Climate information campaign", "20000"}}

// SeedDemo adds to the budgets component of a process (the climate
// preset's) an open budget with a few projects per theme and ballots from
// up to 60 of the organisation's participants, so the demo shows a basket,
// live feedback and, once an admin closes and publishes, results. It is
// idempotent: a component that has a budget is left alone. It returns the
// number of ballots cast.
func SeedDemo(ctx context.Context, a *app.App, orgID int64, processSlug string) (int, error) {
	sp, comp, err := a.SpaceComponent(ctx, orgID, "process", processSlug, ID)
	if err != nil {
		return 0, fmt.Errorf("seeding budgets: %w", err)
	}
	if comp == nil {
		return 0, nil // the preset's budgets component is optional
	}
	svc := NewService(a.DB, a.Components, nil)
	have, err := svc.Budgets(ctx, comp.ID)
	if err != nil || len(have) > 0 {
		return 0, err
	}
	b := &Budget{Title: "Climate budget 2027", Description: "Choose the projects the city funds next year, within the budget.",
		Total: 600000, BallotKind: KindApproval, Knapsack: true, OutcomeRule: string(rules.RuleMES), Completion: string(rules.CompletionAdd1)}
	if err := svc.SaveBudget(ctx, sp, comp, 0, b); err != nil {
		return 0, fmt.Errorf("seeding budgets: %w", err)
	}
	var ids []int64
	for _, th := range sp.Themes {
		list, ok := demoProjects[th.Key]
		if !ok {
			list = genericProjects
		}
		for _, pr := range list {
			var cost int64
			fmt.Sscan(pr[1], &cost)
			p := &Project{Title: pr[0], Description: pr[0] + ".", Cost: cost, ThemeID: th.ID}
			if err := svc.SaveProject(ctx, sp, b, 0, p); err != nil {
				return 0, fmt.Errorf("seeding budgets: %w", err)
			}
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if err := svc.SetState(ctx, b, 0, StateOpen); err != nil {
		return 0, fmt.Errorf("seeding budgets: %w", err)
	}
	var voters []int64
	if err := a.DB.WithContext(ctx).Raw("SELECT id FROM accounts WHERE organisation_id = ? AND org_admin = ? AND kind = 'person' ORDER BY id LIMIT 60",
		orgID, false).Scan(&voters).Error; err != nil {
		return 0, fmt.Errorf("seeding budgets: listing participants: %w", err)
	}
	costs := map[int64]int64{}
	projects, err := svc.Projects(ctx, b.ID)
	if err != nil {
		return 0, err
	}
	for _, p := range projects {
		costs[p.ID] = p.Cost
	}
	rng := rand.New(rand.NewPCG(2027, uint64(comp.ID)))
	cast := 0
	for _, v := range voters {
		var spent int64
		k := min(len(ids), 3+rng.IntN(4))
		for _, i := range rng.Perm(len(ids))[:k] {
			if spent+costs[ids[i]] > b.Total {
				continue
			}
			if err := svc.AddToBasket(ctx, b, v, ids[i], 1); err != nil {
				return cast, fmt.Errorf("seeding budgets: %w", err)
			}
			spent += costs[ids[i]]
		}
		if _, err := svc.Checkout(ctx, b, v); err != nil {
			return cast, fmt.Errorf("seeding budgets: %w", err)
		}
		cast++
	}
	return cast, nil
}
