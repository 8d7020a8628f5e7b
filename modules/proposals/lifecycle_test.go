// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/proposals"
)

func TestLifecycle(t *testing.T) {
	e := newEnv(t)
	u := e.user("writer", false)
	idp := func(id int64) string { return e.base + "/proposals/" + strconv.FormatInt(id, 10) }

	// A draft uses no quota and is visible only to its author.
	r := u.Post(e.base+"/proposals", url.Values{"theme_id": {strconv.FormatInt(e.theme("mobility").ID, 10)}, "title": {"Draft on cycling"}, "body": {"Safe cycle lanes on every main road."}, "draft": {"1"}})
	r.Must(t, 303)
	draftID, _ := strconv.ParseInt(proposalURL.FindStringSubmatch(r.Location)[1], 10, 64)
	e.in.Client().Get(idp(draftID)).Must(t, 404)
	u.Client.Get(idp(draftID)).Must(t, 200).Contains(t, "Draft")
	other := e.filed(u, "mobility", "Night buses", "Night buses on weekends for everyone.")
	// Publishing the draft now hits the quota (1 per theme and session).
	u.Post(idp(draftID)+"/publish", nil).Must(t, 409)

	// Fingerprint shown and verifiable.
	var p proposals.Proposal
	v := e.in.Client().JSON("GET", "/api/v1"+idp(other), "", "").Must(t, 200)
	if err := json.Unmarshal([]byte(v.Body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Fingerprint != proposals.Fingerprint("Night buses", "Night buses on weekends for everyone.") {
		t.Fatalf("fingerprint %q", p.Fingerprint)
	}
	e.in.Client().Get(idp(other)).Must(t, 200).Contains(t, p.Fingerprint)
	e.in.Client().JSON("GET", "/api/v1"+idp(other)+"/verify", "", "").Must(t, 200).Contains(t, `"match":true`)
	e.in.Client().JSON("GET", "/api/v1"+idp(other)+"/verify?fingerprint=abc", "", "").Must(t, 200).Contains(t, `"match":false`)

	// Edit within the window: new fingerprint, old one in the audit log.
	u.Post(idp(other)+"/edit", url.Values{"title": {"Night buses and trams"}, "body": {"Night buses on weekends for everyone."}}).Must(t, 303)
	want := proposals.Fingerprint("Night buses and trams", "Night buses on weekends for everyone.")
	e.in.Client().JSON("GET", "/api/v1"+idp(other)+"/verify", "", "").Must(t, 200).Contains(t, `"stored":"`+want+`"`, `"match":true`)
	if n := e.count("SELECT COUNT(*) FROM audit_log WHERE action = 'proposals.edit' AND details LIKE ?", "%"+p.Fingerprint+" -> "+want+"%"); n != 1 {
		t.Fatalf("audit entries of the edit: %d", n)
	}
	// Someone else cannot edit.
	stranger := e.user("stranger", false)
	stranger.Post(idp(other)+"/edit", url.Values{"title": {"Hijacked title"}, "body": {"Hijacked body text here."}}).Must(t, 403)
	// After the window, editing is refused.
	e.set(map[string]any{"edit_minutes": 0}, nil)
	u.Post(idp(other)+"/edit", url.Values{"title": {"Too late a title"}, "body": {"Night buses on weekends for everyone."}}).Must(t, 409).Contains(t, "can no longer be edited")

	// Evaluators answer; participants cannot.
	answer := url.Values{"answer_state": {"accepted"}, "answer_text": {"We will run a pilot."}}
	stranger.Post(idp(other)+"/answer", answer).Must(t, 403)
	ev := e.user("evaluator", false)
	if err := e.in.App.Authz.Grant(context.Background(), ev.Acc.ID, registry.RoleEvaluator, e.fx.Domain()); err != nil {
		t.Fatal(err)
	}
	ev.Post(idp(other)+"/answer", url.Values{"answer_state": {"maybe"}}).Must(t, 422)
	ev.Post(idp(other)+"/answer", answer).Must(t, 303)
	e.in.Client().Get(idp(other)).Must(t, 200).Contains(t, "Official answer: Accepted", "We will run a pilot.")

	// Withdrawal keeps the quota used by default…
	u.Post(idp(other)+"/withdraw", nil).Must(t, 303)
	e.in.Client().Get(idp(other)).Must(t, 200).Contains(t, "The author withdrew this proposal.")
	u.Post(idp(draftID)+"/publish", nil).Must(t, 409)
	// …and gives it back when the setting says so (for later withdrawals).
	e.set(map[string]any{"edit_minutes": 0, "withdrawal_returns_quota": true}, nil)
	hid := e.filed(u, "housing", "Housing co-ops", "Support housing cooperatives with land.")
	e.file(u, "housing", "Another housing idea", "A second housing idea text.").Must(t, 409)
	u.Post(idp(hid)+"/withdraw", nil).Must(t, 303)
	e.filed(u, "housing", "Another housing idea", "A second housing idea text.")

	for _, action := range []string{"proposals.create_draft", "proposals.publish", "proposals.edit", "proposals.answer", "proposals.withdraw"} {
		if e.count("SELECT COUNT(*) FROM audit_log WHERE action = ?", action) == 0 {
			t.Errorf("no audit entry %s", action)
		}
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	u := e.user("clumsy", false)
	theme := strconv.FormatInt(e.theme("mobility").ID, 10)
	// A theme and a session of another process.
	otherSpace := newOtherProcess(t, e)
	cases := []struct {
		name   string
		form   url.Values
		status int
		msg    string
	}{
		{"EmptyTitle", url.Values{"theme_id": {theme}, "title": {"   "}, "body": {"A body long enough."}}, 422, "Give your proposal a title."},
		{"OversizeTitle", url.Values{"theme_id": {theme}, "title": {strings.Repeat("x", 151)}, "body": {"A body long enough."}}, 422, "The title is at most 150 characters long (yours has 151)."},
		{"EmptyBody", url.Values{"theme_id": {theme}, "title": {"A proper title"}, "body": {""}}, 422, "Write your proposal."},
		{"OversizeBody", url.Values{"theme_id": {theme}, "title": {"A proper title"}, "body": {strings.Repeat("y", 5001)}}, 422, "The text is at most 5000 characters long"},
		{"NoTheme", url.Values{"title": {"A proper title"}, "body": {"A body long enough."}}, 422, "Choose one of this process"},
		{"ThemeOfAnotherProcess", url.Values{"theme_id": {strconv.FormatInt(otherSpace.Themes[0].ID, 10)}, "title": {"A proper title"}, "body": {"A body long enough."}}, 422, "Choose one of this process"},
		{"SessionOfAnotherProcess", url.Values{"theme_id": {theme}, "session_id": {strconv.FormatInt(otherSpace.Sessions[0].ID, 10)}, "title": {"A proper title"}, "body": {"A body long enough."}}, 422, "This session does not belong to this process."},
		{"PastSession", url.Values{"theme_id": {theme}, "session_id": {strconv.FormatInt(e.session("first").ID, 10)}, "title": {"A proper title"}, "body": {"A body long enough."}}, 409, "Filing is closed now."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u.Post(e.base+"/proposals", c.form).Must(t, c.status).Contains(t, c.msg)
		})
	}
	// Closed session: filing refused, with the next session's date.
	e.set(nil, map[string]any{"proposals_open": false})
	u.Post(e.base+"/proposals", url.Values{"theme_id": {theme}, "title": {"A proper title"}, "body": {"A body long enough."}}).Must(t, 409).
		Contains(t, "Filing is closed now. The next session opens on "+e.session("third").StartsAt.Format("2006-01-02"))
	// The API answers the same in JSON.
	_, token, err := e.in.App.Accounts.CreateAPIToken(context.Background(), u.Acc.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	e.in.Client().JSON("POST", "/api/v1"+e.base+"/proposals", token, `{"theme_id":`+theme+`,"title":"A proper title","body":"A body long enough.","publish":true}`).
		Must(t, 409).Contains(t, `"error":"conflict"`, "Filing is closed now.")
	if n := e.count("SELECT COUNT(*) FROM proposals"); n != 0 {
		t.Fatalf("%d proposals written by bad input", n)
	}
	e.set(nil, map[string]any{"proposals_open": true})
	// Markup in a body is shown as text, never executed.
	id := e.filed(u, "mobility", "<script>alert('t')</script>", "Body with <img src=x onerror=alert(1)> and <b>tags</b>.")
	page := u.Client.Get(e.base+"/proposals/"+strconv.FormatInt(id, 10)).Must(t, 200)
	page.Contains(t, "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")
	if strings.Contains(page.Body, "<img src=x") || strings.Contains(page.Body, "<script>alert") {
		t.Fatal("markup rendered unescaped")
	}
	// Visitors cannot file.
	e.in.Client().PostRaw(e.base+"/proposals", url.Values{"theme_id": {theme}, "title": {"A proper title"}, "body": {"A body long enough."}}).Must(t, 403)
}
