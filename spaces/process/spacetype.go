// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Type is the process space type, listed in cmd/polder's spaceTypes().
type Type struct {
	// Now is the clock used to mark the current session; nil means
	// time.Now (tests set it).
	Now func() time.Time
}

// New returns the process space type.
func New() *Type { return &Type{} }

// Name is "process".
func (t *Type) Name() string { return SpaceType }

// Prefix is the URL prefix of process pages.
func (t *Type) Prefix() string { return "/processes" }

// Migrations returns the migrations this space type adds to core's
// process tables.
func (t *Type) Migrations() store.MigrationSet {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded folder exists at compile time
	}
	return store.MigrationSet{Owner: "process", FS: sub}
}

// Messages returns the package's i18n messages.
func (t *Type) Messages() fs.FS {
	sub, err := fs.Sub(messageFiles, "messages")
	if err != nil {
		panic(err)
	}
	return sub
}

// Init builds the resolver and mounts the public, admin and API routes.
func (t *Type) Init(a *app.App) (registry.SpaceResolver, error) {
	now := t.Now
	if now == nil {
		now = time.Now
	}
	res, err := NewResolver(a.DB)
	if err != nil {
		return nil, err
	}
	h := &handlers{app: a, srv: a.Server, svc: res.Service, comps: a.Components, now: now, prefix: t.Prefix()}
	h.routes()
	return res, nil
}

// Resolver loads processes as spaces for core (space and component
// routes) and lists the published ones for the home page. Every space
// request resolves its space: the spaces are cached for the database's
// CacheTTL, and any write to the process tables through this process drops
// the cache. Admin pages use the Service, which always reads the database.
type Resolver struct {
	Service *Service
	bySlug  *store.Cache[slugKey, *registry.Space]
	byID    *store.Cache[int64, *registry.Space]
}

type slugKey struct {
	org  int64
	slug string
}

// cachedTables are the rows a space is built from.
var cachedTables = []string{"processes", "process_themes", "process_sessions"}

// NewResolver returns the resolver with its caches. Call it while
// assembling the instance, before it serves (it registers write hooks).
func NewResolver(db *store.DB) (*Resolver, error) {
	r := &Resolver{Service: NewService(db)}
	var err error
	if r.bySlug, err = store.NewCache[slugKey, *registry.Space](db, cachedTables...); err != nil {
		return nil, fmt.Errorf("process cache: %w", err)
	}
	if r.byID, err = store.NewCache[int64, *registry.Space](db, cachedTables...); err != nil {
		return nil, fmt.Errorf("process cache: %w", err)
	}
	return r, nil
}

// copySpace returns a copy of a cached space that the caller may change.
func copySpace(sp *registry.Space) *registry.Space {
	cp := *sp
	cp.Themes = append([]registry.Theme(nil), sp.Themes...)
	cp.Sessions = append([]registry.Session(nil), sp.Sessions...)
	return &cp
}

// SpaceType is "process".
func (r *Resolver) SpaceType() string { return SpaceType }

// BySlug loads a process of an organisation as a space.
func (r *Resolver) BySlug(ctx context.Context, orgID int64, slug string) (*registry.Space, error) {
	sp, err := r.bySlug.Get(slugKey{orgID, slug}, func() (*registry.Space, error) {
		p, err := r.Service.BySlug(ctx, orgID, slug)
		if err != nil {
			return nil, err
		}
		return p.Space(), nil
	})
	if err != nil {
		return nil, err
	}
	return copySpace(sp), nil
}

// ByID loads a process as a space.
func (r *Resolver) ByID(ctx context.Context, id int64) (*registry.Space, error) {
	sp, err := r.byID.Get(id, func() (*registry.Space, error) {
		p, err := r.Service.ByID(ctx, id)
		if err != nil {
			return nil, err
		}
		return p.Space(), nil
	})
	if err != nil {
		return nil, err
	}
	return copySpace(sp), nil
}

// Published lists an organisation's published processes, with their
// themes and sessions.
func (r *Resolver) Published(ctx context.Context, orgID int64) ([]registry.Space, error) {
	list, err := r.Service.List(ctx, orgID, registry.StatusPublished)
	if err != nil {
		return nil, err
	}
	out := make([]registry.Space, 0, len(list))
	for _, p := range list {
		sp, err := r.ByID(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, *sp)
	}
	return out, nil
}

// Interface guards.
var (
	_ app.SpaceType          = (*Type)(nil)
	_ registry.SpaceResolver = (*Resolver)(nil)
	_ web.SpaceLister        = (*Resolver)(nil)
)
