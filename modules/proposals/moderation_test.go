// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var commentIDs = regexp.MustCompile(`id="comment-(\d+)"`)

func TestCommentsAndModeration(t *testing.T) {
	e := newEnv(t)
	author := e.user("author", false)
	id := e.filed(author, "mobility", "Bike parking at stations", "Secure bike parking at every station.")
	path := e.base + "/proposals/" + strconv.FormatInt(id, 10)
	alice, bob := e.user("alice", false), e.user("bob", false)

	// Threaded comments, depth at most 3.
	alice.Post(path+"/comments", url.Values{"body": {"Yes, and <em>covered</em> please."}, "stance": {"agree"}}).Must(t, 303)
	parent := lastComment(t, e, id)
	for depth := 1; depth <= 3; depth++ {
		bob.Post(path+"/comments", url.Values{"body": {"Reply at depth " + strconv.Itoa(depth)}, "stance": {"neutral"}, "parent_id": {strconv.FormatInt(parent, 10)}}).Must(t, 303)
		parent = lastComment(t, e, id)
	}
	bob.Post(path+"/comments", url.Values{"body": {"Too deep"}, "parent_id": {strconv.FormatInt(parent, 10)}}).Must(t, 422).Contains(t, "Replies go at most 3 levels deep")
	bob.Post(path+"/comments", url.Values{"body": {"  "}}).Must(t, 422)
	bob.Post(path+"/comments", url.Values{"body": {"Bad stance"}, "stance": {"maybe"}}).Must(t, 422)
	bob.Post(path+"/comments", url.Values{"body": {"Costs too much."}, "stance": {"disagree"}}).Must(t, 303)
	against := lastComment(t, e, id)
	page := e.in.Client().Get(path).Must(t, 200)
	page.Contains(t, "Comments (5)", "1 in favour, 1 against, 3 neutral", "Yes, and &lt;em&gt;covered&lt;/em&gt; please.", "Reply at depth 3")

	// Edit and delete one's own comment only.
	first := commentIDs.FindStringSubmatch(page.Body)[1]
	bob.Post(e.base+"/comments/"+first+"/edit", url.Values{"body": {"hijack"}, "stance": {"agree"}}).Must(t, 403)
	alice.Post(e.base+"/comments/"+first+"/edit", url.Values{"body": {"Yes, covered please."}, "stance": {"agree"}}).Must(t, 303)
	e.in.Client().Get(path).Must(t, 200).Contains(t, "Yes, covered please.", "edited")
	bob.Post(e.base+"/comments/"+first+"/delete", nil).Must(t, 403)

	// Three reports hide a comment (auto_hide_reports defaults to 3).
	cpath := e.base + "/comments/" + strconv.FormatInt(against, 10)
	bob.Post(cpath+"/report", url.Values{"reason": {"spam"}}).Must(t, 422).Contains(t, "You cannot report your own content.")
	alice.Post(cpath+"/report", url.Values{"reason": {"nonsense"}}).Must(t, 422)
	for i, u := range []*user{alice, author, e.user("carol", false)} {
		u.Post(cpath+"/report", url.Values{"reason": {"offensive"}, "details": {"rude"}}).Must(t, 303)
		if i == 0 {
			alice.Post(cpath+"/report", url.Values{"reason": {"offensive"}}).Must(t, 409).Contains(t, "already reported")
		}
	}
	page = e.in.Client().Get(path).Must(t, 200)
	if strings.Contains(page.Body, "Costs too much.") {
		t.Fatal("hidden comment still shown")
	}
	page.Contains(t, "Comments (4)")
	if n := e.count("SELECT COUNT(*) FROM notifications WHERE account_id = ? AND kind = 'moderation.hidden'", bob.Acc.ID); n != 1 {
		t.Fatalf("author notified %d times", n)
	}
	if n := e.count("SELECT COUNT(*) FROM notifications WHERE kind = 'moderation.report_outcome'"); n != 3 {
		t.Fatalf("reporters notified %d times, want 3", n)
	}

	// A proposal reported once goes to the moderator's queue.
	alice.Post(path+"/report", url.Values{"reason": {"off_topic"}}).Must(t, 303)
	alice.Client.Get(e.base+"/moderation").Must(t, 403)
	mod := e.user("moderator", true)
	q := mod.Client.Get(e.base+"/moderation").Must(t, 200)
	q.Contains(t, "Bike parking at stations", "Off topic")
	var queue struct {
		Reported []struct {
			ID           int64
			ResourceType string
		}
	}
	if err := json.Unmarshal([]byte(mod.Client.JSON("GET", "/api/v1"+e.base+"/moderation", "", "").Must(t, 200).Body), &queue); err != nil {
		t.Fatal(err)
	}
	var mid int64
	for _, it := range queue.Reported {
		if it.ResourceType == "proposal" {
			mid = it.ID
		}
	}
	mod.Post(e.base+"/moderation/"+strconv.FormatInt(mid, 10)+"/hide", nil).Must(t, 303)

	// Hidden: gone from the list, search, exports and the page for visitors.
	visitor := e.in.Client()
	visitor.Get(path).Must(t, 404)
	if strings.Contains(visitor.Get(e.base).Body, "Bike parking") || strings.Contains(visitor.Get(e.base+"?q=parking").Body, "Bike parking") {
		t.Fatal("hidden proposal listed")
	}
	for _, exp := range []string{"/export.csv", "/export.json"} {
		if strings.Contains(visitor.Get(e.base+exp).Must(t, 200).Body, "Bike parking") {
			t.Fatalf("hidden proposal in %s", exp)
		}
	}
	mod.Client.Get(e.base+"/admin/export.csv").Must(t, 200).Contains(t, "id,theme,session,author_kind,title", "Bike parking", author.Acc.Nickname, "true")
	author.Client.Get(path).Must(t, 200).Contains(t, "hidden by moderation")
	if n := e.count("SELECT COUNT(*) FROM notifications WHERE account_id = ? AND kind = 'moderation.hidden'", author.Acc.ID); n != 1 {
		t.Fatalf("proposal author notified %d times", n)
	}
	// Unhide brings it back.
	mod.Post(e.base+"/moderation/"+strconv.FormatInt(mid, 10)+"/unhide", nil).Must(t, 303)
	visitor.Get(path).Must(t, 200)
	visitor.Get(e.base).Must(t, 200).Contains(t, "Bike parking")
}

// lastComment returns the id of the newest comment on a proposal.
func lastComment(t *testing.T, e *env, proposalID int64) int64 {
	t.Helper()
	return int64(e.count("SELECT MAX(id) FROM comments WHERE resource_type = 'proposal' AND resource_id = ?", proposalID))
}
