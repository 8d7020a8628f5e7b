// SPDX-License-Identifier: AGPL-3.0-or-later

// Package registry is the module contract: what a module tells core about
// itself (its manifest), the registry of the modules a binary runs, and the
// typed settings schema that components of a module are configured with.
//
// A module is a Go package with a value implementing Module. Optional
// capabilities (routes, exports, personal data, synthesis sources…) are
// discovered by interface, as in caddy: core/web looks for
// web.RouteProvider, accounts for registry.PersonalDataProvider, and so on.
// Registration is explicit: cmd/polder lists the modules it runs.
package registry

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
)

// Role is a role in a space or an organisation.
type Role string

// The roles of Polder, from most to least powerful.
const (
	RoleOrgAdmin    Role = "org_admin"
	RoleSpaceAdmin  Role = "space_admin"
	RoleModerator   Role = "moderator"
	RoleEvaluator   Role = "evaluator"
	RoleParticipant Role = "participant"
	RoleVisitor     Role = "visitor"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleOrgAdmin, RoleSpaceAdmin, RoleModerator, RoleEvaluator, RoleParticipant, RoleVisitor}

// Action is something a module guards with a permission, with the roles
// granted it by default. Admin roles always hold every action.
type Action struct {
	// Name is unique within the module, e.g. "create", "support", "vote".
	Name string
	// DefaultRoles are granted the action in every space unless an admin
	// changes it.
	DefaultRoles []Role
	// Label is the i18n message ID naming the action for admins.
	Label string
}

// Manifest describes a module to core.
type Manifest struct {
	// ID is the module's stable identifier: lower-case letters, digits and
	// underscores. It names its routes, tables, messages and templates.
	ID string
	// Version of the module, shown in results for transparency.
	Version string
	// Name is the i18n message ID of the module's human name.
	Name string
	// Settings are the component-wide settings.
	Settings Schema
	// SessionSettings are settings that can differ from one session of a
	// process to the next ("proposals open", "votes open").
	SessionSettings Schema
	// Actions the module guards.
	Actions []Action
	// Migrations is an FS whose root holds the module's goose SQL files.
	Migrations fs.FS
	// Templates is an FS whose root holds the module's html/template files.
	// They are parsed with core's layout and funcs; define templates named
	// "<module id>/<name>".
	Templates fs.FS
	// Messages is an FS whose root holds go-i18n files (en.toml, fr.toml,
	// nl.toml): every user-visible string of the module.
	Messages fs.FS
}

// Module is the contract a module implements.
type Module interface {
	Manifest() Manifest
}

// Registry holds the modules a binary runs, in registration order.
type Registry struct {
	modules []Module
	byID    map[string]Module
	manif   map[string]Manifest
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,40}$`)

// New builds a registry, refusing empty, malformed or duplicate ids and
// invalid settings schemas, so a broken module fails at start-up.
func New(modules ...Module) (*Registry, error) {
	r := &Registry{byID: map[string]Module{}, manif: map[string]Manifest{}}
	for _, m := range modules {
		if err := r.add(m); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// MustNew is New for main and tests: it panics on error.
func MustNew(modules ...Module) *Registry {
	r, err := New(modules...)
	if err != nil {
		panic(err)
	}
	return r
}

func (r *Registry) add(m Module) error {
	if m == nil {
		return fmt.Errorf("registering a nil module")
	}
	man := m.Manifest()
	if !idPattern.MatchString(man.ID) {
		return fmt.Errorf("module id %q: want 2-41 lower-case letters, digits or _ starting with a letter", man.ID)
	}
	if _, dup := r.byID[man.ID]; dup {
		return fmt.Errorf("module %q registered twice", man.ID)
	}
	if man.Version == "" {
		return fmt.Errorf("module %q: empty version", man.ID)
	}
	if err := man.Settings.check(); err != nil {
		return fmt.Errorf("module %q settings: %w", man.ID, err)
	}
	if err := man.SessionSettings.check(); err != nil {
		return fmt.Errorf("module %q session settings: %w", man.ID, err)
	}
	seen := map[string]bool{}
	for _, a := range man.Actions {
		if a.Name == "" || seen[a.Name] {
			return fmt.Errorf("module %q: empty or duplicate action %q", man.ID, a.Name)
		}
		seen[a.Name] = true
	}
	r.modules = append(r.modules, m)
	r.byID[man.ID] = m
	r.manif[man.ID] = man
	return nil
}

// Modules returns the registered modules in registration order.
func (r *Registry) Modules() []Module { return append([]Module(nil), r.modules...) }

// Module returns the module with the given id.
func (r *Registry) Module(id string) (Module, bool) {
	m, ok := r.byID[id]
	return m, ok
}

// Manifest returns the manifest of the module with the given id.
func (r *Registry) Manifest(id string) (Manifest, bool) {
	m, ok := r.manif[id]
	return m, ok
}

// IDs returns the registered module ids, sorted.
func (r *Registry) IDs() []string {
	ids := make([]string, 0, len(r.byID))
	for id := range r.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Permission is the name casbin uses for a module action: "<module>.<action>".
func Permission(moduleID, action string) string { return moduleID + "." + action }
