// SPDX-License-Identifier: AGPL-3.0-or-later

// Package notes is the example module of docs/modules.md: a notice board
// where participants pin short notes in a space. It uses only core's
// public API, as a module in another repository would: a manifest with a
// settings schema and one guarded action, an embedded migration, a
// template, messages in en, fr and nl, and pages and API routes mounted
// through a component router. The test suite registers and runs it; it is
// not part of the polder binary.
package notes

import (
	"embed"
	"io/fs"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// ID is the module's identifier: it names its tables' owner, its
// permissions ("notes.create"), its templates and its messages.
const ID = "notes"

// PermCreate guards pinning a note.
const PermCreate = ID + ".create"

//go:embed migrations/*.sql
var migrationFiles embed.FS

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed messages/*.yaml
var messageFiles embed.FS

// Module is the notes module. Its zero value is ready to register; its
// store is set when core mounts its routes (the one moment a module
// receives the database).
type Module struct {
	board *Board
}

// New returns the module, for cmd/polder's modules() list.
func New() *Module { return &Module{} }

// Manifest describes the module to core.
func (*Module) Manifest() registry.Manifest {
	return registry.Manifest{
		ID:      ID,
		Version: "1.0.0",
		Name:    "notes.name",
		Settings: registry.Schema{
			{Key: "max_length", Type: registry.Int, Default: 280, Min: registry.IntPtr(20), Max: registry.IntPtr(2000),
				Label: "notes.settings.max_length", Help: "notes.settings.max_length_help"},
		},
		SessionSettings: registry.Schema{
			{Key: "open", Type: registry.Bool, Default: true, Label: "notes.settings.open"},
		},
		Actions: []registry.Action{
			{Name: "create", DefaultRoles: []registry.Role{registry.RoleParticipant}, Label: "notes.action.create"},
		},
		Migrations: sub(migrationFiles, "migrations"),
		Templates:  sub(templateFiles, "templates"),
		Messages:   sub(messageFiles, "messages"),
	}
}

func sub(f embed.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embedded folder exists at compile time
	}
	return s
}

// Interface guards: a broken contract fails at compile time.
var (
	_ registry.Module               = (*Module)(nil)
	_ web.RouteProvider             = (*Module)(nil)
	_ registry.PersonalDataProvider = (*Module)(nil)
	_ registry.Eraser               = (*Module)(nil)
)
