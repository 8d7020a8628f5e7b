// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"context"
	"testing"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/opinionmap"
)

// TestSeedDemo seeds the fixture's component: statements, votes, a map
// with groups; a second call adds nothing.
func TestSeedDemo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n, err := opinionmap.SeedDemo(ctx, e.in.App, e.in.Org.ID, e.fx.Process.Slug, 200)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || e.countVotes(0) != int64(n) {
		t.Fatalf("seeded %d votes, %d stored", n, e.countVotes(0))
	}
	res, err := e.svc().Results(ctx, e.comp.ID)
	if err != nil || res == nil || len(res.Result.Groups) < 2 {
		t.Fatalf("demo map: %v %+v", err, res)
	}
	// Three in four participants vote as the sortition demo pool's
	// volunteers: confirmed accounts with the pool's addresses.
	var signed int64
	if err := e.in.App.DB.Table("opinion_participants p").Joins("JOIN accounts a ON a.id = p.account_id").
		Where("p.component_id = ? AND a.email LIKE ? AND a.confirmed_at IS NOT NULL", e.comp.ID, "volunteer-%@demo.polder.test").Count(&signed).Error; err != nil {
		t.Fatal(err)
	}
	var anon int64
	e.in.App.DB.Model(&opinionmap.Participant{}).Where("component_id = ? AND anon_key IS NOT NULL", e.comp.ID).Count(&anon)
	if signed != 150 || anon != 50 {
		t.Fatalf("%d volunteer accounts and %d anonymous participants, want 150 and 50", signed, anon)
	}
	e.in.Client().Get(e.base+"/report").Must(t, 200).Contains(t, "Group A:", "Group B:")
	if again, err := opinionmap.SeedDemo(ctx, e.in.App, e.in.Org.ID, e.fx.Process.Slug, 200); err != nil || again != 0 {
		t.Fatalf("second seed added %d votes (%v)", again, err)
	}
}

// TestContributions lists the demo statements for other modules.
func TestContributions(t *testing.T) {
	e := newEnv(t)
	e.seed("Free buses for students", "Tax private jets")
	got, err := e.mod.Contributions(context.Background(), e.comp, registry.ContributionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Body != "Free buses for students" || got[0].Kind != "statement" || got[0].AuthorType != "facilitator" {
		t.Fatalf("contributions: %+v", got)
	}
}
