// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/polder-civic/polder/modules/sortition"
)

// TestSeedDemo: the demo pool is uploaded with its quotas and the
// commitment of DemoSecret, an admin draws by revealing it (background
// job), the record replays, and a second seeding changes nothing.
func TestSeedDemo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	path, err := sortition.SeedDemo(ctx, e.in.App, e.in.Org.ID, "climate-convention")
	if err != nil {
		t.Fatal(err)
	}
	if path != e.base {
		t.Fatalf("seeded %q, want %q", path, e.base)
	}
	d := e.draw()
	if d.Status != sortition.StatusCommitted || d.PoolSize != 1200 || d.PanelSize != 150 {
		t.Fatalf("seeded draw: status %s, pool %d, panel %d", d.Status, d.PoolSize, d.PanelSize)
	}
	anon := e.in.Client()
	anon.Get(e.base).Must(t, http.StatusOK).Contains(t, d.Commitment)
	if again, err := sortition.SeedDemo(ctx, e.in.App, e.in.Org.ID, "climate-convention"); err != nil || again != "" {
		t.Fatalf("second seeding: %q %v", again, err)
	}
	if n := e.count(&sortition.PoolRow{}); n != 1200 {
		t.Fatalf("%d pool rows after seeding twice", n)
	}

	e.post(e.base+"/draw", url.Values{"secret": {sortition.DemoSecret}, "public_value": {"5 12 23 31 42 + 7"}}).Must(t, http.StatusSeeOther)
	e.in.RunJobs()
	d = e.draw()
	if d.Status != sortition.StatusDrawn {
		t.Fatalf("status %s after the jobs (error %q)", d.Status, d.Error)
	}
	rec, err := d.PublishedRecord()
	if err != nil {
		t.Fatal(err)
	}
	sel, err := rec.Verify()
	if err != nil || !slices.Equal(sel, rec.Selected) || len(sel) != 150 {
		t.Fatalf("the demo draw does not replay: %d selected, %v", len(sel), err)
	}
	ver := anon.Get(e.base+"/verify").Must(t, http.StatusOK)
	for _, id := range rec.Selected[:10] {
		ver.Contains(t, id)
	}
	t.Logf("demo draw: minimum probability before rounding %.4f, after %.4f", rec.Loss.MinBefore, rec.Loss.MinAfter)
}
