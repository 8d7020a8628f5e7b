// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/orgs"
	"github.com/polder-civic/polder/modules/budgets"
	"github.com/polder-civic/polder/modules/opinionmap"
	"github.com/polder-civic/polder/modules/proposals"
	"github.com/polder-civic/polder/modules/sortition"
	"github.com/polder-civic/polder/modules/synthesis"
	"github.com/polder-civic/polder/spaces/process"
)

// Demo organisation and admin, printed at start-up.
const (
	demoHost     = "127.0.0.1"
	demoAdmin    = "admin@demo.polder.test"
	demoPassword = "polder-demo-admin"
	demoPreset   = "climate-convention.yaml"
)

// seedDemo creates (or finds, on later runs) the demo organisation and its
// admin, and applies the climate convention preset, which updates the
// same process on later runs.
func seedDemo(ctx context.Context, a *app.App, cfg config.Config, out io.Writer) error {
	org, err := a.Orgs.Ensure(ctx, &orgs.Organisation{Host: demoHost, Name: "Polder demo", DefaultLocale: "en", Locales: "en,fr,nl"})
	if err != nil {
		return err
	}
	if _, err := a.Accounts.EnsureAdmin(ctx, org.ID, demoAdmin, "Demo admin", "admin", demoPassword); err != nil {
		return err
	}
	preset, err := fs.ReadFile(config.Presets(), demoPreset)
	if err != nil {
		return fmt.Errorf("reading the demo preset: %w", err)
	}
	res, err := process.ApplyPreset(ctx, a, org.ID, preset)
	if err != nil {
		return fmt.Errorf("applying %s: %w", demoPreset, err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(out, "warning:", w)
	}
	if n, err := proposals.SeedDemo(ctx, a, org.ID, res.Process.Slug, 300); err != nil {
		return fmt.Errorf("seeding demo proposals: %w", err)
	} else if n > 0 {
		fmt.Fprintf(out, "Seeded %d demo proposals.\n", n)
	}
	if n, err := opinionmap.SeedDemo(ctx, a, org.ID, res.Process.Slug, 400); err != nil {
		return fmt.Errorf("seeding the demo opinion map: %w", err)
	} else if n > 0 {
		fmt.Fprintf(out, "Seeded an opinion-map conversation with %d votes.\n", n)
	}
	if n, err := budgets.SeedDemo(ctx, a, org.ID, res.Process.Slug); err != nil {
		return fmt.Errorf("seeding the demo budget: %w", err)
	} else if n > 0 {
		fmt.Fprintf(out, "Seeded a demo budget with %d ballots.\n", n)
	}
	if queued, err := synthesis.SeedDemo(ctx, a, org.ID, res.Process.Slug); err != nil {
		return fmt.Errorf("seeding the demo synthesis: %w", err)
	} else if queued {
		fmt.Fprintln(out, "Queued interim synthesis 1 of the demo process.")
	}
	if path, err := sortition.SeedDemo(ctx, a, org.ID, res.Process.Slug); err != nil {
		return fmt.Errorf("seeding the demo panel pool: %w", err)
	} else if path != "" {
		fmt.Fprintf(out, "Seeded a sortition pool at %s: draw with the secret %q and any public value.\n", path, sortition.DemoSecret)
	}
	fmt.Fprintf(out, "Demo organisation %q ready. Admin login: %s / %s\n", org.Name, demoAdmin, demoPassword)
	fmt.Fprintf(out, "Demo process: http://%s/processes/%s\n", cfg.Addr, res.Process.Slug)
	return nil
}
