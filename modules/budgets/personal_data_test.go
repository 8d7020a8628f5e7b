// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/modules/budgets"
)

// TestPersonalDataAndErasure: a participant's data download holds their
// basket and ballot; deleting the account (through the page, with the
// password) deletes the basket and detaches the ballot, which stays
// counted and anonymous in the published outcome; others are untouched.
func TestPersonalDataAndErasure(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.user("admin", true)
	b1, p1 := e.budget(admin, `{"title":"North","total":100}`, 30, 40)
	b2, p2 := e.budget(admin, `{"title":"South","total":100}`, 50, 60)
	u := e.user("voter", false)
	other := e.user("other", false)
	for _, v := range []*user{u, other} {
		e.json(v, "POST", "/budgets/"+itoa(b1.ID)+"/basket", `{"project_id":`+itoa(p1[0])+`}`).Must(t, 200)
		e.json(v, "POST", "/budgets/"+itoa(b1.ID)+"/basket", `{"project_id":`+itoa(p1[1])+`}`).Must(t, 200)
		e.json(v, "POST", "/budgets/"+itoa(b1.ID)+"/checkout", "").Must(t, 200)
		e.json(v, "POST", "/budgets/"+itoa(b2.ID)+"/basket", `{"project_id":`+itoa(p2[1])+`}`).Must(t, 200)
	}

	// The data download, through core's page.
	r := u.Client.Get("/account/data").Must(t, 200)
	var export struct {
		Modules map[string]budgets.PersonalRecord `json:"modules"`
	}
	if err := json.Unmarshal([]byte(r.Body), &export); err != nil {
		t.Fatalf("data download: %v: %.300s", err, r.Body)
	}
	rec, ok := export.Modules[budgets.ID]
	if !ok {
		t.Fatalf("no budgets section in the data download: %.500s", r.Body)
	}
	if len(rec.Ballots) != 1 || rec.Ballots[0].BudgetID != b1.ID || rec.Ballots[0].BudgetTitle != "North" || len(rec.Ballots[0].Lines) != 2 ||
		rec.Ballots[0].Lines[0].ProjectID != p1[0] || rec.Ballots[0].Lines[1].Cost != 40 || rec.Ballots[0].CastAt.IsZero() {
		t.Fatalf("ballots in the download: %+v", rec.Ballots)
	}
	if len(rec.Baskets) != 1 || rec.Baskets[0].BudgetID != b2.ID || len(rec.Baskets[0].Lines) != 1 || rec.Baskets[0].Lines[0].ProjectID != p2[1] {
		t.Fatalf("baskets in the download: %+v", rec.Baskets)
	}
	if d, err := e.mod.PersonalData(ctx, admin.Acc.ID); err != nil || d != nil {
		t.Fatalf("an account without baskets or ballots: %+v %v", d, err)
	}

	// Erasure through core's page, with the password.
	hash, err := accounts.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.in.App.DB.Exec("UPDATE accounts SET password_hash = ? WHERE id = ?", hash, u.Acc.ID).Error; err != nil {
		t.Fatal(err)
	}
	u.Post("/account/delete", form("password", "correct horse battery")).Must(t, 303)
	if n := e.count("SELECT COUNT(*) FROM budget_ballots WHERE account_id = ?", u.Acc.ID); n != 0 {
		t.Fatalf("%d ballots still linked to the erased account", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_basket_items WHERE account_id = ?", u.Acc.ID); n != 0 {
		t.Fatalf("%d basket items of the erased account", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballots WHERE budget_id = ? AND account_id IS NULL", b1.ID); n != 1 {
		t.Fatalf("%d anonymous ballots, want 1", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballot_lines"); n != 4 {
		t.Fatalf("%d ballot lines after erasure, want 4 (nothing lost)", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_basket_items WHERE account_id = ?", other.Acc.ID); n != 1 {
		t.Fatalf("the other voter's basket has %d items, want 1", n)
	}
	if err := e.mod.Anonymise(ctx, u.Acc.ID); err != nil { // idempotent
		t.Fatal(err)
	}
	if d, err := e.mod.PersonalData(ctx, u.Acc.ID); err != nil || d != nil {
		t.Fatalf("personal data after erasure: %+v %v", d, err)
	}

	// The anonymous ballot is still counted; baskets never checked out
	// go with the close.
	e.json(admin, "POST", "/budgets/"+itoa(b1.ID)+"/basket", `{"project_id":`+itoa(p1[0])+`}`).Must(t, 200)
	e.json(admin, "POST", "/budgets/"+itoa(b1.ID)+"/state", `{"state":"closed"}`).Must(t, 200)
	if n := e.count("SELECT COUNT(*) FROM budget_basket_items WHERE budget_id = ?", b1.ID); n != 0 {
		t.Fatalf("%d basket items left after the close", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_basket_items WHERE budget_id = ?", b2.ID); n != 1 {
		t.Fatalf("the open budget's basket has %d items, want 1", n)
	}
	res := e.json(admin, "POST", "/budgets/"+itoa(b1.ID)+"/publish", "").Must(t, 200)
	var out budgets.Results
	if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Voters != 2 {
		t.Fatalf("published with %d voters, want 2 (the erased voter's ballot counts)", out.Voters)
	}
}
