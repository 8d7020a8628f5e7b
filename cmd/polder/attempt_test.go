// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/opinionmap"
)

// created reads the id of the object a JSON call created, failing the test
// on any other status.
func created(t testing.TB, what string, r *apptest.Response) string {
	t.Helper()
	if r.Status != http.StatusOK && r.Status != http.StatusCreated && r.Status != http.StatusAccepted {
		t.Fatalf("creating %s: status %d\n%s", what, r.Status, apptest.Snippet(r.Body))
	}
	var v struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil || v.ID == "" {
		t.Fatalf("creating %s: no id in %s (%v)", what, apptest.Snippet(r.Body), err)
	}
	return v.ID.String()
}

// one reads a single id from the database.
func one(t testing.TB, in *apptest.Instance, what, query string, args ...any) string {
	t.Helper()
	var ids []int64
	if err := in.App.DB.Raw(query, args...).Scan(&ids).Error; err != nil || len(ids) == 0 {
		t.Fatalf("finding %s: %v (%d rows)", what, err, len(ids))
	}
	return fmt.Sprint(ids[0])
}

// attemptObjects creates what the other-user attempts aim at: the owner's
// published and draft proposals, comment and API token; and the shared
// objects the admin routes name (a budget and project, a statement, a
// report, a synthesis, the fixture's themes and sessions).
func attemptObjects(t testing.TB, in *apptest.Instance, fx *instancetest.Fixture, owner, admin *instancetest.User) instancetest.Params {
	js := func(u *instancetest.User, method, path, body string) *apptest.Response {
		return instancetest.JSON(t, in, u.Client, method, "/api/v1"+path, u.CSRF, "", body)
	}
	theme := one(t, in, "a theme", "SELECT id FROM process_themes WHERE process_id = ? ORDER BY id", fx.Process.ID)
	props := fx.ComponentURL("proposals")
	published := created(t, "a proposal", js(owner, http.MethodPost, props+"/proposals",
		`{"theme_id":`+theme+`,"title":"Cycle lanes on every arterial road","body":"Separated cycle lanes on the arterial roads would make cycling safe for children and older people.","publish":true}`))
	draft := created(t, "a draft", js(owner, http.MethodPost, props+"/proposals",
		`{"theme_id":`+theme+`,"title":"Free buses on Sundays for everyone","body":"Free buses on Sundays would let families reach the parks without a car, and cost little.","publish":false}`))
	comment := created(t, "a comment", js(owner, http.MethodPost, props+"/proposals/"+published+"/comments", `{"body":"I agree, and the lanes should be lit at night."}`))
	js(admin, http.MethodPost, props+"/proposals/"+published+"/report", `{"reason":"spam"}`)
	report := one(t, in, "a report", "SELECT id FROM moderation_reports ORDER BY id")
	token := created(t, "a token", js(owner, http.MethodPost, "/me/tokens", `{"name":"script"}`))

	bud := fx.ComponentURL("budgets")
	budget := created(t, "a budget", js(admin, http.MethodPost, bud+"/budgets", `{"title":"Neighbourhood budget","total":100000}`))
	project := created(t, "a project", js(admin, http.MethodPost, bud+"/budgets/"+budget+"/projects", `{"title":"A playground","cost":40000}`))
	statement := created(t, "a statement", js(owner, http.MethodPost, fx.ComponentURL("opinionmap")+"/statements", `{"body":"The town centre should be closed to cars on Saturdays."}`))
	// The statement schedules the opinion map's recompute from a
	// goroutine; wait for that job row, or it may land during an attempt
	// and read as that attempt's write (seen under CI load).
	om, ok := in.App.Registry.Module(opinionmap.ID)
	if !ok {
		t.Fatal("opinion map module not registered")
	}
	om.(*opinionmap.Module).Service().Flush()
	synthesis := created(t, "a synthesis", js(admin, http.MethodPost, fx.ComponentURL("synthesis")+"/syntheses", `{"kind":"interim","sources":[`+fmt.Sprint(fx.Components["proposals"].ID)+`]}`))
	// The build stays queued: the test instance runs no job worker, so
	// nothing writes behind the matrix's back.

	return instancetest.Params{
		// The owner's.
		"component:proposals :id": {Value: published, Owned: true},
		"POST /processes/:space/c/:component/proposals/:id/publish :id":         {Value: draft, Owned: true},
		"POST /api/v1/processes/:space/c/:component/proposals/:id/publish :id":  {Value: draft, Owned: true},
		"POST /processes/:space/c/:component/proposals/:rid/report :rid":        {Value: published, Owned: true},
		"POST /api/v1/processes/:space/c/:component/proposals/:rid/report :rid": {Value: published, Owned: true},
		"component:proposals :cid":                                             {Value: comment, Owned: true},
		"POST /processes/:space/c/:component/comments/:rid/report :rid":        {Value: comment, Owned: true},
		"POST /api/v1/processes/:space/c/:component/comments/:rid/report :rid": {Value: comment, Owned: true},
		"org :id": {Value: token, Owned: true},
		// Shared: the space's, the admin's.
		"component:proposals :mid": {Value: report},
		"component:budgets :bid":   {Value: budget},
		"component:budgets :pid":   {Value: project},
		"component:opinionmap :id": {Value: statement},
		"component:synthesis :id":  {Value: synthesis},
		"process :cid":             {Value: fmt.Sprint(fx.Components["proposals"].ID)},
		"process :key":             {Value: "mobility"},
		"org :kind":                {Value: "code"},
	}
}

// TestAttemptMatrix sends every state-changing route of this binary the
// attempts of an attacker (no session, not signed in, another user's
// session, forged and replayed CSRF tokens) and checks each is refused
// with nothing written.
func TestAttemptMatrix(t *testing.T) {
	instancetest.AttemptMatrix(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()}, instancetest.AttemptSetup{
		Objects: attemptObjects,
		OthersAllowed: map[string]string{
			"POST /processes/:space/c/:component/proposals/:id/support":          "supporting another's proposal is the point",
			"POST /processes/:space/c/:component/proposals/:id/unsupport":        "withdraws one's own support",
			"POST /api/v1/processes/:space/c/:component/proposals/:id/support":   "supporting another's proposal is the point",
			"DELETE /api/v1/processes/:space/c/:component/proposals/:id/support": "withdraws one's own support",
			"POST /processes/:space/c/:component/proposals/:id/comments":         "commenting another's proposal is the point",
			"POST /api/v1/processes/:space/c/:component/proposals/:id/comments":  "commenting another's proposal is the point",
			"POST /processes/:space/c/:component/proposals/:rid/report":          "reporting another's proposal is the point",
			"POST /api/v1/processes/:space/c/:component/proposals/:rid/report":   "reporting another's proposal is the point",
			"POST /processes/:space/c/:component/comments/:rid/report":           "reporting another's comment is the point",
			"POST /api/v1/processes/:space/c/:component/comments/:rid/report":    "reporting another's comment is the point",
		},
		// Valid bodies, so that a refusal comes from the ownership check
		// and not from an empty form.
		Bodies: map[string]url.Values{
			"POST /processes/:space/c/:component/proposals/:id/edit":        {"title": {"Taken over by someone else"}, "body": {"This proposal was rewritten by another participant than its author."}},
			"POST /api/v1/processes/:space/c/:component/proposals/:id/edit": {"json": {`{"title":"Taken over by someone else","body":"This proposal was rewritten by another participant than its author."}`}},
			"POST /processes/:space/c/:component/comments/:cid/edit":        {"body": {"Rewritten by another participant than its author."}, "stance": {"agree"}},
		},
	})
}
