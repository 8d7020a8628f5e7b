// SPDX-License-Identifier: AGPL-3.0-or-later

// Package authz answers "may this account do this here?" for core and every
// module with one casbin policy model (RBAC with domains).
//
// A domain is a space ("process:12") or an organisation ("org:3"; web
// code says "org" and the enforcer adds the organisation's id). Roles come
// from two places:
//
//   - implicit roles, computed from the account: everyone is a visitor,
//     a logged-in account whose e-mail is confirmed is a participant, and
//     accounts.Account.OrgAdmin makes an organisation admin;
//   - grants stored as casbin grouping rules ("g", "account:7",
//     "moderator", "process:12"), made by admins with Grant and Revoke. A
//     grant in an organisation's domain holds in each of its spaces.
//
// Permissions are "space.admin", "space.moderate", "space.evaluate",
// "org.admin" and each module action "<module>.<action>". The defaults
// (core's table and every action's DefaultRoles) live in code and are
// added in memory at each load, so a new module version needs no data
// migration; what is stored are the differences an admin made in one space
// (an allow or a deny rule for one role) and the verification an action
// requires there ("p2" rules). Organisation admins hold every permission;
// space admins hold every permission of their spaces except "org.admin",
// and no verification requirement applies to admins.
//
// Decisions are taken in memory: the stored rules are loaded once and
// again after each change (and, with several instances, every
// ReloadEvery), so checking a permission never queries the database.
package authz

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
)

// Core permissions.
const (
	// PermSpaceAdmin administers a space: its settings, components, roles.
	PermSpaceAdmin = "space.admin"
	// PermSpaceModerate handles reports and hides content in a space.
	PermSpaceModerate = "space.moderate"
	// PermSpaceEvaluate answers proposals officially, evaluates projects.
	PermSpaceEvaluate = "space.evaluate"
	// PermOrgAdmin administers the organisation.
	PermOrgAdmin = "org.admin"
)

// OrgDomain is the domain name web code uses for organisation-wide
// permissions; the enforcer stores it as "org:<id>".
const OrgDomain = "org"

// modelText is the casbin model. A request asks for one role at a time
// (implicit roles are not stored), so the matcher compares the role
// directly; "g" holds account → role grants per domain. A rule in "*"
// holds in every domain; a space's deny rule removes a default there.
const modelText = `
[request_definition]
r = sub, dom, obj

[policy_definition]
p = sub, dom, obj, eft
p2 = dom, obj, kind

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.sub == p.sub && (p.dom == "*" || p.dom == r.dom) && r.obj == p.obj
`

// corePolicy lists which roles hold core's permissions in every space.
var corePolicy = map[string][]registry.Role{
	PermSpaceAdmin:    {registry.RoleSpaceAdmin},
	PermSpaceModerate: {registry.RoleSpaceAdmin, registry.RoleModerator},
	PermSpaceEvaluate: {registry.RoleSpaceAdmin, registry.RoleEvaluator},
	// Obtaining the blindly signed token of untraceable participation
	// (core/blindtoken); admins may require a verification for it.
	PermAnonToken: {registry.RoleSpaceAdmin, registry.RoleParticipant},
}

// PermAnonToken is the permission to obtain the blindly signed token of
// untraceable participation (core/blindtoken uses the same name).
const PermAnonToken = "space.anon_token"

// coreConfigurable are core's permissions whose roles and required
// verification an admin sets per space, like a module's actions.
var coreConfigurable = []string{PermAnonToken}

// CoreLabel returns the message id labelling a core configurable
// permission on the permissions page.
func CoreLabel(permission string) (string, bool) {
	if slices.Contains(coreConfigurable, permission) {
		return "authz.permission." + permission, true
	}
	return "", false
}

// Verifications tells whether an account holds a verification of a kind
// ("census", "oidc"…). Verification records come with their own package;
// a nil Verifications means nobody holds any.
type Verifications interface {
	Has(ctx context.Context, accountID int64, kind string) bool
}

// Grant is one role granted to an account in a domain.
type Grant struct {
	AccountID int64
	Role      registry.Role
	Domain    string
}

// Enforcer implements web.Authorizer with casbin.
type Enforcer struct {
	db      *store.DB
	adapter *gormadapter.Adapter
	// actions maps each module permission to its default roles.
	actions map[string][]registry.Role
	// order lists module permissions in registration order, for pages.
	order []string

	mu     sync.RWMutex
	e      *snapshot
	verify Verifications
}

// snapshot is the rules as loaded once, with the decisions taken on them
// so far: casbin evaluates its matcher on every rule of a request, and a
// page asks the same few questions again and again. Reload replaces the
// snapshot, memo and all.
type snapshot struct {
	*casbin.Enforcer
	memo sync.Map // role + dom + permission → bool
}

// allows is casbin's Enforce, remembered.
func (s *snapshot) allows(role, dom, permission string) (bool, error) {
	key := role + "\x00" + dom + "\x00" + permission
	if v, ok := s.memo.Load(key); ok {
		return v.(bool), nil
	}
	ok, err := s.Enforce(role, dom, permission)
	if err != nil {
		return false, err
	}
	s.memo.Store(key, ok)
	return ok, nil
}

// New builds the enforcer on the casbin_rule table of core's schema (the
// adapter must not migrate it) and loads the stored rules.
func New(db *store.DB, reg *registry.Registry) (*Enforcer, error) {
	// TurnOffAutoMigrate rewrites the *gorm.DB it is given: hand it a
	// session of our own so the shared handle keeps its context.
	g := db.DB.Session(&gorm.Session{NewDB: true})
	gormadapter.TurnOffAutoMigrate(g)
	// Never call ad.Close: it closes the database handle everyone shares.
	ad, err := gormadapter.NewAdapterByDB(g)
	if err != nil {
		return nil, fmt.Errorf("casbin adapter: %w", err)
	}
	en := &Enforcer{db: db, adapter: ad, actions: map[string][]registry.Role{}}
	// Core's configurable permissions come first, so that an admin can
	// require a verification for them as for any module action.
	for _, p := range coreConfigurable {
		en.actions[p] = corePolicy[p]
		en.order = append(en.order, p)
	}
	for _, m := range reg.Modules() {
		man := m.Manifest()
		for _, a := range man.Actions {
			p := registry.Permission(man.ID, a.Name)
			en.actions[p] = a.DefaultRoles
			en.order = append(en.order, p)
		}
	}
	if err := en.Reload(context.Background()); err != nil {
		return nil, err
	}
	return en, nil
}

// SetVerifications installs the source of verification records.
func (en *Enforcer) SetVerifications(v Verifications) {
	en.mu.Lock()
	en.verify = v
	en.mu.Unlock()
}

// Reload reads the stored rules into a fresh casbin enforcer, adds the
// defaults in memory and swaps it in; decisions in flight finish on the
// previous one.
func (en *Enforcer) Reload(ctx context.Context) error {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return fmt.Errorf("casbin model: %w", err)
	}
	ce, err := casbin.NewEnforcer(m, en.adapter)
	if err != nil {
		return fmt.Errorf("loading permissions: %w", err)
	}
	// Defaults are code, not data: never write them back.
	ce.EnableAutoSave(false)
	var defaults [][]string
	for perm, roles := range corePolicy {
		for _, r := range roles {
			defaults = append(defaults, []string{string(r), "*", perm, "allow"})
		}
	}
	for perm, roles := range en.actions {
		defaults = append(defaults, []string{string(registry.RoleSpaceAdmin), "*", perm, "allow"})
		for _, r := range roles {
			if r != registry.RoleSpaceAdmin && r != registry.RoleOrgAdmin {
				defaults = append(defaults, []string{string(r), "*", perm, "allow"})
			}
		}
	}
	if len(defaults) > 0 {
		if _, err := ce.AddNamedPoliciesEx("p", defaults); err != nil {
			return fmt.Errorf("adding default permissions: %w", err)
		}
	}
	en.mu.Lock()
	en.e = &snapshot{Enforcer: ce}
	en.mu.Unlock()
	return nil
}

// ReloadEvery reloads the rules at an interval until ctx ends, so that
// changes made on another instance reach this one.
func (en *Enforcer) ReloadEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := en.Reload(ctx); err != nil {
				slog.Error("reloading permissions", "err", err)
			}
		}
	}
}

func subject(accountID int64) string { return "account:" + strconv.FormatInt(accountID, 10) }

func orgDomain(orgID int64) string { return "org:" + strconv.FormatInt(orgID, 10) }

// OrgDomainOf names an organisation's own domain, where organisation-wide
// grants are stored ("org:3").
func OrgDomainOf(orgID int64) string { return orgDomain(orgID) }

// domainOf maps web's "org" to the organisation's own domain.
func domainOf(orgID int64, domain string) string {
	if domain == OrgDomain || domain == "" {
		return orgDomain(orgID)
	}
	return domain
}

func isOrgDomain(d string) bool { return strings.HasPrefix(d, "org:") }

// RolesIn lists acc's roles in a domain, most powerful first.
func (en *Enforcer) RolesIn(ctx context.Context, acc *accounts.Account, orgID int64, domain string) []registry.Role {
	en.mu.RLock()
	ce := en.e
	en.mu.RUnlock()
	return rolesIn(ce.Enforcer, acc, orgID, domainOf(orgID, domain))
}

func rolesIn(ce *casbin.Enforcer, acc *accounts.Account, orgID int64, dom string) []registry.Role {
	held := map[registry.Role]bool{registry.RoleVisitor: true}
	if acc != nil && acc.OrganisationID == orgID && acc.AnonymisedAt == nil {
		if acc.Confirmed() {
			held[registry.RoleParticipant] = true
		}
		if acc.OrgAdmin {
			held[registry.RoleOrgAdmin] = true
		}
		sub := subject(acc.ID)
		for _, r := range ce.GetRolesForUserInDomain(sub, orgDomain(orgID)) {
			held[registry.Role(r)] = true
		}
		if dom != orgDomain(orgID) {
			for _, r := range ce.GetRolesForUserInDomain(sub, dom) {
				held[registry.Role(r)] = true
			}
		}
	}
	var out []registry.Role
	for _, r := range registry.Roles {
		if held[r] {
			out = append(out, r)
		}
	}
	return out
}

// Can reports whether acc holds permission in domain: one of its roles is
// granted it there, and, for other than admins, acc holds the verification
// the permission requires there.
func (en *Enforcer) Can(ctx context.Context, acc *accounts.Account, orgID int64, domain, permission string) (bool, error) {
	ok, _, err := en.decide(ctx, acc, orgID, domain, permission)
	return ok, err
}

// MissingVerification returns the verification kind that alone stands
// between acc and permission (so that a page can say what to do), or ""
// when acc may act or lacks a role anyway.
func (en *Enforcer) MissingVerification(ctx context.Context, acc *accounts.Account, orgID int64, domain, permission string) string {
	_, missing, err := en.decide(ctx, acc, orgID, domain, permission)
	if err != nil {
		return ""
	}
	return missing
}

// decide is Can, also naming the verification that is missing when the
// roles would allow.
func (en *Enforcer) decide(ctx context.Context, acc *accounts.Account, orgID int64, domain, permission string) (bool, string, error) {
	en.mu.RLock()
	ce, verify := en.e, en.verify
	en.mu.RUnlock()
	dom := domainOf(orgID, domain)
	roles := rolesIn(ce.Enforcer, acc, orgID, dom)
	if slices.Contains(roles, registry.RoleOrgAdmin) {
		return true, "", nil
	}
	if permission == PermOrgAdmin {
		return false, "", nil
	}
	allowed := false
	for _, r := range roles {
		ok, err := ce.allows(string(r), dom, permission)
		if err != nil {
			return false, "", fmt.Errorf("checking %s in %s: %w", permission, dom, err)
		}
		if ok {
			if r == registry.RoleSpaceAdmin {
				return true, "", nil
			}
			allowed = true
		}
	}
	if !allowed {
		return false, "", nil
	}
	if kind := requiredVerification(ce.Enforcer, dom, permission); kind != "" {
		if verify == nil || acc == nil || !verify.Has(ctx, acc.ID, kind) {
			return false, kind, nil
		}
	}
	return true, "", nil
}

// RequiredVerification returns the verification kind permission requires
// in domain (a space's own requirement, else one set for every space), or
// "" when none is required.
func (en *Enforcer) RequiredVerification(domain, permission string) string {
	en.mu.RLock()
	ce := en.e
	en.mu.RUnlock()
	return requiredVerification(ce.Enforcer, domain, permission)
}

func requiredVerification(ce *casbin.Enforcer, dom, permission string) string {
	for _, d := range []string{dom, "*"} {
		rules, err := ce.GetFilteredNamedPolicy("p2", 0, d, permission)
		if err == nil && len(rules) > 0 {
			return rules[0][2]
		}
	}
	return ""
}

// RequireVerification stores the verification kind a permission requires
// in a domain; an empty kind removes the requirement.
func (en *Enforcer) RequireVerification(ctx context.Context, domain, permission, kind string) error {
	if _, ok := en.actions[permission]; !ok {
		return perr.Invalid("authz.error.unknown_permission", map[string]any{"Permission": permission})
	}
	if err := en.adapter.RemoveFilteredPolicyCtx(ctx, "p", "p2", 0, domain, permission); err != nil {
		return fmt.Errorf("clearing verification requirement: %w", err)
	}
	if kind = strings.TrimSpace(kind); kind != "" {
		if !validKind(kind) {
			return perr.Invalid("authz.error.verification_kind", nil)
		}
		if err := en.adapter.AddPolicyCtx(ctx, "p", "p2", []string{domain, permission, kind}); err != nil {
			return fmt.Errorf("storing verification requirement: %w", err)
		}
	}
	return en.Reload(ctx)
}

func validKind(k string) bool {
	if len(k) > 40 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// GrantableRoles are the roles an admin can grant: the others are
// implicit (participant, visitor).
var GrantableRoles = []registry.Role{registry.RoleOrgAdmin, registry.RoleSpaceAdmin, registry.RoleModerator, registry.RoleEvaluator}

// Grant gives an account a role in a domain ("process:12", or "org" /
// "org:<id>" for the whole organisation). Organisation admin can be
// granted only organisation-wide. Granting twice is harmless.
func (en *Enforcer) Grant(ctx context.Context, accountID int64, role registry.Role, domain string) error {
	if err := checkGrant(role, domain); err != nil {
		return err
	}
	rule := []string{subject(accountID), string(role), domain}
	if en.hasGrouping(rule) {
		return nil
	}
	if err := en.adapter.AddPolicyCtx(ctx, "g", "g", rule); err != nil {
		if store.IsUniqueViolation(err) {
			return en.Reload(ctx)
		}
		return fmt.Errorf("granting %s: %w", role, err)
	}
	return en.Reload(ctx)
}

// Revoke removes a grant; revoking what is not granted is harmless.
func (en *Enforcer) Revoke(ctx context.Context, accountID int64, role registry.Role, domain string) error {
	if err := en.adapter.RemovePolicyCtx(ctx, "g", "g", []string{subject(accountID), string(role), domain}); err != nil {
		return fmt.Errorf("revoking %s: %w", role, err)
	}
	return en.Reload(ctx)
}

func checkGrant(role registry.Role, domain string) error {
	if !slices.Contains(GrantableRoles, role) {
		return perr.Invalid("authz.error.role", map[string]any{"Role": string(role)})
	}
	if domain == "" || domain == "*" || len(domain) > 100 || !strings.Contains(domain, ":") {
		return perr.Invalid("authz.error.domain", nil)
	}
	if role == registry.RoleOrgAdmin && !isOrgDomain(domain) {
		return perr.Invalid("authz.error.org_admin_scope", nil)
	}
	return nil
}

func (en *Enforcer) hasGrouping(rule []string) bool {
	en.mu.RLock()
	ce := en.e
	en.mu.RUnlock()
	ok, _ := ce.HasNamedGroupingPolicy("g", rule)
	return ok
}

// Grants lists the stored grants, of every domain when domain is "", else
// of that domain. It does not filter by organisation: callers keep the
// grants whose accounts belong to theirs.
func (en *Enforcer) Grants(domain string) []Grant {
	en.mu.RLock()
	ce := en.e
	en.mu.RUnlock()
	var rules [][]string
	if domain == "" {
		rules, _ = ce.GetNamedGroupingPolicy("g")
	} else {
		rules, _ = ce.GetFilteredNamedGroupingPolicy("g", 2, domain)
	}
	out := make([]Grant, 0, len(rules))
	for _, r := range rules {
		id, err := strconv.ParseInt(strings.TrimPrefix(r[0], "account:"), 10, 64)
		if err != nil || len(r) < 3 {
			continue
		}
		out = append(out, Grant{AccountID: id, Role: registry.Role(r[1]), Domain: r[2]})
	}
	slices.SortFunc(out, func(a, b Grant) int {
		if c := strings.Compare(a.Domain, b.Domain); c != 0 {
			return c
		}
		if c := slices.Index(registry.Roles, a.Role) - slices.Index(registry.Roles, b.Role); c != 0 {
			return c
		}
		return int(a.AccountID - b.AccountID)
	})
	return out
}

// Actions lists the module permissions in registration order.
func (en *Enforcer) Actions() []string { return append([]string(nil), en.order...) }

// DefaultRoles returns a module permission's default roles.
func (en *Enforcer) DefaultRoles(permission string) []registry.Role {
	return append([]registry.Role(nil), en.actions[permission]...)
}

// ConfigurableRoles are the roles whose grant of a module action an admin
// can change per space (admins always hold every action).
var ConfigurableRoles = []registry.Role{registry.RoleModerator, registry.RoleEvaluator, registry.RoleParticipant, registry.RoleVisitor}

// ActionRoles returns the configurable roles granted a module permission
// in a space: the defaults with the space's changes applied.
func (en *Enforcer) ActionRoles(domain, permission string) []registry.Role {
	en.mu.RLock()
	ce := en.e
	en.mu.RUnlock()
	var out []registry.Role
	for _, r := range ConfigurableRoles {
		if ok, _ := ce.allows(string(r), domain, permission); ok {
			out = append(out, r)
		}
	}
	return out
}

// SetActionRoles makes exactly roles (among ConfigurableRoles) hold a
// module permission in a space: it stores an allow rule for each role the
// defaults lack and a deny rule for each default role left out.
func (en *Enforcer) SetActionRoles(ctx context.Context, domain, permission string, roles []registry.Role) error {
	defaults, ok := en.actions[permission]
	if !ok {
		return perr.Invalid("authz.error.unknown_permission", map[string]any{"Permission": permission})
	}
	if domain == "" || domain == "*" || isOrgDomain(domain) || !strings.Contains(domain, ":") {
		return perr.Invalid("authz.error.domain", nil)
	}
	for _, r := range roles {
		if !slices.Contains(ConfigurableRoles, r) {
			return perr.Invalid("authz.error.role", map[string]any{"Role": string(r)})
		}
	}
	var rules [][]string
	for _, r := range ConfigurableRoles {
		want, def := slices.Contains(roles, r), slices.Contains(defaults, r)
		switch {
		case want && !def:
			rules = append(rules, []string{string(r), domain, permission, "allow"})
		case !want && def:
			rules = append(rules, []string{string(r), domain, permission, "deny"})
		}
	}
	// One transaction: the space's rules for this permission are replaced
	// as a whole or not at all.
	err := en.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = ? AND v2 = ?", domain, permission).Error; err != nil {
			return err
		}
		for _, r := range rules {
			row := gormadapter.CasbinRule{Ptype: "p", V0: r[0], V1: r[1], V2: r[2], V3: r[3]}
			if err := tx.Table("casbin_rule").Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storing permissions of %s in %s: %w", permission, domain, err)
	}
	return en.Reload(ctx)
}
