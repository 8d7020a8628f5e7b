// SPDX-License-Identifier: AGPL-3.0-or-later

// Package authz answers "may this account do this here?" for every module
// with one policy model. (Placeholder: organisation admins may do
// everything, and module actions follow their declared default grants;
// the casbin enforcer with stored, per-space policies replaces it.)
package authz

import (
	"context"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
)

// Enforcer implements web.Authorizer.
type Enforcer struct {
	db       *store.DB
	reg      *registry.Registry
	defaults map[string][]registry.Role
}

// New returns the enforcer.
func New(db *store.DB, reg *registry.Registry) (*Enforcer, error) {
	e := &Enforcer{db: db, reg: reg, defaults: map[string][]registry.Role{}}
	for _, m := range reg.Modules() {
		man := m.Manifest()
		for _, a := range man.Actions {
			e.defaults[registry.Permission(man.ID, a.Name)] = a.DefaultRoles
		}
	}
	return e, nil
}

// Can reports whether acc holds permission in domain.
func (e *Enforcer) Can(ctx context.Context, acc *accounts.Account, orgID int64, domain, permission string) (bool, error) {
	for _, r := range e.RolesIn(ctx, acc, orgID, domain) {
		if r == registry.RoleOrgAdmin {
			return true, nil
		}
		for _, d := range e.defaults[permission] {
			if d == r {
				return true, nil
			}
		}
	}
	return false, nil
}

// RolesIn lists acc's roles in a domain.
func (e *Enforcer) RolesIn(ctx context.Context, acc *accounts.Account, orgID int64, domain string) []registry.Role {
	if acc == nil {
		return []registry.Role{registry.RoleVisitor}
	}
	roles := []registry.Role{registry.RoleParticipant, registry.RoleVisitor}
	if acc.OrgAdmin && acc.OrganisationID == orgID {
		roles = append([]registry.Role{registry.RoleOrgAdmin}, roles...)
	}
	return roles
}
