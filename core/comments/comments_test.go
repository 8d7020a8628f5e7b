// SPDX-License-Identifier: AGPL-3.0-or-later

package comments_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/testkit"
)

func TestThread(t *testing.T) {
	db := testkit.OpenDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	db.Exec("INSERT INTO organisations (host, name, created_at, updated_at) VALUES ('t.local', 'T', ?, ?)", now, now)
	var org int64
	db.Raw("SELECT id FROM organisations").Scan(&org)
	ids := make([]int64, 3)
	for i := range ids {
		nick := fmt.Sprintf("u%d", i)
		db.Exec("INSERT INTO accounts (organisation_id, email, name, nickname, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", org, nick+"@x.org", nick, nick, now, now)
		db.Raw("SELECT id FROM accounts WHERE nickname = ?", nick).Scan(&ids[i])
	}
	svc := comments.New(db)
	ref := comments.Ref{OrganisationID: org, Type: "thing", ID: 5}

	root, err := svc.Add(ctx, ref, ids[0], 0, "  First!\r\nSecond line ", comments.StanceAgree)
	if err != nil || root.Body != "First!\nSecond line" || root.Depth != 0 {
		t.Fatalf("root: %+v %v", root, err)
	}
	parent := root
	for d := 1; d <= comments.MaxDepth; d++ {
		parent, err = svc.Add(ctx, ref, ids[1], parent.ID, fmt.Sprintf("depth %d", d), "")
		if err != nil || parent.Depth != d || parent.Stance != comments.StanceNeutral {
			t.Fatalf("depth %d: %+v %v", d, parent, err)
		}
	}
	cases := []struct {
		name   string
		parent int64
		body   string
		stance string
		code   perr.Code
	}{
		{"TooDeep", parent.ID, "deeper", "", perr.CodeInvalid},
		{"Empty", 0, "   ", "", perr.CodeInvalid},
		{"TooLong", 0, string(make([]rune, comments.MaxBody+1)), "", perr.CodeInvalid},
		{"BadStance", 0, "ok", "maybe", perr.CodeInvalid},
		{"OtherResourceParent", 999999, "ok", "", perr.CodeNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := c.body
			if c.name == "TooLong" {
				body = fmt.Sprintf("%0*d", comments.MaxBody+1, 0)
			}
			if _, err := svc.Add(ctx, ref, ids[2], c.parent, body, c.stance); perr.CodeOf(err) != c.code {
				t.Fatalf("%v, want %s", err, c.code)
			}
		})
	}
	against, _ := svc.Add(ctx, ref, ids[2], 0, "No.", comments.StanceDisagree)

	if _, err := svc.Edit(ctx, org, root.ID, ids[1], "hijack", comments.StanceAgree); perr.CodeOf(err) != perr.CodeForbidden {
		t.Fatalf("edit by another: %v", err)
	}
	if c, err := svc.Edit(ctx, org, root.ID, ids[0], "First, edited", comments.StanceNeutral); err != nil || c.EditedAt == nil {
		t.Fatalf("edit: %+v %v", c, err)
	}
	th, err := svc.Thread(ctx, ref)
	if err != nil || th.Count != 5 || th.ByStance["neutral"] != 4 || th.ByStance["disagree"] != 1 || len(th.Roots) != 2 {
		t.Fatalf("thread: count %d, stances %v, roots %d (%v)", th.Count, th.ByStance, len(th.Roots), err)
	}
	// Deleting keeps the replies under a placeholder.
	if _, err := svc.Delete(ctx, org, root.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
	th, _ = svc.Thread(ctx, ref)
	if th.Count != 4 || !th.Roots[0].Deleted() || th.Roots[0].Body != "" || len(th.Roots[0].Replies) != 1 {
		t.Fatalf("after delete: count %d, root %+v", th.Count, th.Roots[0].Comment)
	}
	// Hiding a comment hides its replies too.
	mod := moderation.New(db)
	if _, err := mod.Hide(ctx, moderation.Target{OrganisationID: org, ResourceType: comments.ResourceType, ResourceID: th.Roots[0].Replies[0].ID}, ids[2]); err != nil {
		t.Fatal(err)
	}
	th, _ = svc.Thread(ctx, ref)
	if th.Count != 1 || len(th.Roots[0].Replies) != 0 || th.Roots[1].ID != against.ID {
		t.Fatalf("after hiding: count %d", th.Count)
	}
	if n, _ := svc.Count(ctx, ref); n != 1 {
		t.Fatalf("Count %d, want 1", n)
	}
}
