// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/opinionmap"
)

func TestAnonymousVoteChangeAndRecompute(t *testing.T) {
	e := newEnv(t)
	e.set(map[string]any{"recompute_delay": 0})
	e.seed("Ban cars from city centres", "Tax air travel")
	c := e.in.Client()
	page := c.Get(e.base).Must(t, http.StatusOK).Contains(t, "Agree", "Disagree", "Pass")
	sid := shownStatement(t, page.Body)
	if r := vote(c, e.base, sid, "agree"); r.Status != http.StatusSeeOther {
		t.Fatalf("vote: %d %s", r.Status, r.Body)
	}
	// The same visitor's session is the same participant: the next
	// statement differs, and voting again on the first changes the vote.
	next := shownStatement(t, c.Get(e.base).Must(t, 200).Body)
	if next == sid {
		t.Fatalf("statement %s offered again after a vote", sid)
	}
	vote(c, e.base, sid, "disagree")
	var n, v int64
	e.in.App.DB.Table("opinion_votes").Where("statement_id = ?", sid).Count(&n)
	e.in.App.DB.Table("opinion_votes").Select("vote").Where("statement_id = ?", sid).Scan(&v)
	if n != 1 || v != -1 {
		t.Fatalf("after changing the vote: %d rows, vote %d; want 1 row, -1", n, v)
	}
	var parts int64
	e.in.App.DB.Table("opinion_participants").Where("component_id = ? AND anon_key IS NOT NULL", e.comp.ID).Count(&parts)
	if parts != 1 {
		t.Fatalf("%d anonymous participants, want 1", parts)
	}
	// A second visitor is another participant.
	c2 := e.in.Client()
	vote(c2, e.base, sid, "agree")
	if got := e.countVotes(0); got != 2 {
		t.Fatalf("%d votes, want 2", got)
	}
	// Nothing computed yet: the page says so; one debounced job is queued
	// for all those votes.
	c.Get(e.base+"/report").Must(t, 200).Contains(t, "not been computed yet")
	vote(c2, e.base, next, "pass")
	if ran := e.runJobs(); ran != 1 {
		t.Fatalf("%d recompute jobs ran, want 1 (debounced)", ran)
	}
	c.Get(e.base+"/report").Must(t, 200).Contains(t, "from 3 votes", "They include every vote")
	vote(c2, e.base, sid, "disagree") // a change: still 3 votes
	vote(c, e.base, next, "agree")    // a new vote
	c.Get(e.base+"/report").Must(t, 200).Contains(t, "1 votes cast since then")
}

func TestParticipationSettings(t *testing.T) {
	e := newEnv(t)
	ids := e.seed("More trains at night")
	sid := itoa(ids[0])
	e.set(map[string]any{"participation": "accounts"})
	visitor := e.in.Client()
	visitor.Get(e.base).Must(t, 200).Contains(t, "Log in to take part")
	if r := vote(visitor, e.base, sid, "agree"); r.Status != http.StatusUnauthorized && r.Status != http.StatusSeeOther {
		t.Fatalf("anonymous vote when accounts are required: %d", r.Status)
	}
	if e.countVotes(0) != 0 {
		t.Fatal("an anonymous vote was recorded although accounts are required")
	}
	acc := e.in.CreateAccount("ann@example.org", "a long password 1", false)
	c := e.in.Client()
	c.Login("ann@example.org", "a long password 1")
	if r := vote(c, e.base, sid, "agree"); r.Status != http.StatusSeeOther {
		t.Fatalf("participant vote: %d %s", r.Status, apptestSnippet(r.Body))
	}
	var owner int64
	e.in.App.DB.Table("opinion_participants").Select("account_id").Where("component_id = ?", e.comp.ID).Scan(&owner)
	if owner != acc.ID {
		t.Fatalf("participant bound to account %d, want %d", owner, acc.ID)
	}
	// Verified only: an unconfirmed account is refused.
	e.set(map[string]any{"participation": "verified"})
	if err := e.in.App.DB.Table("accounts").Where("id = ?", acc.ID).Update("confirmed_at", nil).Error; err != nil {
		t.Fatal(err)
	}
	if r := vote(c, e.base, sid, "disagree"); r.Status != http.StatusForbidden {
		t.Fatalf("unverified vote: %d, want 403", r.Status)
	}
}

func apptestSnippet(s string) string {
	if len(s) > 400 {
		return s[:400]
	}
	return s
}

func TestModerationQueue(t *testing.T) {
	e := newEnv(t)
	e.seed("Insulate every school")
	e.set(map[string]any{"moderation": "pre", "max_length": 40})
	c := e.in.Client()
	csrf := instancetest.Session(t, e.in, c, 0)
	r := instancetest.JSON(t, e.in, c, "POST", "/api/v1"+e.base+"/statements", csrf, "", `{"body":"`+strings.Repeat("x", 41)+`"}`)
	if r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest {
		t.Fatalf("too long statement: %d %s", r.Status, r.Body)
	}
	r = instancetest.JSON(t, e.in, c, "POST", "/api/v1"+e.base+"/statements", csrf, "", `{"body":"Free buses on Sundays"}`).Must(t, http.StatusCreated)
	var st struct {
		ID    int64
		State string
	}
	decode(t, r.Body, &st)
	if st.State != "pending" {
		t.Fatalf("state %q, want pending", st.State)
	}
	// Pending: not offered to voters.
	list := e.in.Client().JSON("GET", "/api/v1"+e.base+"/statements", "", "").Must(t, 200)
	if strings.Contains(list.Body, "Free buses") {
		t.Fatal("a pending statement is listed")
	}
	// A visitor cannot moderate; an admin accepts through the page.
	if r := e.in.Client().PostForm(e.base+"/admin/statements/"+itoa(st.ID)+"/accept", nil); r.Status == http.StatusSeeOther {
		t.Fatal("a visitor moderated")
	}
	e.in.CreateAccount("admin@example.org", "a long password 1", true)
	admin := e.in.Client()
	admin.Login("admin@example.org", "a long password 1")
	admin.Get(e.base+"/admin").Must(t, 200).Contains(t, "Free buses on Sundays", "waiting for moderation")
	admin.PostForm(e.base+"/admin/statements/"+itoa(st.ID)+"/accept", nil).Must(t, http.StatusSeeOther)
	e.in.Client().JSON("GET", "/api/v1"+e.base+"/statements", "", "").Must(t, 200).Contains(t, "Free buses on Sundays")
	// Rejecting takes it out again; seed statements come from the admin page.
	admin.PostForm(e.base+"/admin/statements/"+itoa(st.ID)+"/reject", nil).Must(t, http.StatusSeeOther)
	if strings.Contains(e.in.Client().JSON("GET", "/api/v1"+e.base+"/statements", "", "").Body, "Free buses") {
		t.Fatal("a rejected statement is listed")
	}
	admin.PostForm(e.base+"/admin/statements", url.Values{"body": {"Plant trees on every street"}}).Must(t, http.StatusSeeOther)
	e.in.Client().JSON("GET", "/api/v1"+e.base+"/statements", "", "").Must(t, 200).Contains(t, "Plant trees on every street")
	// Participant statements closed.
	e.set(map[string]any{"participant_statements": false})
	r = instancetest.JSON(t, e.in, c, "POST", "/api/v1"+e.base+"/statements", csrf, "", `{"body":"Another idea"}`)
	if r.Status != http.StatusForbidden {
		t.Fatalf("statement while closed: %d", r.Status)
	}
}

// TestOneVotePerParticipantConcurrently sends many votes of the same
// participants on the same statements at once: one row per pair remains,
// holding one of the votes sent.
func TestOneVotePerParticipantConcurrently(t *testing.T) {
	e := newEnv(t)
	ids := e.seed("Statement one", "Statement two")
	const voters, repeats = 8, 6
	var wg sync.WaitGroup
	errs := make(chan string, voters*repeats*2)
	for i := 0; i < voters; i++ {
		c := e.in.Client()
		csrf := instancetest.Session(t, e.in, c, 0)
		for k := 0; k < repeats; k++ {
			for _, id := range ids {
				wg.Add(1)
				go func(id int64, k int) {
					defer wg.Done()
					v := []string{"agree", "disagree", "pass"}[k%3]
					r := instancetest.JSON(t, e.in, c, "POST", "/api/v1"+e.base+"/votes", csrf, "", `{"statement_id":`+itoa(id)+`,"vote":"`+v+`"}`)
					if r.Status != http.StatusOK {
						errs <- r.Body
					}
				}(id, k)
			}
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("vote failed: %s", e)
	}
	for _, id := range ids {
		if n := e.countVotes(id); n != voters {
			t.Errorf("statement %d: %d vote rows, want %d", id, n, voters)
		}
	}
	var parts int64
	e.in.App.DB.Table("opinion_participants").Where("component_id = ?", e.comp.ID).Count(&parts)
	if parts != voters {
		t.Errorf("%d participants, want %d", parts, voters)
	}
	_ = context.Background()
}

// TestAPIVoteAndNext walks a conversation through the JSON API: the next
// statement, a vote that answers the following one, and null at the end.
func TestAPIVoteAndNext(t *testing.T) {
	e := newEnv(t)
	ids := e.seed("One", "Two", "Three")
	c := e.in.Client()
	csrf := instancetest.Session(t, e.in, c, 0)
	seen := map[int64]bool{}
	var cur struct {
		Next *struct{ ID int64 } `json:"next"`
	}
	decode(t, instancetest.JSON(t, e.in, c, "GET", "/api/v1"+e.base+"/next", csrf, "", "").Must(t, 200).Body, &cur)
	for cur.Next != nil {
		if seen[cur.Next.ID] {
			t.Fatalf("statement %d offered twice", cur.Next.ID)
		}
		seen[cur.Next.ID] = true
		r := instancetest.JSON(t, e.in, c, "POST", "/api/v1"+e.base+"/votes", csrf, "", `{"statement_id":`+itoa(cur.Next.ID)+`,"vote":"agree"}`).Must(t, 200)
		cur.Next = nil
		decode(t, r.Body, &cur)
	}
	if len(seen) != len(ids) {
		t.Fatalf("offered %d statements of %d", len(seen), len(ids))
	}
	if r := instancetest.JSON(t, e.in, c, "POST", "/api/v1"+e.base+"/votes", csrf, "", `{"statement_id":`+itoa(ids[0])+`,"vote":"maybe"}`); r.Status < 400 || r.Status >= 500 {
		t.Fatalf("invalid vote answered %d", r.Status)
	}
	if r := instancetest.JSON(t, e.in, c, "POST", "/api/v1"+e.base+"/votes", csrf, "", `{"statement_id":999999,"vote":"agree"}`); r.Status != http.StatusNotFound {
		t.Fatalf("vote on a missing statement answered %d", r.Status)
	}
}

// TestVoteBatch writes votes arriving together as one batch (PostgreSQL's
// path under load): a repeated vote on the same statement keeps the last
// one, each vote learns its participant's voted statements, and a vote
// that cannot be recorded (its statement is gone) fails alone while the
// others of its batch are recorded.
func TestVoteBatch(t *testing.T) {
	e := newEnv(t)
	if e.in.App.DB.Dialect != store.Postgres {
		t.Skip("votes are batched on PostgreSQL only; SQLite writes one at a time")
	}
	ids := e.seed("Statement one", "Statement two")
	ctx := context.Background()
	var parts []int64
	for _, key := range []string{"voter-a", "voter-b"} {
		p, err := e.svc().Participant(ctx, e.comp.ID, opinionmap.Who{AnonKey: key}, true)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p.ID)
	}
	a, b := parts[0], parts[1]
	// One batch, both votes of voter a on the first statement in it.
	errs, voted := e.svc().WriteBatch(e.comp.ID, []opinionmap.BatchVote{
		{StatementID: ids[0], ParticipantID: a, Vote: 1},
		{StatementID: ids[0], ParticipantID: b, Vote: 0},
		{StatementID: ids[0], ParticipantID: a, Vote: -1},
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("vote %d: %v", i, err)
		}
	}
	for i, v := range voted {
		if len(v) != 1 || !v[ids[0]] {
			t.Errorf("vote %d: voted statements %v, want the first", i, v)
		}
	}
	// A batch with a vote on a statement that does not exist.
	errs, voted = e.svc().WriteBatch(e.comp.ID, []opinionmap.BatchVote{
		{StatementID: ids[1] + 1000, ParticipantID: b, Vote: 1},
		{StatementID: ids[1], ParticipantID: a, Vote: 1},
	})
	if errs[0] == nil || errs[1] != nil {
		t.Errorf("errors %v, want one for the unknown statement only", errs)
	}
	if v := voted[1]; len(v) != 2 || !v[ids[0]] || !v[ids[1]] {
		t.Errorf("voter a's statements %v, want both", v)
	}
	want := map[[2]int64]int{{ids[0], a}: -1, {ids[0], b}: 0, {ids[1], a}: 1}
	var rows []struct {
		StatementID, ParticipantID int64
		Vote                       int
	}
	if err := e.in.App.DB.Table("opinion_votes").Where("component_id = ?", e.comp.ID).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Errorf("%d vote rows, want %d: %+v", len(rows), len(want), rows)
	}
	for _, r := range rows {
		if v, ok := want[[2]int64{r.StatementID, r.ParticipantID}]; !ok || v != r.Vote {
			t.Errorf("row %+v, want %v", r, want)
		}
	}
}

// TestParticipantsCreatedTogether creates participants from many
// goroutines at once (batched on PostgreSQL), some for the same identity
// and with keys that need quoting in an array: one row per identity,
// stored verbatim, and every caller of an identity gets its row.
func TestParticipantsCreatedTogether(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	keys := []string{`plain`, `quo"te`, `back\slash`, `com,ma`, `{brace}`, `NULL`, `spa ce`}
	const each = 4
	got := make([][]int64, len(keys))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, k := range keys {
		for range each {
			wg.Go(func() {
				p, err := e.svc().Participant(ctx, e.comp.ID, opinionmap.Who{AnonKey: k}, true)
				if err != nil {
					t.Errorf("%q: %v", k, err)
					return
				}
				mu.Lock()
				got[i] = append(got[i], p.ID)
				mu.Unlock()
			})
		}
	}
	acct := e.in.CreateAccount("together@example.org", "a long password 1", false).ID
	var acctIDs []int64
	for range each {
		wg.Go(func() {
			p, err := e.svc().Participant(ctx, e.comp.ID, opinionmap.Who{AccountID: acct}, true)
			if err != nil {
				t.Errorf("account: %v", err)
				return
			}
			mu.Lock()
			acctIDs = append(acctIDs, p.ID)
			mu.Unlock()
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for i, k := range keys {
		if len(got[i]) != each {
			t.Fatalf("%q: %d answers", k, len(got[i]))
		}
		for _, id := range got[i] {
			if id != got[i][0] || id == 0 {
				t.Errorf("%q: ids %v, want one", k, got[i])
			}
		}
		if seen[got[i][0]] {
			t.Errorf("%q shares id %d with another key", k, got[i][0])
		}
		seen[got[i][0]] = true
		var stored string
		if err := e.in.App.DB.Table("opinion_participants").Where("id = ?", got[i][0]).Pluck("anon_key", &stored).Error; err != nil || stored != k {
			t.Errorf("participant %d stored key %q (%v), want %q", got[i][0], stored, err, k)
		}
	}
	for _, id := range acctIDs {
		if id != acctIDs[0] || seen[id] {
			t.Errorf("account participant ids %v", acctIDs)
		}
	}
	var n int64
	e.in.App.DB.Table("opinion_participants").Where("component_id = ?", e.comp.ID).Count(&n)
	if n != int64(len(keys)+1) {
		t.Errorf("%d participant rows, want %d", n, len(keys)+1)
	}
}
