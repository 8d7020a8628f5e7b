// SPDX-License-Identifier: AGPL-3.0-or-later

package process_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/spaces/process"
)

type overviewModule struct{}

func (overviewModule) Manifest() registry.Manifest {
	return registry.Manifest{ID: "figures", Version: "1"}
}

func (overviewModule) Overview(_ context.Context, comp *registry.Component, sp *registry.Space, locale string) (*registry.Overview, error) {
	return &registry.Overview{Caption: "Figures of " + sp.Slug + " in " + locale, Columns: []string{"n"}, Rows: []registry.OverviewRow{{Label: "themes", Cells: []string{string(rune('0' + len(sp.Themes)))}}}}, nil
}

// TestProcessPageShowsOverviews: a module offering an overview gets its
// table on the process page, in the page's locale.
func TestProcessPageShowsOverviews(t *testing.T) {
	in, p := overviewInstance(t, overviewModule{})
	in.Client().Get("/processes/"+p+"?locale=fr").Must(t, http.StatusOK).Contains(t, "<caption>Figures of "+p+" in fr</caption>", `<th scope="row">themes</th>`)
}

const overviewPreset = `
slug: figures-test
status: published
title: {en: Figures}
themes:
  - {key: a, title: {en: A}}
  - {key: b, title: {en: B}}
sessions:
  - {key: s1, title: {en: S1}, starts_at: 2026-01-01, ends_at: 2027-01-01}
components:
  - {key: figures, module: figures, title: {en: Figures}}
`

func overviewInstance(t *testing.T, m registry.Module) (*apptest.Instance, string) {
	t.Helper()
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: []registry.Module{m}})
	res, err := process.ApplyPreset(context.Background(), in.App, in.Org.ID, []byte(overviewPreset))
	if err != nil {
		t.Fatal(err)
	}
	return in, res.Process.Slug
}
