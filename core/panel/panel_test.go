// SPDX-License-Identifier: AGPL-3.0-or-later

package panel_test

import (
	"context"
	"testing"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/orgs"
	"github.com/polder-civic/polder/core/panel"
	"github.com/polder-civic/polder/core/testkit"
)

func TestMarkEndMembers(t *testing.T) {
	ctx := context.Background()
	db := testkit.OpenDB(t)
	org, err := orgs.NewService(db).Ensure(ctx, &orgs.Organisation{Host: "x.test", Name: "X"})
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.NewService(db)
	var ids []int64
	for _, e := range []string{"a@x.test", "b@x.test", "c@x.test"} {
		a, err := acc.Register(ctx, org.ID, accounts.Registration{Email: e, Name: e, Nickname: e[:1] + "nick", Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	r := panel.New(db)
	if err := r.Mark(ctx, org.ID, "process:1", "sortition:5", ids[0], ids[1]); err != nil {
		t.Fatal(err)
	}
	// Marking again is idempotent.
	if err := r.Mark(ctx, org.ID, "process:1", "sortition:5", ids[0]); err != nil {
		t.Fatal(err)
	}
	m, err := r.Members(ctx, "process:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 || !m[ids[0]] || !m[ids[1]] || m[ids[2]] {
		t.Fatalf("members = %v, want the first two", m)
	}
	if err := r.End(ctx, "process:1", ids[0]); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.IsMember(ctx, "process:1", ids[0]); ok {
		t.Error("ended member still a member")
	}
	if ok, _ := r.IsMember(ctx, "process:2", ids[1]); ok {
		t.Error("membership leaked to another space")
	}
	if err := r.Mark(ctx, org.ID, "process:1", "sortition:6", ids[0]); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.IsMember(ctx, "process:1", ids[0]); !ok {
		t.Error("replacement draw did not reinstate the member")
	}
}

func TestPersonalDataAndErasure(t *testing.T) {
	ctx := context.Background()
	db := testkit.OpenDB(t)
	org, _ := orgs.NewService(db).Ensure(ctx, &orgs.Organisation{Host: "y.test", Name: "Y"})
	a, err := accounts.NewService(db).Register(ctx, org.ID, accounts.Registration{Email: "p@y.test", Name: "P", Nickname: "pnick", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	r := panel.New(db)
	if d, _ := r.PersonalData(ctx, a.ID); d != nil {
		t.Fatalf("data before any mark: %v", d)
	}
	if err := r.Mark(ctx, org.ID, "process:9", "sortition:1", a.ID); err != nil {
		t.Fatal(err)
	}
	d, err := r.PersonalData(ctx, a.ID)
	if err != nil || len(d.([]panel.Member)) != 1 {
		t.Fatalf("personal data = %v, %v", d, err)
	}
	if err := r.Anonymise(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.IsMember(ctx, "process:9", a.ID); ok {
		t.Fatal("erased account still a panel member")
	}
}
