// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"embed"
	"io/fs"
	"path"
	"testing/fstest"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/panel"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// ID is the module's identifier.
const ID = "opinionmap"

// Version is the module's version.
const Version = "1.0.0"

// Actions guarded by the module, as "opinionmap.<action>" permissions.
const (
	ActionVote     = "vote"
	ActionSubmit   = "submit"
	ActionModerate = "moderate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

//go:embed templates/*.html templates/partials.tmpl
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

// templates gives every page the shared partials (navigation,
// freshness): core parses each page file on its own.
func templates() fs.FS {
	dir := sub(templateFiles, "templates")
	partials, err := fs.ReadFile(dir, "partials.tmpl")
	if err != nil {
		panic(err)
	}
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(dir, ".")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		if path.Ext(e.Name()) != ".html" {
			continue
		}
		b, err := fs.ReadFile(dir, e.Name())
		if err != nil {
			panic(err)
		}
		out[e.Name()] = &fstest.MapFile{Data: append(append([]byte{}, partials...), b...)}
	}
	return out
}

// Module is the opinion-map module. Create it with New.
type Module struct {
	svc    *Service
	jobs   *jobs.Queue
	panels *panel.Registry
	srv    *web.Server // for the space's address in Contributions
}

// New returns the module, for cmd/polder's modules() list.
func New() *Module { return &Module{} }

// Service returns the module's service once its routes are mounted (nil
// before), for tests and the demo seed.
func (m *Module) Service() *Service { return m.svc }

// UseBackground receives the instance's job queue and panel registry.
func (m *Module) UseBackground(q *jobs.Queue, p *panel.Registry) { m.jobs, m.panels = q, p }

// Manifest describes the module to core.
func (*Module) Manifest() registry.Manifest {
	return registry.Manifest{
		ID:       ID,
		Version:  Version,
		Name:     "opinionmap.module.name",
		Settings: settingsSchema,
		Actions: []registry.Action{
			{Name: ActionVote, DefaultRoles: []registry.Role{registry.RoleParticipant}, Label: "opinionmap.action.vote"},
			{Name: ActionSubmit, DefaultRoles: []registry.Role{registry.RoleParticipant}, Label: "opinionmap.action.submit"},
			{Name: ActionModerate, DefaultRoles: []registry.Role{registry.RoleModerator, registry.RoleSpaceAdmin}, Label: "opinionmap.action.moderate"},
		},
		Migrations: sub(migrationFiles, "migrations"),
		Templates:  templates(),
		Messages:   sub(messageFiles, "messages"),
	}
}

// Interface guards: a broken contract fails at compile time.
var (
	_ registry.Module    = (*Module)(nil)
	_ web.RouteProvider  = (*Module)(nil)
	_ app.BackgroundUser = (*Module)(nil)
)
