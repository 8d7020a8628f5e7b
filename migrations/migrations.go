// SPDX-License-Identifier: AGPL-3.0-or-later

// Package migrations embeds core's versioned schema migrations. Modules
// embed their own beside their code; each owner has its own version table.
// SQL is written once for SQLite and PostgreSQL, with the macros that
// core/store expands ({{ID}}, {{BLOB}}).
package migrations

import (
	"embed"
	"io/fs"

	"github.com/polder-civic/polder/core/store"
)

//go:embed core/*.sql
var coreFiles embed.FS

// Core returns core's migration set.
func Core() store.MigrationSet {
	sub, err := fs.Sub(coreFiles, "core")
	if err != nil {
		panic(err) // the embedded folder exists at compile time
	}
	return store.MigrationSet{Owner: "core", FS: sub}
}
