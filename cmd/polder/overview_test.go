// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"io/fs"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/modules/proposals"
	"github.com/polder-civic/polder/spaces/process"
)

var totalCell = regexp.MustCompile(`<th scope="row">Total</th>(?:<td>\d+</td>)*<td>(\d+)</td></tr>`)

// TestProcessPageCountsProposals: the organiser sees on the process page
// how many proposals each theme got in each session, and the grand total
// is the number of proposals filed.
func TestProcessPageCountsProposals(t *testing.T) {
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	ctx := context.Background()
	preset, err := fs.ReadFile(config.Presets(), "climate-convention.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := process.ApplyPreset(ctx, in.App, in.Org.ID, preset)
	if err != nil {
		t.Fatal(err)
	}
	n, err := proposals.SeedDemo(ctx, in.App, in.Org.ID, res.Process.Slug, 40)
	if err != nil {
		t.Fatal(err)
	}
	r := in.Client().Get("/processes/"+res.Process.Slug).Must(t, http.StatusOK).Contains(t, "per theme and session")
	m := totalCell.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no total row in the overview:\n%s", apptest.Snippet(r.Body))
	}
	if got, _ := strconv.Atoi(m[1]); got != n {
		t.Fatalf("overview total = %d, want the %d proposals seeded", got, n)
	}
}
