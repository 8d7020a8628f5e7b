// SPDX-License-Identifier: AGPL-3.0-or-later

// Package sortition is the sortition component: organisers upload a pool
// of volunteers and a quota table, publish a seed commitment, then draw a
// panel with LEXIMIN selection probabilities and a verifiable lottery; the
// published record lets anyone replay the draw, and the pool (personal data
// of people not chosen) is erased on a retention schedule.
package sortition

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/panel"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// ID is the module's identifier.
const ID = "sortition"

// Version is the module's version.
const Version = "1.0.0"

// JobErase is the delayed job that erases a draw's pool after the
// retention period.
const JobErase = "sortition.erase"

// JobDraw is the background draw of a large pool.
const JobDraw = "sortition.draw"

// ActionAdmin names the organisers' action: the pool pages (personal data),
// the commitment, the draw and replacements all require the
// "sortition.admin" permission, held by space and organisation admins and
// grantable per space to the moderator or evaluator role.
const ActionAdmin = "admin"

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

// Module is the sortition module.
type Module struct {
	svc    *Service
	jobs   *jobs.Queue
	panels *panel.Registry
}

// New returns the module, for cmd/polder's modules() list.
func New() *Module { return &Module{} }

// Manifest describes the module to core.
func (*Module) Manifest() registry.Manifest {
	return registry.Manifest{
		ID:       ID,
		Version:  Version,
		Name:     "sortition.module.name",
		Settings: settingsSchema,
		Actions: []registry.Action{
			{Name: ActionAdmin, DefaultRoles: []registry.Role{registry.RoleSpaceAdmin}, Label: "sortition.action.admin"},
		},
		Migrations: sub(migrationFiles, "migrations"),
		Templates:  sub(templateFiles, "templates"),
		Messages:   sub(messageFiles, "messages"),
	}
}

// UseBackground receives the job queue (pool erasure) and the panel
// registry (marks of drawn members).
func (m *Module) UseBackground(q *jobs.Queue, p *panel.Registry) {
	m.jobs, m.panels = q, p
	q.Handle(JobErase, func(ctx context.Context, j *jobs.Job, _ func(int, string)) error {
		if m.svc == nil {
			return nil
		}
		id, err := strconv.ParseInt(j.Payload, 10, 64)
		if err != nil {
			return nil // malformed payload: nothing to retry
		}
		return m.svc.ErasePool(ctx, id)
	})
	q.Handle(JobDraw, func(ctx context.Context, j *jobs.Job, progress func(int, string)) error {
		if m.svc == nil {
			return fmt.Errorf("sortition: routes not mounted yet")
		}
		return m.svc.runDraw(ctx, j, progress)
	})
}

// Service returns the module's service once routes are mounted.
func (m *Module) Service() *Service { return m.svc }

// Interface guards.
var (
	_ registry.Module   = (*Module)(nil)
	_ web.RouteProvider = (*Module)(nil)
)
