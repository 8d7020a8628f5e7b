// SPDX-License-Identifier: AGPL-3.0-or-later

// Package app assembles a Polder instance from its configuration, its space
// types and its modules: database and migrations, i18n bundle, module
// registry, core services and the HTTP server. cmd/polder and the
// end-to-end tests build it the same way.
package app

import (
	"context"
	"fmt"
	"io/fs"
	"os"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/audit"
	"github.com/polder-civic/polder/core/authz"
	"github.com/polder-civic/polder/core/blindtoken"
	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/mail"
	"github.com/polder-civic/polder/core/orgs"
	"github.com/polder-civic/polder/core/panel"
	"github.com/polder-civic/polder/core/pow"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/retention"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/verify"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/migrations"
	theme "github.com/polder-civic/polder/themes/default"
)

// Version is the software version, set at build time with -ldflags.
var Version = "0.1.0-dev"

// SpaceType is a kind of participatory space (spaces/process): it brings
// its tables, its resolver, its messages and its pages.
type SpaceType interface {
	// Name is the space type, e.g. "process".
	Name() string
	// Prefix is the URL prefix of its pages, e.g. "/processes".
	Prefix() string
	Migrations() store.MigrationSet
	Messages() fs.FS
	// Init builds the type's resolver and mounts its routes; it runs once
	// the server exists.
	Init(a *App) (registry.SpaceResolver, error)
}

// BackgroundUser is implemented by modules that run background jobs or
// read sortition panel marks: New hands them the instance's queue (whose
// workers serve starts, so handlers must be registered on it) and the
// panel registry before their routes are mounted.
type BackgroundUser interface {
	UseBackground(q *jobs.Queue, p *panel.Registry)
}

// App is an assembled instance.
type App struct {
	Config     config.Config
	DB         *store.DB
	Bundle     *i18n.Bundle
	Registry   *registry.Registry
	Components *registry.Components
	Orgs       *orgs.Service
	Accounts   *accounts.Service
	Mailer     mail.Sender // sends e-mails: SMTP when configured, else the log
	Authz      *authz.Enforcer
	Audit      *audit.Log
	// Panels marks sortition panel members for other modules to read.
	Panels *panel.Registry
	// Jobs is the background queue; serve starts its workers.
	Jobs *jobs.Queue
	// Retention erases data whose retention period is over (daily job).
	Retention *retention.Service
	// PoW issues and checks the proof-of-work challenges of forms.
	PoW *pow.Service
	// Anon issues and redeems the blind tokens of untraceable participation.
	Anon *blindtoken.Service
	// Verify holds verification methods and records (authz consults it).
	Verify     *verify.Service
	Server     *web.Server
	SpaceTypes []SpaceType
	spaces     map[string]registry.SpaceResolver
}

// Options choose what an instance runs.
type Options struct {
	SpaceTypes []SpaceType
	Modules    []registry.Module
	// DB, when set, is used instead of opening Config.Database().
	DB *store.DB
	// SkipMigrate leaves the schema as it is (migrate status).
	SkipMigrate bool
}

// MigrationSets lists core's, then each space type's, then each module's
// migrations, in the order they apply.
func MigrationSets(opts Options) []store.MigrationSet {
	sets := []store.MigrationSet{migrations.Core()}
	for _, st := range opts.SpaceTypes {
		sets = append(sets, st.Migrations())
	}
	for _, m := range opts.Modules {
		man := m.Manifest()
		if man.Migrations != nil {
			sets = append(sets, store.MigrationSet{Owner: man.ID, FS: man.Migrations})
		}
	}
	return sets
}

// New assembles an instance: opens and migrates the database, loads every
// message, registers modules and mounts every route.
func New(ctx context.Context, cfg config.Config, opts Options) (*App, error) {
	reg, err := registry.New(opts.Modules...)
	if err != nil {
		return nil, err
	}
	db := opts.DB
	if db == nil {
		db, err = store.Open(ctx, cfg.Database())
		if err != nil {
			return nil, err
		}
	}
	if err := db.SetPoolSize(cfg.DBPool); err != nil {
		return nil, err
	}
	// The caches built below read it; 0 in the configuration means off.
	db.CacheTTL = cfg.CacheTTL
	if cfg.CacheTTL <= 0 {
		db.CacheTTL = -1
	}
	if !opts.SkipMigrate {
		if err := db.MigrateUp(ctx, MigrationSets(opts)...); err != nil {
			return nil, err
		}
	}
	bundle := i18n.New()
	if err := bundle.AddFS("theme", theme.Messages()); err != nil {
		return nil, err
	}
	if err := bundle.AddFS("core/web", web.Messages()); err != nil {
		return nil, err
	}
	if err := bundle.AddFS("core/accounts", accounts.Messages()); err != nil {
		return nil, err
	}
	if err := bundle.AddFS("core/authz", authz.Messages()); err != nil {
		return nil, err
	}
	if err := bundle.AddFS("core/verify", verify.Messages()); err != nil {
		return nil, err
	}
	if err := bundle.AddFS("core/blindtoken", blindtoken.Messages()); err != nil {
		return nil, err
	}
	if err := bundle.AddFS("core/pow", pow.Messages()); err != nil {
		return nil, err
	}
	if err := bundle.AddFS("core/retention", retention.Messages()); err != nil {
		return nil, err
	}
	for _, st := range opts.SpaceTypes {
		if err := bundle.AddFS("spaces/"+st.Name(), st.Messages()); err != nil {
			return nil, err
		}
	}
	for _, m := range opts.Modules {
		man := m.Manifest()
		if man.Messages != nil {
			if err := bundle.AddFS("modules/"+man.ID, man.Messages); err != nil {
				return nil, err
			}
		}
	}
	a := &App{Config: cfg, DB: db, Bundle: bundle, Registry: reg, SpaceTypes: opts.SpaceTypes, spaces: map[string]registry.SpaceResolver{}}
	a.Components = registry.NewComponents(db, reg)
	a.Orgs = orgs.NewService(db)
	a.Accounts = accounts.NewService(db)
	a.Mailer = mail.New(cfg.SMTP)
	a.Accounts.Mailer, a.Accounts.BaseURL = a.Mailer, cfg.BaseURL
	a.Audit = audit.New(db)
	a.Panels = panel.New(db)
	a.Accounts.AddHolder("panel", a.Panels)
	a.Jobs = jobs.New(db)
	a.PoW = pow.New(db)
	a.Anon = blindtoken.New(db)
	a.Anon.PoW = a.PoW
	a.Retention = retention.New(db)
	a.Retention.UseModules(opts.Modules)
	if err := a.Retention.UseQueue(ctx, a.Jobs, !opts.SkipMigrate); err != nil {
		return nil, err
	}
	a.Authz, err = authz.New(db, reg)
	if err != nil {
		return nil, fmt.Errorf("building permissions: %w", err)
	}
	a.Verify = verify.New(db)
	if o := verify.OIDCFromEnv(os.Getenv); o != nil {
		a.Verify.Register(o)
	}
	a.Authz.SetVerifications(a.Verify)
	a.Accounts.AddHolder("verify", a.Verify)
	a.Server, err = web.New(web.Deps{DB: db, Bundle: bundle, Registry: reg, Components: a.Components, Orgs: a.Orgs,
		Accounts: a.Accounts, Authz: a.Authz, Audit: a.Audit, Theme: theme.FS(), Version: Version, SourceURL: cfg.SourceURL, SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.TrustedProxies})
	if err != nil {
		return nil, fmt.Errorf("building web server: %w", err)
	}
	verify.Mount(a.Server, a.Verify)
	a.Server.MountProcessing(retention.CoreProcessing())
	a.Server.MountBursts(a.PoW)
	a.Server.UseRetention(a.Retention)
	for _, m := range opts.Modules {
		if u, ok := m.(BackgroundUser); ok {
			u.UseBackground(a.Jobs, a.Panels)
		}
	}
	for _, st := range opts.SpaceTypes {
		res, err := st.Init(a)
		if err != nil {
			return nil, fmt.Errorf("space type %s: %w", st.Name(), err)
		}
		a.spaces[st.Name()] = res
		a.Server.AddSpaceType(res)
		web.SpacePrefixes[st.Name()] = st.Prefix()
		if err := a.Server.MountModules(st.Name(), st.Prefix()); err != nil {
			return nil, fmt.Errorf("mounting modules in %s: %w", st.Name(), err)
		}
		a.Anon.Routes(a.Server.SpaceRouter(st.Name(), st.Prefix()))
	}
	return a, nil
}

// Space returns the resolver of a space type.
func (a *App) Space(spaceType string) (registry.SpaceResolver, bool) {
	r, ok := a.spaces[spaceType]
	return r, ok
}

// SpaceComponent loads the space of a type with this slug and its first
// component of a module (nil when the space has none): what demo seeders
// and commands start from.
func (a *App) SpaceComponent(ctx context.Context, orgID int64, spaceType, slug, moduleID string) (*registry.Space, *registry.Component, error) {
	res, ok := a.Space(spaceType)
	if !ok {
		return nil, nil, fmt.Errorf("no %s space type", spaceType)
	}
	sp, err := res.BySlug(ctx, orgID, slug)
	if err != nil {
		return nil, nil, fmt.Errorf("space %s: %w", slug, err)
	}
	comps, err := a.Components.InSpace(ctx, sp.Type, sp.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("components of %s: %w", slug, err)
	}
	for i := range comps {
		if comps[i].ModuleID == moduleID {
			return sp, &comps[i], nil
		}
	}
	return sp, nil, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
