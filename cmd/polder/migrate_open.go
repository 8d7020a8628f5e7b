// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/store"
)

// openAppForMigrate opens only the database: migrate must work on a schema
// the rest of the application cannot run on yet.
func openAppForMigrate(ctx context.Context, cfg config.Config) (*store.DB, error) {
	return store.Open(ctx, cfg.Database())
}
