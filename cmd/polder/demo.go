// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/orgs"
)

// Demo organisation and admin, printed at start-up.
const (
	demoHost     = "127.0.0.1"
	demoAdmin    = "admin@demo.polder.test"
	demoPassword = "polder-demo-admin"
)

// seedDemo creates (or finds, on later runs) the demo organisation and its
// admin. The climate convention process is added by the process preset.
func seedDemo(ctx context.Context, a *app.App, cfg config.Config, out io.Writer) error {
	org, err := a.Orgs.Ensure(ctx, &orgs.Organisation{Host: demoHost, Name: "Polder demo", DefaultLocale: "en", Locales: "en,fr,nl"})
	if err != nil {
		return err
	}
	if _, err := a.Accounts.EnsureAdmin(ctx, org.ID, demoAdmin, "Demo admin", "admin", demoPassword); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo organisation %q ready. Admin login: %s / %s\n", org.Name, demoAdmin, demoPassword)
	return nil
}
