// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"embed"
	"io/fs"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// ID is the module's identifier.
const ID = "budgets"

// Version is the module's version, printed beside every published result.
const Version = "1.0.0"

// Actions guarded by the module, as "budgets.<action>" permissions.
const (
	// ActionVote builds a basket and checks it out; an admin may require a
	// verification for it (authz's verification hook).
	ActionVote = "vote"
	// ActionManage creates budgets and projects, closes votes, publishes.
	ActionManage = "manage"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed messages/*.yaml
var messageFiles embed.FS

func sub(fsys fs.FS, dir string) fs.FS {
	s, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the embedded folders exist at compile time
	}
	return s
}

// Module is the budgets module. Create it with New.
type Module struct {
	svc *Service
	srv *web.Server // for the space's address in Contributions
}

// New returns the module, for cmd/polder's modules() list.
func New() *Module { return &Module{} }

// Service returns the module's service once core has mounted its routes
// (nil before), for seeding and commands.
func (m *Module) Service() *Service { return m.svc }

// Manifest describes the module to core.
func (*Module) Manifest() registry.Manifest {
	return registry.Manifest{
		ID:      ID,
		Version: Version,
		Name:    "budgets.module.name",
		Actions: []registry.Action{
			{Name: ActionVote, DefaultRoles: []registry.Role{registry.RoleParticipant}, Label: "budgets.action.vote"},
			{Name: ActionManage, DefaultRoles: []registry.Role{registry.RoleSpaceAdmin}, Label: "budgets.action.manage"},
		},
		Migrations: sub(migrationFiles, "migrations"),
		Templates:  sub(templateFiles, "templates"),
		Messages:   sub(messageFiles, "messages"),
	}
}

// Interface guards.
var (
	_ registry.Module   = (*Module)(nil)
	_ web.RouteProvider = (*Module)(nil)
)
