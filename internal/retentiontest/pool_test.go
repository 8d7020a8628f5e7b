// SPDX-License-Identifier: AGPL-3.0-or-later

// Package retentiontest checks core/retention on an assembled instance (it
// needs a space type and modules, which core tests may not import): the
// space admins' retention form and the erasers modules hand to the job.
package retentiontest

import (
	"context"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/retention"
	"github.com/polder-civic/polder/modules/sortition"
	"github.com/polder-civic/polder/spaces/process"
)

// TestPoolErasedOnSpacePeriod: a space's `pool` period erases the pools of
// its draws drawn longer ago than the period (pool rows and pseudonym
// key), and keeps newer draws' pools and other spaces' pools.
func TestPoolErasedOnSpacePeriod(t *testing.T) {
	ctx := context.Background()
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: []registry.Module{sortition.New()}})
	db := in.App.DB
	now := time.Now().UTC()
	day := 24 * time.Hour
	mustExec := func(q string, args ...any) {
		t.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	// Three drawn draws: space 1 drawn 40 and 5 days ago, space 2 drawn
	// 40 days ago; each with two pool rows.
	draws := []struct {
		space int64
		key   string
		age   int
	}{{1, "old", 40}, {1, "new", 5}, {2, "other", 40}}
	ids := map[string]int64{}
	for _, d := range draws {
		mustExec("INSERT INTO components (space_type, space_id, module_id, key, title, created_at, updated_at) VALUES (?, ?, ?, ?, 't', ?, ?)",
			process.SpaceType, d.space, sortition.ID, d.key, now, now)
		var compID int64
		if err := db.Table("components").Where("key = ?", d.key).Pluck("id", &compID).Error; err != nil {
			t.Fatal(err)
		}
		drawn := now.Add(-time.Duration(d.age) * day)
		mustExec("INSERT INTO sortition_draws (organisation_id, component_id, space_id, panel_size, categories, status, pseudonym_key, drawn_at, created_at, updated_at) VALUES (?, ?, ?, 1, '[]', ?, 'k', ?, ?, ?)",
			in.Org.ID, compID, d.space, sortition.StatusDrawn, drawn, drawn, drawn)
		var drawID int64
		if err := db.Table("sortition_draws").Where("component_id = ?", compID).Pluck("id", &drawID).Error; err != nil {
			t.Fatal(err)
		}
		ids[d.key] = drawID
		for pos := 0; pos < 2; pos++ {
			mustExec("INSERT INTO sortition_pool (draw_id, position, external_id, features) VALUES (?, ?, 'volunteer@example.org', '[0]')", drawID, pos)
		}
	}
	space1 := registry.SpaceDomain(process.SpaceType, 1)
	if err := in.App.Retention.SetPeriods(ctx, space1, map[string]int{retention.CategoryPool: 30}); err != nil {
		t.Fatal(err)
	}
	got, err := in.App.Retention.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got[retention.CategoryPool] != 1 {
		t.Fatalf("erased %v, want 1 pool", got)
	}
	for key, wantRows := range map[string]int64{"old": 0, "new": 2, "other": 2} {
		var rows int64
		db.Table("sortition_pool").Where("draw_id = ?", ids[key]).Count(&rows)
		var d sortition.Draw
		if err := db.First(&d, ids[key]).Error; err != nil {
			t.Fatal(err)
		}
		erased := d.PoolErasedAt != nil && d.PseudonymKey == ""
		if rows != wantRows || erased != (wantRows == 0) {
			t.Errorf("draw %s: %d pool rows (want %d), erased=%v key=%q", key, rows, wantRows, d.PoolErasedAt != nil, d.PseudonymKey)
		}
	}
	// The next run finds nothing more to erase.
	if got, err := in.App.Retention.Run(ctx); err != nil || got[retention.CategoryPool] != 0 {
		t.Fatalf("second run: %v %v", got, err)
	}
}
