// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/authz"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
)

// roleManager is what the role and permission pages need of the
// authorizer; core/authz's Enforcer provides it.
type roleManager interface {
	Grants(domain string) []authz.Grant
	Grant(ctx context.Context, accountID int64, role registry.Role, domain string) error
	Revoke(ctx context.Context, accountID int64, role registry.Role, domain string) error
	Actions() []string
	DefaultRoles(permission string) []registry.Role
	ActionRoles(domain, permission string) []registry.Role
	SetActionRoles(ctx context.Context, domain, permission string, roles []registry.Role) error
	RequiredVerification(domain, permission string) string
	RequireVerification(ctx context.Context, domain, permission, kind string) error
}

var _ roleManager = (*authz.Enforcer)(nil)

func (s *Server) roles() (roleManager, error) {
	rm, ok := s.Authz.(roleManager)
	if !ok {
		return nil, perr.NotFound("page")
	}
	return rm, nil
}

// mountAdmin mounts the organisation's audit log and role pages and API.
func (s *Server) mountAdmin(r *Router) {
	orgAdmin := NeedPermission(authz.PermOrgAdmin)
	get, post := http.MethodGet, http.MethodPost
	r.Page(get, "/admin", orgAdmin, s.adminIndex)
	r.Page(get, "/admin/audit", orgAdmin, s.adminAudit)
	r.API(get, "/admin/audit", orgAdmin, Operation{Summary: "The organisation's action log, newest first, 50 entries a page (?page=N)",
		Response: "entries, total, page, pages"}, s.apiAudit)
	r.Page(get, "/admin/roles", orgAdmin, s.adminRoles)
	r.Page(post, "/admin/roles", orgAdmin, s.adminRoleGrant)
	r.Page(post, "/admin/roles/revoke", orgAdmin, s.adminRoleRevoke)
	r.API(get, "/admin/roles", orgAdmin, Operation{Summary: "Every role granted in the organisation and its spaces", Response: "array of grants"}, s.apiRoles)
	r.API(post, "/admin/roles", orgAdmin, Operation{Summary: "Grant a role for the whole organisation (org_admin, space_admin, moderator, evaluator)",
		Body: map[string]string{"email": "string", "account_id": "integer", "role": "string"}, Required: []string{"role"}, Response: "the grant"}, s.apiRoleGrant)
	r.API(post, "/admin/roles/revoke", orgAdmin, Operation{Summary: "Revoke a grant, organisation-wide or in one of its spaces",
		Body: map[string]string{"account_id": "integer", "role": "string", "domain": "string"}, Required: []string{"account_id", "role", "domain"}, Response: "the revoked grant"}, s.apiRoleRevoke)
}

// mountSpaceAdmin mounts the role and permission pages and API of the
// spaces of one type, for their admins.
func (s *Server) mountSpaceAdmin(spaceType, prefix string) {
	spaceAdmin := NeedPermission(authz.PermSpaceAdmin)
	get, post := http.MethodGet, http.MethodPost
	pages := s.SpaceRouter(spaceType, "/admin"+prefix)
	pages.Page(get, "/roles", spaceAdmin, s.adminRoles)
	pages.Page(post, "/roles", spaceAdmin, s.adminRoleGrant)
	pages.Page(post, "/roles/revoke", spaceAdmin, s.adminRoleRevoke)
	pages.Page(get, "/permissions", spaceAdmin, s.adminPermissions)
	pages.Page(post, "/permissions", spaceAdmin, s.adminPermissionsSave)
	pages.Page(get, "/retention", spaceAdmin, s.adminRetention)
	pages.Page(post, "/retention", spaceAdmin, s.adminRetentionSave)
	api := s.SpaceRouter(spaceType, prefix)
	api.API(get, "/roles", spaceAdmin, Operation{Summary: "The roles granted in a space", Response: "array of grants"}, s.apiRoles)
	api.API(post, "/roles", spaceAdmin, Operation{Summary: "Grant a role in a space (space_admin, moderator, evaluator)",
		Body: map[string]string{"email": "string", "account_id": "integer", "role": "string"}, Required: []string{"role"}, Response: "the grant"}, s.apiRoleGrant)
	api.API(post, "/roles/revoke", spaceAdmin, Operation{Summary: "Revoke a role granted in a space",
		Body: map[string]string{"account_id": "integer", "role": "string"}, Required: []string{"account_id", "role"}, Response: "the revoked grant"}, s.apiRoleRevoke)
	api.API(get, "/permissions", spaceAdmin, Operation{Summary: "Who may take each module action in a space, and the verification each requires", Response: "array of permissions"}, s.apiPermissions)
	api.API(http.MethodPut, "/permissions", spaceAdmin, Operation{Summary: "Set the roles granted a module action in a space and the verification it requires",
		Body: map[string]string{"permission": "string", "roles": "array", "verification": "string"}, Required: []string{"permission", "roles"}, Response: "the permission"}, s.apiPermissionPut)
	api.API(get, "/retention", spaceAdmin, Operation{Summary: "The space's retention periods in days per category (pool, ip, verification; 0: none)", Response: "object category → days"}, s.apiRetention)
	api.API(http.MethodPut, "/retention", spaceAdmin, Operation{Summary: "Set retention periods in days (0 removes one, at most 36500); categories left out keep theirs. The daily retention job applies them.",
		Body: map[string]string{"pool": "integer", "ip": "integer", "verification": "integer"}, Response: "the periods"}, s.apiRetentionPut)
}

// GrantRow is one grant as the role pages show it.
type GrantRow struct {
	AccountID   int64         `json:"account_id"`
	Nickname    string        `json:"nickname"`
	Email       string        `json:"email,omitempty"`
	Role        registry.Role `json:"role"`
	Domain      string        `json:"domain"`
	DomainLabel string        `json:"-"`
	DomainURL   string        `json:"-"`
	OrgWide     bool          `json:"org_wide"`
	// Revocable is true where the page may revoke the grant: a space's
	// page leaves organisation-wide grants to the organisation's page.
	Revocable bool `json:"-"`
	// FromAccount marks an organisation admin by account setting (set by
	// `polder admin create` or the demo), not by a grant.
	FromAccount bool `json:"from_account,omitempty"`
}

// RolesPage is the data of the role pages (organisation or space).
type RolesPage struct {
	// Space is nil on the organisation's page.
	Space  *registry.Space
	Grants []GrantRow
	// Grantable are the roles the form offers.
	Grantable []registry.Role
	// Spaces link to each published space's role page (organisation page).
	Spaces         []SpaceLink
	PermissionsURL string
	Email, Role    string
	Errors         map[string]string
}

// grantDomain is where the page's grants go: the space, or the
// organisation.
func grantDomain(c echo.Context) string {
	if sp := Space(c); sp != nil {
		return sp.Domain()
	}
	return authz.OrgDomainOf(Org(c).ID)
}

func grantableHere(c echo.Context) []registry.Role {
	if Space(c) != nil {
		return []registry.Role{registry.RoleSpaceAdmin, registry.RoleModerator, registry.RoleEvaluator}
	}
	return authz.GrantableRoles
}

// grantRows lists the grants visible on the page: the space's own and
// the organisation-wide ones (which hold there too), or, on the
// organisation's page, every grant of its accounts.
func (s *Server) grantRows(c echo.Context, rm roleManager) ([]GrantRow, error) {
	ctx := c.Request().Context()
	org := Org(c)
	orgDom := authz.OrgDomainOf(org.ID)
	var grants []authz.Grant
	if sp := Space(c); sp != nil {
		grants = append(rm.Grants(sp.Domain()), rm.Grants(orgDom)...)
	} else {
		for _, g := range rm.Grants("") {
			if g.Domain == orgDom || !strings.HasPrefix(g.Domain, "org:") {
				grants = append(grants, g)
			}
		}
	}
	ids := make([]int64, 0, len(grants))
	for _, g := range grants {
		ids = append(ids, g.AccountID)
	}
	var accs []accounts.Account
	if len(ids) > 0 {
		if err := s.Accounts.DB().WithContext(ctx).Where("organisation_id = ? AND id IN ?", org.ID, ids).Find(&accs).Error; err != nil {
			return nil, fmt.Errorf("loading granted accounts: %w", err)
		}
	}
	byID := map[int64]*accounts.Account{}
	for i := range accs {
		byID[accs[i].ID] = &accs[i]
	}
	labels := map[string][2]string{}
	var rows []GrantRow
	// Organisation admins by account setting hold every role everywhere:
	// list them first, as the grants they are not.
	var admins []accounts.Account
	if err := s.Accounts.DB().WithContext(ctx).Where("organisation_id = ? AND org_admin = ? AND anonymised_at IS NULL", org.ID, true).Order("id").Find(&admins).Error; err != nil {
		return nil, fmt.Errorf("loading organisation admins: %w", err)
	}
	for _, a := range admins {
		row := GrantRow{AccountID: a.ID, Nickname: a.DisplayName(), Role: registry.RoleOrgAdmin, Domain: orgDom, OrgWide: true, FromAccount: true}
		if a.Email != nil {
			row.Email = *a.Email
		}
		rows = append(rows, row)
	}
	for _, g := range grants {
		a := byID[g.AccountID]
		if a == nil || a.AnonymisedAt != nil {
			continue // another organisation's account, or an erased one (its grants no longer hold)
		}
		row := GrantRow{AccountID: a.ID, Nickname: a.DisplayName(), Role: g.Role, Domain: g.Domain, OrgWide: g.Domain == orgDom}
		row.Revocable = Space(c) == nil || g.Domain == Space(c).Domain()
		if a.Email != nil {
			row.Email = *a.Email
		}
		if !row.OrgWide {
			l, ok := labels[g.Domain]
			if !ok {
				sp, err := s.spaceOfDomain(ctx, g.Domain)
				if err != nil || sp.OrganisationID != org.ID {
					continue
				}
				l = [2]string{s.spaceTitle(c, sp), "/admin" + SpacePrefixes[sp.Type] + "/" + sp.Slug + "/roles"}
				labels[g.Domain] = l
			}
			row.DomainLabel, row.DomainURL = l[0], l[1]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (s *Server) spaceTitle(c echo.Context, sp *registry.Space) string {
	return sp.Title.In(Locale(c), Org(c).DefaultLocale)
}

// spaceOfDomain loads the space a domain ("process:12") names.
func (s *Server) spaceOfDomain(ctx context.Context, domain string) (*registry.Space, error) {
	typ, idStr, ok := strings.Cut(domain, ":")
	res, known := s.spaces[typ]
	id, err := strconv.ParseInt(idStr, 10, 64)
	if !ok || !known || err != nil {
		return nil, perr.NotFound("space")
	}
	return res.ByID(ctx, id)
}

func (s *Server) rolesPage(c echo.Context) (*RolesPage, error) {
	rm, err := s.roles()
	if err != nil {
		return nil, err
	}
	rows, err := s.grantRows(c, rm)
	if err != nil {
		return nil, err
	}
	p := &RolesPage{Space: Space(c), Grants: rows, Grantable: grantableHere(c)}
	if sp := Space(c); sp != nil {
		p.PermissionsURL = "/admin" + SpacePrefixes[sp.Type] + "/" + sp.Slug + "/permissions"
		return p, nil
	}
	for t, res := range s.spaces {
		l, ok := res.(SpaceLister)
		if !ok {
			continue
		}
		spaces, err := l.Published(c.Request().Context(), Org(c).ID)
		if err != nil {
			return nil, err
		}
		for _, sp := range spaces {
			p.Spaces = append(p.Spaces, SpaceLink{Space: sp, URL: "/admin" + SpacePrefixes[t] + "/" + sp.Slug + "/roles"})
		}
	}
	slices.SortFunc(p.Spaces, func(a, b SpaceLink) int { return strings.Compare(a.URL, b.URL) })
	return p, nil
}

func (s *Server) adminRoles(c echo.Context) error {
	p, err := s.rolesPage(c)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "admin/roles", p)
}

// grantRequest is a grant asked for by form or API.
type grantRequest struct {
	Email     string `json:"email"`
	AccountID int64  `json:"account_id"`
	Role      string `json:"role"`
	Domain    string `json:"domain"`
}

// grant checks and makes a grant in the page's domain; field errors are
// keyed by form field.
func (s *Server) grant(c echo.Context, in grantRequest) (*GrantRow, error) {
	rm, err := s.roles()
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	role := registry.Role(in.Role)
	if !slices.Contains(grantableHere(c), role) {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Data: map[string]any{"Role": in.Role},
			Fields: map[string]string{"role": "authz.error.role"}}
	}
	var acc *accounts.Account
	if in.AccountID != 0 {
		acc, err = s.Accounts.Get(ctx, Org(c).ID, in.AccountID)
	} else {
		acc, err = s.Accounts.ByEmail(ctx, Org(c).ID, in.Email)
	}
	if perr.CodeOf(err) == perr.CodeNotFound || err == nil && acc.AnonymisedAt != nil {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: map[string]string{"email": "authz.error.account"}}
	}
	if err != nil {
		return nil, err
	}
	domain := grantDomain(c)
	if err := rm.Grant(ctx, acc.ID, role, domain); err != nil {
		return nil, err
	}
	s.auditRole(c, "role.grant", acc.ID, role, domain)
	row := &GrantRow{AccountID: acc.ID, Nickname: acc.DisplayName(), Role: role, Domain: domain, OrgWide: Space(c) == nil}
	return row, nil
}

// revoke checks and removes a grant: a space's page removes the space's
// grants only; the organisation's page any grant of its accounts.
func (s *Server) revoke(c echo.Context, in grantRequest) (*GrantRow, error) {
	rm, err := s.roles()
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	acc, err := s.Accounts.Get(ctx, Org(c).ID, in.AccountID)
	if err != nil {
		return nil, err
	}
	domain := in.Domain
	if Space(c) != nil || domain == "" {
		domain = grantDomain(c)
	} else if domain != authz.OrgDomainOf(Org(c).ID) {
		sp, err := s.spaceOfDomain(ctx, domain)
		if err != nil || sp.OrganisationID != Org(c).ID {
			return nil, perr.NotFound("space")
		}
	}
	role := registry.Role(in.Role)
	found := false
	for _, g := range rm.Grants(domain) {
		if g.AccountID == acc.ID && g.Role == role {
			found = true
		}
	}
	if !found {
		return nil, perr.NotFound("grant")
	}
	if err := rm.Revoke(ctx, acc.ID, role, domain); err != nil {
		return nil, err
	}
	s.auditRole(c, "role.revoke", acc.ID, role, domain)
	return &GrantRow{AccountID: acc.ID, Nickname: acc.DisplayName(), Role: role, Domain: domain}, nil
}

func (s *Server) auditRole(c echo.Context, action string, accountID int64, role registry.Role, domain string) {
	if s.Audit == nil {
		return
	}
	e := AuditEntry{OrganisationID: Org(c).ID, ActorID: AccountID(c), Action: action, ResourceType: "account",
		ResourceID: strconv.FormatInt(accountID, 10), Details: "role=" + string(role) + " domain=" + domain}
	if a := Account(c); a != nil {
		e.ActorLabel = a.Nickname
	}
	if sp := Space(c); sp != nil {
		e.SpaceID = sp.ID
	}
	s.Audit.Record(c.Request().Context(), e)
}

// renderRolesError shows the page again with the form's errors, or
// passes other errors on.
func (s *Server) renderRolesError(c echo.Context, err error, in grantRequest) error {
	pe, ok := perr.As(err)
	if !ok || pe.Code != perr.CodeInvalid {
		return err
	}
	p, perr2 := s.rolesPage(c)
	if perr2 != nil {
		return perr2
	}
	p.Email, p.Role = in.Email, in.Role
	p.Errors = map[string]string{}
	for k, id := range pe.Fields {
		p.Errors[k] = s.Bundle.T(Locale(c), id, pe.Data)
	}
	if len(p.Errors) == 0 {
		p.Errors["role"] = s.Bundle.T(Locale(c), pe.MessageID, pe.Data)
	}
	return s.Render(c, http.StatusUnprocessableEntity, "admin/roles", p)
}

func (s *Server) adminRoleGrant(c echo.Context) error {
	if err := RequireForm(c); err != nil {
		return err
	}
	in := grantRequest{Email: c.FormValue("email"), Role: c.FormValue("role")}
	if _, err := s.grant(c, in); err != nil {
		return s.renderRolesError(c, err, in)
	}
	s.Flash(c, "authz.admin.granted")
	return Redirect(c, c.Request().URL.Path)
}

func (s *Server) adminRoleRevoke(c echo.Context) error {
	if err := RequireForm(c); err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.FormValue("account_id"), 10, 64)
	if _, err := s.revoke(c, grantRequest{AccountID: id, Role: c.FormValue("role"), Domain: c.FormValue("domain")}); err != nil {
		return err
	}
	s.Flash(c, "authz.admin.revoked")
	return Redirect(c, strings.TrimSuffix(c.Request().URL.Path, "/revoke"))
}

func bindJSON(c echo.Context, v any) error {
	if !strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		return perr.New(perr.CodeBadRequest, "error.content_type", nil)
	}
	if err := c.Bind(v); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	return nil
}

func (s *Server) apiRoles(c echo.Context) error {
	rm, err := s.roles()
	if err != nil {
		return err
	}
	rows, err := s.grantRows(c, rm)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []GrantRow{}
	}
	return c.JSON(http.StatusOK, rows)
}

func (s *Server) apiRoleGrant(c echo.Context) error {
	var in grantRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	row, err := s.grant(c, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, row)
}

func (s *Server) apiRoleRevoke(c echo.Context) error {
	var in grantRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	row, err := s.revoke(c, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, row)
}

// PermissionRow is one module action on the permissions page.
type PermissionRow struct {
	Permission string                 `json:"permission"`
	Module     string                 `json:"module"`
	Label      string                 `json:"-"`
	ModuleName string                 `json:"-"`
	Roles      map[registry.Role]bool `json:"-"`
	Granted    []registry.Role        `json:"roles"`
	Defaults   []registry.Role        `json:"default_roles"`
	// Verification is the kind required, "" for none.
	Verification string `json:"verification"`
}

// PermissionsPage is the data of a space's permissions page.
type PermissionsPage struct {
	Space  *registry.Space
	Rows   []PermissionRow
	Roles  []registry.Role
	Errors map[string]string
}

func (s *Server) permissionRows(c echo.Context, rm roleManager) []PermissionRow {
	dom := Space(c).Domain()
	var rows []PermissionRow
	for _, p := range rm.Actions() {
		mod, action, _ := strings.Cut(p, ".")
		row := PermissionRow{Permission: p, Module: mod, Roles: map[registry.Role]bool{}, Granted: rm.ActionRoles(dom, p),
			Defaults: rm.DefaultRoles(p), Verification: rm.RequiredVerification(dom, p), Label: action, ModuleName: mod}
		if id, ok := authz.CoreLabel(p); ok {
			row.Label, row.ModuleName = s.Bundle.T(Locale(c), id, nil), s.Bundle.T(Locale(c), "authz.permission.core", nil)
		} else if man, ok := s.Registry.Manifest(mod); ok {
			if man.Name != "" {
				row.ModuleName = s.Bundle.T(Locale(c), man.Name, nil)
			}
			for _, a := range man.Actions {
				if a.Name == action && a.Label != "" {
					row.Label = s.Bundle.T(Locale(c), a.Label, nil)
				}
			}
		}
		for _, r := range row.Granted {
			row.Roles[r] = true
		}
		if row.Granted == nil {
			row.Granted = []registry.Role{}
		}
		rows = append(rows, row)
	}
	return rows
}

func (s *Server) adminPermissions(c echo.Context) error {
	rm, err := s.roles()
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "admin/permissions", &PermissionsPage{Space: Space(c), Rows: s.permissionRows(c, rm), Roles: authz.ConfigurableRoles})
}

// setPermission stores one action's roles and verification in the
// request's space, when they differ from what holds now.
func (s *Server) setPermission(c echo.Context, rm roleManager, perm string, roles []registry.Role, kind string) error {
	ctx := c.Request().Context()
	dom := Space(c).Domain()
	if !slices.Contains(rm.Actions(), perm) {
		return perr.Invalid("authz.error.unknown_permission", map[string]any{"Permission": perm})
	}
	kind = strings.TrimSpace(kind)
	slices.Sort(roles)
	cur := rm.ActionRoles(dom, perm)
	slices.Sort(cur)
	if !slices.Equal(cur, roles) {
		if err := rm.SetActionRoles(ctx, dom, perm, roles); err != nil {
			return err
		}
		s.auditPermission(c, "permission.roles", perm, fmt.Sprintf("roles=%v", roles))
	}
	if kind != rm.RequiredVerification(dom, perm) {
		if err := rm.RequireVerification(ctx, dom, perm, kind); err != nil {
			return err
		}
		s.auditPermission(c, "permission.verification", perm, "verification="+kind)
	}
	return nil
}

func (s *Server) auditPermission(c echo.Context, action, perm, details string) {
	if s.Audit == nil {
		return
	}
	e := AuditEntry{OrganisationID: Org(c).ID, ActorID: AccountID(c), Action: action, ResourceType: "permission", ResourceID: perm,
		SpaceID: Space(c).ID, Details: details}
	if a := Account(c); a != nil {
		e.ActorLabel = a.Nickname
	}
	s.Audit.Record(c.Request().Context(), e)
}

func (s *Server) adminPermissionsSave(c echo.Context) error {
	if err := RequireForm(c); err != nil {
		return err
	}
	rm, err := s.roles()
	if err != nil {
		return err
	}
	if err := c.Request().ParseForm(); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	form := c.Request().PostForm
	errs := map[string]string{}
	for _, p := range rm.Actions() {
		var roles []registry.Role
		for _, v := range form["roles."+p] {
			if r := registry.Role(v); slices.Contains(authz.ConfigurableRoles, r) && !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
		if err := s.setPermission(c, rm, p, roles, form.Get("verification."+p)); err != nil {
			pe, ok := perr.As(err)
			if !ok || pe.Code != perr.CodeInvalid {
				return err
			}
			errs[p] = s.Bundle.T(Locale(c), pe.MessageID, pe.Data)
		}
	}
	if len(errs) > 0 {
		return s.Render(c, http.StatusUnprocessableEntity, "admin/permissions", &PermissionsPage{Space: Space(c), Rows: s.permissionRows(c, rm),
			Roles: authz.ConfigurableRoles, Errors: errs})
	}
	s.Flash(c, "authz.admin.saved")
	return Redirect(c, c.Request().URL.Path)
}

func (s *Server) apiPermissions(c echo.Context) error {
	rm, err := s.roles()
	if err != nil {
		return err
	}
	rows := s.permissionRows(c, rm)
	if rows == nil {
		rows = []PermissionRow{}
	}
	return c.JSON(http.StatusOK, rows)
}

func (s *Server) apiPermissionPut(c echo.Context) error {
	rm, err := s.roles()
	if err != nil {
		return err
	}
	var in struct {
		Permission   string   `json:"permission"`
		Roles        []string `json:"roles"`
		Verification string   `json:"verification"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	roles := []registry.Role{}
	for _, r := range in.Roles {
		role := registry.Role(r)
		if !slices.Contains(authz.ConfigurableRoles, role) {
			return &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Data: map[string]any{"Role": r},
				Fields: map[string]string{"roles": "authz.error.role"}}
		}
		if !slices.Contains(roles, role) {
			roles = append(roles, role)
		}
	}
	if err := s.setPermission(c, rm, in.Permission, roles, in.Verification); err != nil {
		return err
	}
	for _, row := range s.permissionRows(c, rm) {
		if row.Permission == in.Permission {
			return c.JSON(http.StatusOK, row)
		}
	}
	return perr.NotFound("permission")
}

// verificationExplainer is implemented by authorizers that can tell a
// refusal due only to a missing verification (core/authz does).
type verificationExplainer interface {
	MissingVerification(ctx context.Context, acc *accounts.Account, orgID int64, domain, permission string) string
}

// refusal is the error a logged-in account gets for a permission it does
// not hold: it names the verification to obtain when that is all that is
// missing, so the participant knows what to do.
func (s *Server) refusal(c echo.Context, permission string) error {
	if ve, ok := s.Authz.(verificationExplainer); ok {
		if kind := ve.MissingVerification(c.Request().Context(), Account(c), Org(c).ID, Domain(c), permission); kind != "" {
			return perr.New(perr.CodeForbidden, "authz.error.verification_required", map[string]any{"Kind": kind})
		}
	}
	return perr.Forbidden()
}
