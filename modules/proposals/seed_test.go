// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/modules/proposals"
	"github.com/polder-civic/polder/spaces/process"
)

// TestSeedDemo applies the climate preset, seeds it, and checks the
// demo respects the preset's quotas and is idempotent.
func TestSeedDemo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	preset, err := fs.ReadFile(config.Presets(), "climate-convention.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := process.ApplyPreset(ctx, e.in.App, e.in.Org.ID, preset)
	if err != nil {
		t.Fatal(err)
	}
	n, err := proposals.SeedDemo(ctx, e.in.App, e.in.Org.ID, res.Process.Slug, 300)
	if err != nil {
		t.Fatal(err)
	}
	if n < 250 {
		t.Fatalf("seeded %d proposals, want about 300", n)
	}
	if again, err := proposals.SeedDemo(ctx, e.in.App, e.in.Org.ID, res.Process.Slug, 300); err != nil || again != 0 {
		t.Fatalf("second seeding added %d (%v)", again, err)
	}
	// The preset's quota: one per author, theme and session.
	if over := e.count(`SELECT COUNT(*) FROM (SELECT author_id, theme_id, session_id FROM proposals GROUP BY author_id, theme_id, session_id HAVING COUNT(*) > 1) x`); over != 0 {
		t.Fatalf("%d author/theme/session triples over the quota", over)
	}
	if over := e.count(`SELECT COUNT(*) FROM (SELECT author_id FROM proposals GROUP BY author_id HAVING COUNT(*) > 18) x`); over != 0 {
		t.Fatalf("%d authors over the total quota", over)
	}
	for _, loc := range []string{"fr", "en"} {
		if e.count("SELECT COUNT(*) FROM proposals WHERE locale = ?", loc) < 50 {
			t.Fatalf("too few %s contributions", loc)
		}
	}
	if e.count("SELECT COUNT(DISTINCT theme_id) FROM proposals") != 6 || e.count("SELECT COUNT(DISTINCT session_id) FROM proposals") < 2 {
		t.Fatal("contributions not spread over the 6 themes and the 2 started sessions")
	}
	if bad := e.count("SELECT COUNT(*) FROM proposals p WHERE supports_count <> (SELECT COUNT(*) FROM proposal_supports s WHERE s.proposal_id = p.id)"); bad != 0 {
		t.Fatalf("%d proposals with a wrong support count", bad)
	}
}
