// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/polder-civic/polder/modules/opinionmap"
)

// TestAnonymousMergedAtLogin: a visitor votes and adds a statement
// anonymously, then logs in; the account's participant gets the votes
// (where both voted, the more recent one) and the statement, and the
// anonymous participant is gone. An account without a participant in the
// conversation simply takes over the anonymous one.
func TestAnonymousMergedAtLogin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.svc()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := t0
	svc.Now = func() time.Time { return clock }
	ids := e.seed("Ban cars from the centre", "Lower fuel taxes", "Plant trees in every street", "Move the market")

	// The account voted before, signed in elsewhere: on 0 an hour before
	// the anonymous votes, on 1 an hour after them.
	acc := e.in.CreateAccount("ann@example.org", "a long password 1", false)
	mine, err := svc.Participant(ctx, e.comp.ID, opinionmap.Who{AccountID: acc.ID}, true)
	if err != nil {
		t.Fatal(err)
	}
	clock = t0.Add(-time.Hour)
	if err := svc.Vote(ctx, e.comp, mine, ids[0], 1); err != nil {
		t.Fatal(err)
	}
	clock = t0.Add(time.Hour)
	if err := svc.Vote(ctx, e.comp, mine, ids[1], -1); err != nil {
		t.Fatal(err)
	}

	clock = t0
	c := e.in.Client()
	c.Get(e.base).Must(t, http.StatusOK)
	for i, v := range []string{"disagree", "agree", "pass"} {
		if r := vote(c, e.base, itoa(ids[i]), v); r.Status != http.StatusSeeOther {
			t.Fatalf("anonymous vote: %d %s", r.Status, apptestSnippet(r.Body))
		}
	}
	if r := c.PostForm(e.base+"/statements", url.Values{"body": {"Free buses on Sundays"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("anonymous statement: %d %s", r.Status, apptestSnippet(r.Body))
	}
	var anon int64
	e.in.App.DB.Table("opinion_participants").Select("id").Where("component_id = ? AND anon_key IS NOT NULL", e.comp.ID).Scan(&anon)
	if anon == 0 {
		t.Fatal("no anonymous participant after anonymous votes")
	}

	c.Login("ann@example.org", "a long password 1")

	var left int64
	e.in.App.DB.Table("opinion_participants").Where("id = ?", anon).Count(&left)
	if left != 0 {
		t.Fatal("the anonymous participant is still there after the login")
	}
	got, err := svc.MyVotes(ctx, mine)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]int{ids[0]: -1, ids[1]: -1, ids[2]: 0}
	if len(got) != len(want) {
		t.Fatalf("account's votes %v, want %v", got, want)
	}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("statement %d: vote %d, want %d (the more recent one)", id, got[id], v)
		}
	}
	if n := e.countVotes(0); n != 3 {
		t.Fatalf("%d vote rows, want 3", n)
	}
	var author int64
	e.in.App.DB.Table("opinion_statements").Select("participant_id").Where("body = ?", "Free buses on Sundays").Scan(&author)
	if author != mine.ID {
		t.Fatalf("statement by participant %d, want the account's %d", author, mine.ID)
	}
	// Signed in, the visitor goes on as the account: the next vote lands
	// on the account's participant.
	if r := vote(c, e.base, itoa(ids[3]), "agree"); r.Status != http.StatusSeeOther {
		t.Fatalf("vote after login: %d", r.Status)
	}
	if got, _ := svc.MyVotes(ctx, mine); got[ids[3]] != 1 {
		t.Fatalf("vote after login not on the account's participant: %v", got)
	}

	// An account with no participant here takes the anonymous one over.
	e.in.CreateAccount("bob@example.org", "a long password 2", false)
	c2 := e.in.Client()
	c2.Get(e.base).Must(t, http.StatusOK)
	vote(c2, e.base, itoa(ids[0]), "agree")
	var before opinionmap.Participant
	e.in.App.DB.Where("component_id = ? AND anon_key IS NOT NULL", e.comp.ID).Find(&before)
	c2.Login("bob@example.org", "a long password 2")
	var after opinionmap.Participant
	e.in.App.DB.Where("id = ?", before.ID).Find(&after)
	if after.ID == 0 || after.AnonKey != nil || after.AccountID == nil {
		t.Fatalf("participant %d after bob's login: %+v, want bound to bob's account, no anonymous key", before.ID, after)
	}
	if n := e.countVotes(ids[0]); n != 2 {
		t.Fatalf("%d votes on statement 0, want 2 (ann's and bob's)", n)
	}
}
