// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"embed"
	"io/fs"

	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/panel"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// ID is the module's identifier.
const ID = "synthesis"

// Version is the module's version, recorded in every synthesis.
const Version = "1.0.0"

// MethodVersion names the method a synthesis was built with; it changes
// whenever modules/synthesis/topics changes its results, and each version
// has its description in the messages (synthesis.method.topics_N, en, fr
// and nl), so that a frozen synthesis keeps describing its own method.
const MethodVersion = "topics/3"

// JobKind is the background job that builds a synthesis.
const JobKind = "synthesis.build"

// ActionBuild lets organisers build, edit and publish syntheses.
const ActionBuild = "build"

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

// Module is the synthesis module. Core hands it the job queue
// (UseBackground) and then the server (Routes).
type Module struct {
	svc  *Service
	jobs *jobs.Queue
	// Summariser, when not nil, writes a machine summary of each topic.
	// New sets it from the environment (off unless configured).
	Summariser Summariser
}

// New returns the module, for cmd/polder's modules() list. The optional
// language model is configured by the operator through the environment
// (see SummariserFromEnv); it is off by default.
func New() *Module { return &Module{Summariser: SummariserFromEnv()} }

// Manifest describes the module to core.
func (*Module) Manifest() registry.Manifest {
	return registry.Manifest{
		ID:       ID,
		Version:  Version,
		Name:     "synthesis.module.name",
		Settings: settingsSchema,
		Actions: []registry.Action{
			{Name: ActionBuild, DefaultRoles: []registry.Role{registry.RoleSpaceAdmin}, Label: "synthesis.action.build"},
		},
		Migrations: sub(migrationFiles, "migrations"),
		Templates:  sub(templateFiles, "templates"),
		Messages:   sub(messageFiles, "messages"),
	}
}

// UseBackground receives the instance's job queue.
func (m *Module) UseBackground(q *jobs.Queue, _ *panel.Registry) { m.jobs = q }

// Service returns the module's service once routes are mounted (demo and
// tests).
func (m *Module) Service() *Service { return m.svc }

// Interface guards.
var (
	_ registry.Module   = (*Module)(nil)
	_ web.RouteProvider = (*Module)(nil)
)
