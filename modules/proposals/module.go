// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"bytes"
	"embed"
	"io/fs"
	"testing/fstest"

	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// ID is the module's identifier.
const ID = "proposals"

// Version is the module's version, shown beside fingerprints and exports.
const Version = "1.0.0"

// Actions guarded by the module, as "proposals.<action>" permissions.
const (
	ActionCreate   = "create"
	ActionSupport  = "support"
	ActionComment  = "comment"
	ActionReport   = "report"
	ActionAnswer   = "answer"
	ActionModerate = "moderate"
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

// messages joins the module's messages with those of the core comment
// and moderation services it uses, so their strings are in the bundle
// whether or not core registers them itself (same ids, same texts).
func messages() fs.FS {
	out := fstest.MapFS{}
	for _, src := range []fs.FS{sub(messageFiles, "messages"), comments.Messages(), moderation.Messages()} {
		entries, err := fs.ReadDir(src, ".")
		if err != nil {
			panic(err)
		}
		for _, e := range entries {
			b, err := fs.ReadFile(src, e.Name())
			if err != nil {
				panic(err)
			}
			f := out[e.Name()]
			if f == nil {
				f = &fstest.MapFile{}
				out[e.Name()] = f
			}
			f.Data = append(f.Data, append(bytes.TrimRight(b, "\n"), '\n')...)
		}
	}
	return out
}

// Module is the proposals module. Create it with New; core hands it the
// database when it mounts its routes, after which its optional
// capabilities (contributions for the synthesis, personal data, erasure)
// work.
type Module struct {
	svc *Service
	srv *web.Server
}

// New returns the module, for cmd/polder's modules() list.
func New() *Module { return &Module{} }

// Manifest describes the module to core.
func (*Module) Manifest() registry.Manifest {
	return registry.Manifest{
		ID:              ID,
		Version:         Version,
		Name:            "proposals.module.name",
		Settings:        settingsSchema,
		SessionSettings: sessionSchema,
		Actions: []registry.Action{
			{Name: ActionCreate, DefaultRoles: []registry.Role{registry.RoleParticipant}, Label: "proposals.action.create"},
			{Name: ActionSupport, DefaultRoles: []registry.Role{registry.RoleParticipant}, Label: "proposals.action.support"},
			{Name: ActionComment, DefaultRoles: []registry.Role{registry.RoleParticipant}, Label: "proposals.action.comment"},
			{Name: ActionReport, DefaultRoles: []registry.Role{registry.RoleParticipant}, Label: "proposals.action.report"},
			{Name: ActionAnswer, DefaultRoles: []registry.Role{registry.RoleEvaluator, registry.RoleSpaceAdmin}, Label: "proposals.action.answer"},
			{Name: ActionModerate, DefaultRoles: []registry.Role{registry.RoleModerator, registry.RoleSpaceAdmin}, Label: "proposals.action.moderate"},
		},
		Migrations: sub(migrationFiles, "migrations"),
		Templates:  sub(templateFiles, "templates"),
		Messages:   messages(),
	}
}

// Interface guards: a broken contract fails at compile time.
var (
	_ registry.Module               = (*Module)(nil)
	_ web.RouteProvider             = (*Module)(nil)
	_ registry.ContributionSource   = (*Module)(nil)
	_ registry.PersonalDataProvider = (*Module)(nil)
	_ registry.Eraser               = (*Module)(nil)
)
