// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"context"
	"testing"

	"github.com/polder-civic/polder/modules/budgets"
)

// TestSeedDemo seeds an open budget with ballots from the participants,
// idempotently, and the seeded budget closes and publishes.
func TestSeedDemo(t *testing.T) {
	e := newEnv(t)
	for range 12 {
		e.user("p", false)
	}
	ctx := context.Background()
	n, err := budgets.SeedDemo(ctx, e.in.App, e.in.Org.ID, e.fx.Process.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if n != 12 {
		t.Fatalf("%d ballots seeded, want 12", n)
	}
	if n, err := budgets.SeedDemo(ctx, e.in.App, e.in.Org.ID, e.fx.Process.Slug); err != nil || n != 0 {
		t.Fatalf("second seed: %d %v", n, err)
	}
	all, err := e.svc().Budgets(ctx, e.comp.ID)
	if err != nil || len(all) != 1 || all[0].State != budgets.StateOpen {
		t.Fatalf("seeded budgets %+v %v", all, err)
	}
	b := &all[0]
	if err := e.svc().SetState(ctx, b, 0, budgets.StateClosed); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc().Publish(ctx, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Voters != 12 || len(res.MES.Funded) == 0 || res.MES.TotalCost > b.Total || res.Greedy.TotalCost > b.Total {
		t.Fatalf("results: %d voters, MES %v (%d), greedy %d", res.Voters, res.MES.Funded, res.MES.TotalCost, res.Greedy.TotalCost)
	}
}
