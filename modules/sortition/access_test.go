// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/sortition"
)

// member signs in a new confirmed account holding role in the space (none:
// a plain participant).
func (e *env) member(email string, role registry.Role) (*accountClient, int64) {
	e.t.Helper()
	now := time.Now().UTC()
	acc := &accounts.Account{OrganisationID: e.in.Org.ID, Email: &email, Name: email, Nickname: email[:len(email)-len("@example.org")], Kind: accounts.KindPerson, ConfirmedAt: &now}
	if err := e.in.App.DB.Create(acc).Error; err != nil {
		e.t.Fatal(err)
	}
	if role != "" {
		if err := e.in.App.Authz.Grant(context.Background(), acc.ID, role, e.domain); err != nil {
			e.t.Fatal(err)
		}
	}
	c := e.in.Client()
	return &accountClient{c: c, csrf: instancetest.Session(e.t, e.in, c, acc.ID)}, acc.ID
}

type accountClient struct {
	c    *apptest.Client
	csrf string
}

// TestPoolNeedsSortitionAdmin: the pool (personal data), the commitment
// and the draw need sortition.admin, which space admins hold and which a
// space can grant to its moderators; a moderator without it is refused.
func TestPoolNeedsSortitionAdmin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	quotas := "category,feature,min,max\ngender,female,1,2\ngender,male,1,2\n"
	pool := "gender\nfemale\nmale\nmale\nfemale\n"
	form := func(csrf string) url.Values {
		return url.Values{"_csrf": {csrf}, "quotas": {quotas}, "pool": {pool}, "panel_size": {"2"}}
	}

	mod, _ := e.member("moderator@example.org", registry.RoleModerator)
	mod.c.Get(e.base+"/pool").Must(t, http.StatusForbidden)
	mod.c.PostRaw(e.base+"/pool", form(mod.csrf)).Must(t, http.StatusForbidden)
	if n := e.count(&sortition.Draw{}); n != 0 {
		t.Fatalf("a moderator without sortition.admin stored a draw (%d)", n)
	}

	sa, _ := e.member("spaceadmin@example.org", registry.RoleSpaceAdmin)
	sa.c.Get(e.base+"/pool").Must(t, http.StatusOK)
	sa.c.PostRaw(e.base+"/pool", form(sa.csrf)).Must(t, http.StatusSeeOther)
	sa.c.PostRaw(e.base+"/commit", url.Values{"_csrf": {sa.csrf}, "secret": {"space admin secret"}}).Must(t, http.StatusSeeOther)

	// The space delegates the draw to its moderators.
	if err := e.in.App.Authz.SetActionRoles(ctx, e.domain, "sortition.admin", []registry.Role{registry.RoleModerator}); err != nil {
		t.Fatal(err)
	}
	mod.c.Get(e.base+"/pool").Must(t, http.StatusOK).Contains(t, "female")
	mod.c.PostRaw(e.base+"/draw", url.Values{"_csrf": {mod.csrf}, "secret": {"space admin secret"}, "public_value": {"4 8 15"}}).Must(t, http.StatusSeeOther)
	if s := e.draw().Status; s != sortition.StatusDrawn {
		t.Fatalf("status after the moderator's draw: %s", s)
	}
	// A participant still sees only the public page.
	p, _ := e.member("participant@example.org", "")
	p.c.Get(e.base+"/pool").Must(t, http.StatusForbidden)
	p.c.Get(e.base).Must(t, http.StatusOK)
}

// TestConcurrentReplacements: two organisers replacing the same dropout at
// once yield one replacement; replacing two dropouts of the same type at
// once with the same public value yields two different volunteers.
func TestConcurrentReplacements(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	quotas, pool, _ := e.smallPool()
	e.post(e.base+"/pool", url.Values{"quotas": {quotas}, "pool": {pool}, "panel_size": {"20"}}).Must(t, http.StatusSeeOther)
	secret := "correct horse battery staple"
	e.post(e.base+"/commit", url.Values{"secret": {secret}}).Must(t, http.StatusSeeOther)
	e.post(e.base+"/draw", url.Values{"secret": {secret}, "public_value": {"7 13 21"}}).Must(t, http.StatusSeeOther)
	d := e.draw()
	rec, err := d.PublishedRecord()
	if err != nil {
		t.Fatal(err)
	}
	svc := e.mod.Service()
	feat := map[string]string{}
	for _, m := range rec.Pool {
		feat[m.ID] = fmtFeatures(m.Features)
	}

	// Same dropout, twice at once, several rounds.
	for round := 0; round < 3; round++ {
		cur, err := svc.Current(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		leaving := cur[round]
		const n = 4
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = svc.Replace(ctx, e.space, e.comp, leaving, "2 7 1")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch _, isP := perr.As(err); {
			case err == nil:
				ok++
			case !isP:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		var reps int64
		e.in.App.DB.Model(&sortition.Replacement{}).Where("draw_id = ? AND replaced = ?", d.ID, leaving).Count(&reps)
		if ok != 1 || reps != 1 {
			t.Fatalf("round %d: %d replacements succeeded, %d stored, want 1", round, ok, reps)
		}
		after, err := svc.Current(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != 20 {
			t.Fatalf("round %d: panel of %d after one replacement", round, len(after))
		}
	}

	// Two dropouts of the same type at once, same public value.
	cur, err := svc.Current(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	var a, b string
	for i := range cur {
		for j := i + 1; j < len(cur) && a == ""; j++ {
			if feat[cur[i]] == feat[cur[j]] {
				a, b = cur[i], cur[j]
			}
		}
	}
	if a == "" {
		t.Fatal("no two current members share a type")
	}
	var wg sync.WaitGroup
	got := make([]*sortition.Replacement, 2)
	errs := make([]error, 2)
	for i, who := range []string{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = svc.Replace(ctx, e.space, e.comp, who, "same dice")
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got[0].Replacement == got[1].Replacement {
		t.Fatalf("both dropouts replaced by %s", got[0].Replacement)
	}
	after, err := svc.Current(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range after {
		if seen[p] {
			t.Fatalf("%s sits twice on the panel", p)
		}
		seen[p] = true
	}
	if len(after) != 20 {
		t.Fatalf("panel of %d", len(after))
	}
	members, err := e.in.App.Panels.Members(ctx, e.domain)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 20 {
		t.Fatalf("%d panel marks, want 20", len(members))
	}
}

func fmtFeatures(f []string) string {
	out := ""
	for _, v := range f {
		out += v + "\x00"
	}
	return out
}
