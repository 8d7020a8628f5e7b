// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/opinionmap"
	"github.com/polder-civic/polder/modules/sortition"
	"github.com/polder-civic/polder/spaces/process"
)

var (
	panelPoolPath = regexp.MustCompile(`Seeded a sortition pool at (\S+):`)
	panelMakeup   = regexp.MustCompile(`(\d+) members of the panel drawn by lot, (\d+) open participants\.`)
)

// TestDemoPanelInOpinionMap is issue 6's "done when" on the demo: seed the
// demo, draw its panel as the admin through the real handlers, and the
// opinion map's report shows the panel members who voted beside the open
// public, as many as the draw selected among the map's participants.
func TestDemoPanelInOpinionMap(t *testing.T) {
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	ctx := context.Background()
	var out bytes.Buffer
	if err := seedDemo(ctx, in.App, config.Default(), &out); err != nil {
		t.Fatalf("seeding the demo: %v", err)
	}
	m := panelPoolPath.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the demo did not seed a sortition pool:\n%s", out.String())
	}
	drawPath := m[1]

	admin := in.Client()
	admin.Login(demoAdmin, demoPassword)
	admin.PostForm(drawPath+"/draw", url.Values{"secret": {sortition.DemoSecret}, "public_value": {"5 12 23 31 42 + 7"}}).Must(t, http.StatusSeeOther)
	in.RunJobs()

	// The opinion map's component in the demo process.
	res, ok := in.App.Space(process.SpaceType)
	if !ok {
		t.Fatal("no process space type")
	}
	sp, err := res.BySlug(ctx, in.Org.ID, "climate-convention")
	if err != nil {
		t.Fatal(err)
	}
	comps, err := in.App.Components.InSpace(ctx, sp.Type, sp.ID)
	if err != nil {
		t.Fatal(err)
	}
	var comp *registry.Component
	for i := range comps {
		if comps[i].ModuleID == opinionmap.ID {
			comp = &comps[i]
		}
	}
	if comp == nil {
		t.Fatal("the demo process has no opinion map")
	}
	if _, err := opinionmap.NewService(in.App.DB, in.App.Components, nil).Recompute(ctx, comp.ID); err != nil {
		t.Fatal(err)
	}

	// Independently of the report: drawn members whose account votes in
	// the map.
	var want int64
	if err := in.App.DB.Table("sortition_members s").
		Joins("JOIN opinion_participants p ON p.account_id = s.account_id AND p.component_id = ?", comp.ID).
		Where("s.ended_at IS NULL AND s.account_id <> 0").Count(&want).Error; err != nil {
		t.Fatal(err)
	}
	if want == 0 {
		t.Fatal("no drawn panel member takes part in the demo opinion map")
	}

	body := in.Client().Get(fmt.Sprintf("%s/c/%d/report", "/processes/"+sp.Slug, comp.ID)).Must(t, http.StatusOK).
		Contains(t, "Panel drawn by lot", "Open participants").Body
	panel := 0
	for _, g := range panelMakeup.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(g[1])
		panel += n
	}
	if panel == 0 || int64(panel) != want {
		t.Fatalf("the report's groups hold %d panel members, want the %d drawn members who voted:\n%s", panel, want, apptest.Snippet(body))
	}
	t.Logf("demo: %d of the 150 drawn panel members vote in the opinion map", want)
}
