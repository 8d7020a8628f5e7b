// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"testing"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
)

// The instance's resolver caches spaces; a write through any service on
// the same database (here a second Service, as admin pages and presets
// use) is visible at the next lookup, and callers cannot change the cached
// copy.
func TestResolverCacheSeesWrites(t *testing.T) {
	in := newInstance(t)
	ctx := context.Background()
	res, ok := in.App.Space(SpaceType)
	if !ok {
		t.Fatal("no process resolver")
	}
	svc := NewService(in.App.DB)
	p := &Process{Slug: "cached", Title: i18n.Text{"en": "Before"}, Status: registry.StatusPublished}
	if err := svc.Create(ctx, in.Org.ID, p); err != nil {
		t.Fatal(err)
	}
	sp, err := res.BySlug(ctx, in.Org.ID, "cached")
	if err != nil || sp.Title["en"] != "Before" || len(sp.Themes) != 0 {
		t.Fatalf("first lookup: %+v, %v", sp, err)
	}
	// A caller changing its copy changes nothing for the next one.
	sp.Themes = append(sp.Themes, registry.Theme{Key: "mine"})
	sp.Title = i18n.Text{"en": "Changed by a caller"}

	p.Title = i18n.Text{"en": "After"}
	if err := svc.Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := svc.SaveThemes(ctx, p, []Theme{{Key: "water", Title: i18n.Text{"en": "Water"}}}); err != nil {
		t.Fatal(err)
	}
	for _, get := range []func() (*registry.Space, error){
		func() (*registry.Space, error) { return res.BySlug(ctx, in.Org.ID, "cached") },
		func() (*registry.Space, error) { return res.ByID(ctx, p.ID) },
	} {
		sp, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if sp.Title["en"] != "After" || len(sp.Themes) != 1 || sp.Themes[0].Key != "water" {
			t.Errorf("after the writes: title %q, themes %+v", sp.Title["en"], sp.Themes)
		}
	}
	// Raw SQL counts as a write too.
	if err := in.App.DB.Exec("UPDATE processes SET status = ? WHERE id = ?", registry.StatusClosed, p.ID).Error; err != nil {
		t.Fatal(err)
	}
	if sp, _ := res.BySlug(ctx, in.Org.ID, "cached"); sp == nil || sp.Status != registry.StatusClosed {
		t.Errorf("after a raw update: %+v", sp)
	}
}
