// SPDX-License-Identifier: AGPL-3.0-or-later

package authz_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/authz"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
)

type notesModule struct{}

func (notesModule) Manifest() registry.Manifest {
	return registry.Manifest{ID: "notes", Version: "1.0.0", Actions: []registry.Action{
		{Name: "read", DefaultRoles: []registry.Role{registry.RoleVisitor}},
		{Name: "create", DefaultRoles: []registry.Role{registry.RoleParticipant}},
		{Name: "answer", DefaultRoles: []registry.Role{registry.RoleEvaluator}},
	}}
}

// heldKinds is a Verifications that knows who holds which kind.
type heldKinds map[int64]string

func (h heldKinds) Has(_ context.Context, id int64, kind string) bool { return h[id] == kind }

const org = int64(1)

func person(id int64) *accounts.Account {
	now := time.Now()
	return &accounts.Account{ID: id, OrganisationID: org, ConfirmedAt: &now}
}

func newEnforcer(t *testing.T, db *store.DB) *authz.Enforcer {
	t.Helper()
	en, err := newEnforcerTB(db)
	if err != nil {
		t.Fatalf("building enforcer: %v", err)
	}
	return en
}

func newEnforcerTB(db *store.DB) (*authz.Enforcer, error) {
	return authz.New(db, registry.MustNew(notesModule{}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestEnforcer(t *testing.T) {
	ctx := context.Background()
	db := testkit.OpenDB(t)
	en := newEnforcer(t, db)

	unconfirmed := &accounts.Account{ID: 2, OrganisationID: org}
	participant := person(3)
	moderator := person(4)
	orgModerator := person(5)
	spaceAdmin := person(6)
	orgAdminFlag := person(7)
	orgAdminFlag.OrgAdmin = true
	foreignAdmin := &accounts.Account{ID: 8, OrganisationID: 2, OrgAdmin: true, ConfirmedAt: participant.ConfirmedAt}
	grantedOrgAdmin := person(9)
	evaluator := person(10)

	must(t, en.Grant(ctx, moderator.ID, registry.RoleModerator, "process:1"))
	must(t, en.Grant(ctx, orgModerator.ID, registry.RoleModerator, "org:1"))
	must(t, en.Grant(ctx, spaceAdmin.ID, registry.RoleSpaceAdmin, "process:1"))
	must(t, en.Grant(ctx, grantedOrgAdmin.ID, registry.RoleOrgAdmin, "org:1"))
	must(t, en.Grant(ctx, evaluator.ID, registry.RoleEvaluator, "process:1"))
	// Granting twice is harmless.
	must(t, en.Grant(ctx, evaluator.ID, registry.RoleEvaluator, "process:1"))

	cases := []struct {
		name   string
		acc    *accounts.Account
		domain string
		perm   string
		want   bool
	}{
		{"VisitorReads", nil, "process:1", "notes.read", true},
		{"VisitorCannotCreate", nil, "process:1", "notes.create", false},
		{"UnconfirmedIsNoParticipant", unconfirmed, "process:1", "notes.create", false},
		{"ParticipantCreates", participant, "process:1", "notes.create", true},
		{"ParticipantCreatesElsewhere", participant, "process:2", "notes.create", true},
		{"ParticipantNoModeration", participant, "process:1", "space.moderate", false},
		{"ParticipantNoAnswer", participant, "process:1", "notes.answer", false},
		{"UnknownPermission", participant, "process:1", "notes.nothing", false},
		{"ModeratorModerates", moderator, "process:1", "space.moderate", true},
		{"ModeratorOnlyInItsSpace", moderator, "process:2", "space.moderate", false},
		{"ModeratorNotAdmin", moderator, "process:1", "space.admin", false},
		{"OrgWideModerator", orgModerator, "process:2", "space.moderate", true},
		{"EvaluatorEvaluates", evaluator, "process:1", "space.evaluate", true},
		{"EvaluatorAnswers", evaluator, "process:1", "notes.answer", true},
		{"EvaluatorNotElsewhere", evaluator, "process:2", "notes.answer", false},
		{"SpaceAdminAdministers", spaceAdmin, "process:1", "space.admin", true},
		{"SpaceAdminModerates", spaceAdmin, "process:1", "space.moderate", true},
		{"SpaceAdminHoldsActions", spaceAdmin, "process:1", "notes.answer", true},
		{"SpaceAdminNotOtherSpace", spaceAdmin, "process:2", "space.admin", false},
		{"SpaceAdminNotOrgAdmin", spaceAdmin, "org", "org.admin", false},
		{"OrgAdminFlag", orgAdminFlag, "process:2", "space.admin", true},
		{"OrgAdminFlagOrg", orgAdminFlag, "org", "org.admin", true},
		{"ForeignOrgAdmin", foreignAdmin, "org", "org.admin", false},
		{"ForeignOrgAdminSpace", foreignAdmin, "process:1", "space.admin", false},
		{"GrantedOrgAdmin", grantedOrgAdmin, "org", "org.admin", true},
		{"GrantedOrgAdminSpace", grantedOrgAdmin, "process:7", "space.evaluate", true},
		{"ParticipantNotOrgAdmin", participant, "org", "org.admin", false},
		{"VisitorNotOrgAdmin", nil, "org", "org.admin", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := en.Can(ctx, tc.acc, org, tc.domain, tc.perm)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Can(%s, %s) = %v, want %v (roles %v)", tc.domain, tc.perm, got, tc.want, en.RolesIn(ctx, tc.acc, org, tc.domain))
			}
		})
	}

	t.Run("RolesIn", func(t *testing.T) {
		got := en.RolesIn(ctx, moderator, org, "process:1")
		want := []registry.Role{registry.RoleModerator, registry.RoleParticipant, registry.RoleVisitor}
		if len(got) != len(want) {
			t.Fatalf("roles %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("roles %v, want %v", got, want)
			}
		}
		if r := en.RolesIn(ctx, nil, org, "process:1"); len(r) != 1 || r[0] != registry.RoleVisitor {
			t.Fatalf("visitor roles %v", r)
		}
	})

	t.Run("Revoke", func(t *testing.T) {
		must(t, en.Revoke(ctx, moderator.ID, registry.RoleModerator, "process:1"))
		if ok, _ := en.Can(ctx, moderator, org, "process:1", "space.moderate"); ok {
			t.Fatal("revoked moderator still moderates")
		}
		must(t, en.Grant(ctx, moderator.ID, registry.RoleModerator, "process:1"))
	})

	t.Run("InvalidGrants", func(t *testing.T) {
		for _, g := range []struct {
			role   registry.Role
			domain string
		}{{registry.RoleParticipant, "process:1"}, {registry.RoleVisitor, "org:1"}, {registry.RoleOrgAdmin, "process:1"}, {registry.RoleModerator, ""}, {registry.RoleModerator, "*"}} {
			if err := en.Grant(ctx, 99, g.role, g.domain); perr.CodeOf(err) != perr.CodeInvalid {
				t.Errorf("Grant(%s, %q) = %v, want invalid", g.role, g.domain, err)
			}
		}
	})

	t.Run("SpaceChangesDefaults", func(t *testing.T) {
		must(t, en.SetActionRoles(ctx, "process:1", "notes.create", []registry.Role{registry.RoleEvaluator}))
		if ok, _ := en.Can(ctx, participant, org, "process:1", "notes.create"); ok {
			t.Error("participant still creates where the default was removed")
		}
		if ok, _ := en.Can(ctx, participant, org, "process:2", "notes.create"); !ok {
			t.Error("the change leaked to another space")
		}
		if ok, _ := en.Can(ctx, evaluator, org, "process:1", "notes.create"); !ok {
			t.Error("evaluator was granted create but cannot")
		}
		if ok, _ := en.Can(ctx, spaceAdmin, org, "process:1", "notes.create"); !ok {
			t.Error("space admin lost an action")
		}
		got := en.ActionRoles("process:1", "notes.create")
		if len(got) != 1 || got[0] != registry.RoleEvaluator {
			t.Errorf("ActionRoles = %v, want [evaluator]", got)
		}
		// Stored: a second enforcer on the same database decides alike.
		other := newEnforcer(t, db)
		if ok, _ := other.Can(ctx, participant, org, "process:1", "notes.create"); ok {
			t.Error("the change was not stored")
		}
		// Back to the defaults: no rule is left for this space.
		must(t, en.SetActionRoles(ctx, "process:1", "notes.create", []registry.Role{registry.RoleParticipant}))
		var n int64
		must(t, db.Table("casbin_rule").Where("v1 = ? AND v2 = ?", "process:1", "notes.create").Count(&n).Error)
		if n != 0 {
			t.Errorf("%d rules left after restoring the defaults", n)
		}
		if err := en.SetActionRoles(ctx, "process:1", "space.admin", nil); perr.CodeOf(err) != perr.CodeInvalid {
			t.Errorf("changing a core permission: %v, want invalid", err)
		}
		if err := en.SetActionRoles(ctx, "process:1", "notes.create", []registry.Role{registry.RoleOrgAdmin}); perr.CodeOf(err) != perr.CodeInvalid {
			t.Errorf("configuring an admin role: %v, want invalid", err)
		}
	})

	t.Run("RequiredVerification", func(t *testing.T) {
		must(t, en.RequireVerification(ctx, "process:1", "notes.create", "census"))
		if got := en.RequiredVerification("process:1", "notes.create"); got != "census" {
			t.Fatalf("RequiredVerification = %q", got)
		}
		if got := en.RequiredVerification("process:2", "notes.create"); got != "" {
			t.Fatalf("requirement leaked to process:2: %q", got)
		}
		if ok, _ := en.Can(ctx, participant, org, "process:1", "notes.create"); ok {
			t.Error("nil verifications: participant acts without census")
		}
		if got := en.MissingVerification(ctx, participant, org, "process:1", "notes.create"); got != "census" {
			t.Errorf("MissingVerification = %q", got)
		}
		if got := en.MissingVerification(ctx, nil, org, "process:1", "notes.create"); got != "" {
			t.Errorf("a visitor lacks a role, not a verification; got %q", got)
		}
		en.SetVerifications(heldKinds{participant.ID: "census", evaluator.ID: "oidc"})
		if ok, _ := en.Can(ctx, participant, org, "process:1", "notes.create"); !ok {
			t.Error("verified participant refused")
		}
		if ok, _ := en.Can(ctx, evaluator, org, "process:1", "notes.create"); ok {
			t.Error("participant with another verification allowed")
		}
		if ok, _ := en.Can(ctx, spaceAdmin, org, "process:1", "notes.create"); !ok {
			t.Error("space admin needs no verification")
		}
		if ok, _ := en.Can(ctx, participant, org, "process:2", "notes.create"); !ok {
			t.Error("requirement applied to another space")
		}
		if err := en.RequireVerification(ctx, "process:1", "notes.create", "Census Bureau"); perr.CodeOf(err) != perr.CodeInvalid {
			t.Errorf("bad kind: %v", err)
		}
		must(t, en.RequireVerification(ctx, "process:1", "notes.create", ""))
		if got := en.RequiredVerification("process:1", "notes.create"); got != "" {
			t.Fatalf("requirement not removed: %q", got)
		}
		// Core's anonymous token takes a requirement like a module action
		// (the space asks for an invitation code before a token).
		must(t, en.RequireVerification(ctx, "process:1", authz.PermAnonToken, "code"))
		if ok, _ := en.Can(ctx, participant, org, "process:1", authz.PermAnonToken); ok {
			t.Error("participant takes a token without the required code")
		}
		if ok, _ := en.Can(ctx, participant, org, "process:2", authz.PermAnonToken); !ok {
			t.Error("participant refused a token where none is required")
		}
		must(t, en.RequireVerification(ctx, "process:1", authz.PermAnonToken, ""))
		en.SetVerifications(nil)
	})
}

// TestEnforcerBuildsOnCoreSchema guards the pinned casbin/gorm-adapter
// pair (later adapters panic with casbin v2) and checks that the adapter
// leaves core's casbin_rule table as the migration made it.
func TestEnforcerBuildsOnCoreSchema(t *testing.T) {
	db := testkit.OpenDB(t)
	cols := func() []string {
		ct, err := db.Migrator().ColumnTypes("casbin_rule")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range ct {
			out = append(out, c.Name())
		}
		return out
	}
	before := cols()
	en := newEnforcer(t, db)
	if got := cols(); len(got) != len(before) {
		t.Fatalf("casbin_rule columns changed: %v → %v", before, got)
	}
	ctx := context.Background()
	must(t, en.Grant(ctx, 1, registry.RoleModerator, "process:3"))
	var n int64
	must(t, db.Table("casbin_rule").Where("ptype = 'g' AND v0 = 'account:1' AND v1 = 'moderator' AND v2 = 'process:3'").Count(&n).Error)
	if n != 1 {
		t.Fatalf("grant stored %d times, want 1", n)
	}
	// The shared handle keeps working for everyone else.
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentDecisions takes decisions from many goroutines while
// grants change (run with -race): a reload swaps the enforcer whole, so a
// decision sees the rules before or after a change, never half of them.
func TestConcurrentDecisions(t *testing.T) {
	ctx := context.Background()
	en := newEnforcer(t, testkit.OpenDB(t))
	p := person(3)
	done := make(chan struct{})
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				ok, err := en.Can(ctx, p, org, "process:1", "notes.create")
				if err != nil || !ok {
					errs <- fmt.Errorf("participant refused mid-change: %v %v", ok, err)
					return
				}
				_ = en.RolesIn(ctx, p, org, "process:1")
			}
		}()
	}
	for i := 0; i < 20; i++ {
		must(t, en.Grant(ctx, p.ID, registry.RoleModerator, "process:1"))
		must(t, en.Revoke(ctx, p.ID, registry.RoleModerator, "process:1"))
	}
	close(done)
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestReloadEveryPicksUpOtherInstances: a change made through one
// enforcer (one instance) reaches another on the same database at its
// next periodic reload.
func TestReloadEveryPicksUpOtherInstances(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := testkit.OpenDB(t)
	a, b := newEnforcer(t, db), newEnforcer(t, db)
	go b.ReloadEvery(ctx, 10*time.Millisecond)
	m := person(4)
	must(t, a.Grant(ctx, m.ID, registry.RoleModerator, "process:1"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ok, _ := b.Can(ctx, m, org, "process:1", "space.moderate"); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the other instance never saw the grant")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
