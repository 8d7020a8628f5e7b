// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/web"
)

// DemoSecret opens the demo draw's published commitment. It is printed by
// `polder demo` and in the README: in the demo everyone may know it, the
// point is to show the commit, reveal and verify steps.
const DemoSecret = "polder demo: citizens drawn by lot"

// Demo pool: sizes and how its features are spread.
const (
	demoPoolSize  = 1200
	demoPanelSize = 150
)

// demoCategory is one feature of the demo pool: the population shares
// (the quotas are these shares of the panel, ± demoTolerance) and how much
// more or less likely each value is to volunteer (real pools lean older
// and more educated, which is what makes fair selection matter).
type demoCategory struct {
	name      string
	values    []string
	share     []float64
	volunteer []float64
}

var demoCategories = []demoCategory{
	{"gender", []string{"female", "male"}, []float64{.52, .48}, []float64{1, 1.1}},
	{"age", []string{"16-29", "30-44", "45-59", "60+"}, []float64{.21, .24, .26, .29}, []float64{.55, .8, 1.1, 1.5}},
	{"region", []string{"north", "east", "west", "south", "capital"}, []float64{.18, .2, .2, .23, .19}, []float64{.8, .9, 1, 1, 1.4}},
	{"education", []string{"no diploma", "secondary", "higher"}, []float64{.25, .42, .33}, []float64{.45, .9, 1.7}},
}

// demoTolerance is the slack of each quota around its population share, in
// panel seats.
const demoTolerance = 3

// DemoPool returns the demo's quota table and pool as CSV: demoPoolSize
// synthetic volunteers with no names, identified by fictitious e-mail
// addresses of the reserved .test domain (so that the account link
// column is exercised; they match no real person), seeded so every demo
// holds the same pool.
func DemoPool() (quotas, pool string) {
	var q strings.Builder
	q.WriteString("category,feature,min,max\n")
	for _, c := range demoCategories {
		for i, v := range c.values {
			target := c.share[i] * demoPanelSize
			lo := max(0, int(math.Floor(target))-demoTolerance)
			hi := int(math.Ceil(target)) + demoTolerance
			fmt.Fprintf(&q, "%s,%s,%d,%d\n", c.name, v, lo, hi)
		}
	}
	rng := rand.New(rand.NewPCG(2019, 150))
	var p strings.Builder
	p.WriteString("email")
	for _, c := range demoCategories {
		p.WriteString("," + c.name)
	}
	p.WriteString("\n")
	for i := 1; i <= demoPoolSize; i++ {
		fmt.Fprintf(&p, "volunteer-%04d@demo.polder.test", i)
		for _, c := range demoCategories {
			w := make([]float64, len(c.values))
			var sum float64
			for j := range w {
				w[j] = c.share[j] * c.volunteer[j]
				sum += w[j]
			}
			u := rng.Float64() * sum
			j := 0
			for ; j < len(w)-1 && u >= w[j]; j++ {
				u -= w[j]
			}
			p.WriteString("," + c.values[j])
		}
		p.WriteString("\n")
	}
	return q.String(), p.String()
}

// SeedDemo uploads the demo pool and quotas to a process's sortition
// component (the climate preset's panel) and publishes the commitment of
// DemoSecret, so that an admin can draw at once (revealing the secret and
// typing a public value) and a visitor can then verify the draw. It is
// idempotent: a component that already has a pool is left alone. It
// returns the component's path when it seeded, "" otherwise.
func SeedDemo(ctx context.Context, a *app.App, orgID int64, processSlug string) (string, error) {
	sp, comp, err := a.SpaceComponent(ctx, orgID, "process", processSlug, ID)
	if err != nil {
		return "", fmt.Errorf("demo sortition: %w", err)
	}
	if comp == nil || a.Server == nil {
		return "", nil // the optional component is not enabled
	}
	svc := NewService(a.Server, a.Jobs, a.Panels)
	if d, err := svc.Get(ctx, comp); err != nil || d != nil {
		return "", err
	}
	quotas, pool := DemoPool()
	if _, err := svc.Upload(ctx, sp, comp, Upload{Categories: []byte(quotas), Respondents: []byte(pool), PanelSize: demoPanelSize}); err != nil {
		return "", fmt.Errorf("demo sortition: uploading the pool: %w", err)
	}
	if _, err := svc.Commit(ctx, comp, DemoSecret); err != nil {
		return "", fmt.Errorf("demo sortition: commitment: %w", err)
	}
	return fmt.Sprintf("%s/%s/c/%d", web.SpacePrefixes[sp.Type], sp.Slug, comp.ID), nil
}
