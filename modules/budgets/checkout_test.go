// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/modules/budgets"
)

// TestConcurrentCheckouts fires, through HTTP, several checkouts of the
// same voter at once (exactly one ballot must result) and checkouts of
// many voters at once (every one counted, none doubled).
func TestConcurrentCheckouts(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	b, p := e.budget(admin, `{"title":"Race","total":100}`, 30, 40, 50)
	path := "/budgets/" + itoa(b.ID)

	// One voter, 12 simultaneous checkouts (pages and API).
	u := e.user("racer", false)
	e.json(u, "POST", path+"/basket", `{"project_id":`+itoa(p[0])+`}`).Must(t, 200)
	e.json(u, "POST", path+"/basket", `{"project_id":`+itoa(p[1])+`}`).Must(t, 200)
	var wg sync.WaitGroup
	statuses := make([]int, 12)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				statuses[i] = u.Post(e.base+path+"/checkout", nil).Status
			} else {
				statuses[i] = e.json(u, "POST", path+"/checkout", "").Status
			}
		}()
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		switch s {
		case 200, 303:
			ok++
		case 409:
		default:
			t.Errorf("unexpected status %d", s)
		}
	}
	if ok != 1 {
		t.Fatalf("%d checkouts succeeded for one voter, want 1 (%v)", ok, statuses)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballots WHERE account_id = ?", u.Acc.ID); n != 1 {
		t.Fatalf("%d ballots for one voter", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballot_lines l JOIN budget_ballots b ON b.id = l.ballot_id WHERE b.account_id = ?", u.Acc.ID); n != 2 {
		t.Fatalf("%d ballot lines, want 2", n)
	}

	// Many voters at once, each checking out twice.
	const voters = 24
	users := make([]*user, voters)
	for i := range users {
		users[i] = e.user("crowd", false)
		e.json(users[i], "POST", path+"/basket", `{"project_id":`+itoa(p[i%3])+`}`).Must(t, 200)
	}
	for _, v := range users {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.json(v, "POST", path+"/checkout", "")
				if r.Status != 200 && r.Status != 409 {
					t.Errorf("status %d: %s", r.Status, r.Body)
				}
			}()
		}
	}
	wg.Wait()
	if n := e.count("SELECT COUNT(*) FROM budget_ballots WHERE budget_id = ?", b.ID); n != voters+1 {
		t.Fatalf("%d ballots, want %d", n, voters+1)
	}
	if n := e.count("SELECT COUNT(DISTINCT account_id) FROM budget_ballots WHERE budget_id = ?", b.ID); n != voters+1 {
		t.Fatalf("%d distinct voters, want %d", n, voters+1)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballot_lines"); n != voters+2 {
		t.Fatalf("%d ballot lines, want %d", n, voters+2)
	}
}

// TestCheckoutCrashLeavesNoPartialBallot fails the checkout between the
// ballot row and its lines: nothing of the ballot may remain, the basket
// stays, and the voter can check out afterwards.
func TestCheckoutCrashLeavesNoPartialBallot(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	b, p := e.budget(admin, `{"title":"Crash","total":100}`, 30, 40)
	path := "/budgets/" + itoa(b.ID)
	u := e.user("voter", false)
	e.json(u, "POST", path+"/basket", `{"project_id":`+itoa(p[0])+`}`).Must(t, 200)
	e.json(u, "POST", path+"/basket", `{"project_id":`+itoa(p[1])+`}`).Must(t, 200)

	reached := 0
	budgets.SetCheckoutFault(e.svc(), func(context.Context) error { reached++; return errors.New("injected crash") })
	if r := e.json(u, "POST", path+"/checkout", ""); r.Status != 500 {
		t.Fatalf("crashed checkout: status %d", r.Status)
	}
	if reached != 1 {
		t.Fatalf("the fault point ran %d times", reached)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballots"); n != 0 {
		t.Fatalf("%d ballots after a crash", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballot_lines"); n != 0 {
		t.Fatalf("%d ballot lines after a crash", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_basket_items WHERE account_id = ?", u.Acc.ID); n != 2 {
		t.Fatalf("basket has %d items after a crash, want 2", n)
	}
	budgets.SetCheckoutFault(e.svc(), nil)
	e.json(u, "POST", path+"/checkout", "").Must(t, 200)
	bl, err := e.svc().MyBallot(context.Background(), b, u.Acc.ID)
	if err != nil || bl == nil || len(bl.Lines) != 2 {
		t.Fatalf("ballot after retry: %+v %v", bl, err)
	}
}

// TestRuleRefusals covers the ballot rules through the API: reasons come
// back translated with their codes, and the basket stays.
func TestRuleRefusals(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	b, p := e.budget(admin, `{"title":"Rules","total":100,"knapsack":true,"min_projects":2,"threshold_percent":50}`, 10, 20, 60, 70)
	path := "/budgets/" + itoa(b.ID)
	u := e.user("voter", false)
	e.json(u, "POST", path+"/basket", `{"project_id":`+itoa(p[0])+`}`).Must(t, 200)
	r := e.json(u, "POST", path+"/checkout?locale=fr", "")
	if r.Status != 422 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	r.Contains(t, `"too_few_projects"`, `"below_threshold"`, "Choisissez au moins 2 projets (votre panier en contient 1).")
	e.json(u, "GET", path+"/basket?locale=en", "").Must(t, 200).Contains(t, "Add at least 1 more project.")
	e.json(u, "POST", path+"/basket", `{"project_id":`+itoa(p[2])+`}`).Must(t, 200)
	e.json(u, "POST", path+"/basket", `{"project_id":`+itoa(p[3])+`}`).Must(t, 200)
	e.json(u, "GET", path+"/basket", "").Must(t, 200).Contains(t, `"over_budget"`, `"valid":false`)
	if r := e.json(u, "POST", path+"/checkout", ""); r.Status != 422 {
		t.Fatalf("over budget: status %d", r.Status)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_basket_items WHERE account_id = ?", u.Acc.ID); n != 3 {
		t.Fatalf("basket has %d items, want 3", n)
	}
	e.json(u, "DELETE", path+"/basket/"+itoa(p[3]), "").Must(t, 200).Contains(t, `"valid":true`)
	e.json(u, "POST", path+"/checkout", "").Must(t, 200)
	// Unknown project ids.
	v := e.user("other", false)
	if r := e.json(v, "POST", path+"/basket", `{"project_id":424242}`); r.Status != 404 {
		t.Fatalf("unknown project: %d", r.Status)
	}
	if r := e.json(v, "DELETE", path+"/basket/424242", ""); r.Status != 404 {
		t.Fatalf("unknown project removal: %d", r.Status)
	}
	// Points ballots: too many points.
	pb, pp := e.budget(admin, `{"title":"Points","total":1000,"ballot_kind":"points","knapsack":false,"max_points":10,"max_points_project":6}`, 100, 200)
	pathP := "/budgets/" + itoa(pb.ID)
	e.json(v, "POST", pathP+"/basket", `{"project_id":`+itoa(pp[0])+`,"points":7}`).Must(t, 200)
	e.json(v, "POST", pathP+"/basket", `{"project_id":`+itoa(pp[1])+`,"points":5}`).Must(t, 200)
	r = e.json(v, "POST", pathP+"/checkout", "")
	r.Contains(t, `"too_many_points"`, `"too_many_points_project"`, `“Project A” has 7 points`)
	e.json(v, "GET", pathP+"/basket", "").Contains(t, `“Project A” has 7 points`)
	if r.Status != 422 {
		t.Fatalf("points: status %d", r.Status)
	}
	e.json(v, "POST", pathP+"/basket", `{"project_id":`+itoa(pp[0])+`,"points":5}`).Must(t, 200)
	e.json(v, "POST", pathP+"/checkout", "").Must(t, 200).Contains(t, `"points":5`)
	// After the vote the basket is closed to the voter.
	if r := e.json(v, "POST", pathP+"/basket", `{"project_id":`+itoa(pp[1])+`,"points":1}`); r.Status != 409 {
		t.Fatalf("basket after the vote: status %d", r.Status)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_basket_items WHERE account_id = ?", v.Acc.ID); n != 0 {
		t.Fatalf("%d basket items after the vote", n)
	}
}

// TestCheckoutConnectionLostMidWrite cancels the checkout's context
// between the ballot row and its lines, as a client or connection lost in
// the middle of the transaction would: the database must roll it back
// (no ballot, no line, basket kept) and a later checkout succeeds.
func TestCheckoutConnectionLostMidWrite(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	b, p := e.budget(admin, `{"title":"Lost","total":100}`, 30, 40)
	path := "/budgets/" + itoa(b.ID)
	u := e.user("voter", false)
	e.json(u, "POST", path+"/basket", `{"project_id":`+itoa(p[0])+`}`).Must(t, 200)
	e.json(u, "POST", path+"/basket", `{"project_id":`+itoa(p[1])+`}`).Must(t, 200)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	budgets.SetCheckoutFault(e.svc(), func(context.Context) error { cancel(); return nil })
	if _, err := e.svc().Checkout(ctx, b, u.Acc.ID); err == nil {
		t.Fatal("checkout with its context cancelled mid-write succeeded")
	}
	budgets.SetCheckoutFault(e.svc(), nil)
	if n := e.count("SELECT COUNT(*) FROM budget_ballots"); n != 0 {
		t.Fatalf("%d ballots after a lost connection", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballot_lines"); n != 0 {
		t.Fatalf("%d ballot lines after a lost connection", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_basket_items WHERE account_id = ?", u.Acc.ID); n != 2 {
		t.Fatalf("basket has %d items after a lost connection, want 2", n)
	}
	e.json(u, "POST", path+"/checkout", "").Must(t, 200)
	if n := e.count("SELECT COUNT(*) FROM budget_ballot_lines"); n != 2 {
		t.Fatalf("%d ballot lines after the retry, want 2", n)
	}
}

// TestCheckoutStatements counts the SQL statements of a checkout (besides
// BEGIN and COMMIT): four whatever the basket's size once the budget's
// projects are cached (budget row, ballot row, basket, lines), one more
// for the first checkout of a budget in this process. No query per
// project, no extra write.
func TestCheckoutStatements(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	b, p := e.budget(admin, `{"title":"Count","total":1000}`, 10, 20, 30, 40, 50)
	var counting atomic.Bool
	var n atomic.Int64
	// Only the module's tables: core's background work is not counted.
	count := func(db *gorm.DB) {
		if counting.Load() && strings.Contains(db.Statement.SQL.String(), "budget") {
			n.Add(1)
		}
	}
	cb := e.in.App.DB.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("budgets_test:count", count),
		"row":    cb.Row().After("gorm:row").Register("budgets_test:count", count),
		"raw":    cb.Raw().After("gorm:raw").Register("budgets_test:count", count),
		"create": cb.Create().After("gorm:create").Register("budgets_test:count", count),
		"update": cb.Update().After("gorm:update").Register("budgets_test:count", count),
		"delete": cb.Delete().After("gorm:delete").Register("budgets_test:count", count),
	} {
		if err != nil {
			t.Fatalf("registering the %s counter: %v", name, err)
		}
	}
	checkout := func(items int) int64 {
		u := e.user("voter", false)
		for _, id := range p[:items] {
			e.json(u, "POST", "/budgets/"+itoa(b.ID)+"/basket", `{"project_id":`+itoa(id)+`}`).Must(t, 200)
		}
		n.Store(0)
		counting.Store(true)
		bl, err := e.svc().Checkout(context.Background(), b, u.Acc.ID)
		counting.Store(false)
		if err != nil || len(bl.Lines) != items {
			t.Fatalf("checkout of %d projects: %+v %v", items, bl, err)
		}
		return n.Load()
	}
	if got := checkout(2); got != 5 {
		t.Errorf("first checkout of the budget: %d statements, want 5 (with the projects' load)", got)
	}
	for _, items := range []int{1, 3, 5} {
		if got := checkout(items); got != 4 {
			t.Errorf("checkout of %d projects: %d statements, want 4", items, got)
		}
	}
}

// TestCloseWaitsForCheckoutInFlight holds a checkout open between its
// ballot row and its lines and closes the vote meanwhile: the close must
// wait (on PostgreSQL the checkout share-locks the budget row, and it has
// deleted the voter's basket rows, which the close deletes too; SQLite has
// one writer), so the ballot lands whole before the close, and a checkout
// started after the close is refused.
func TestCloseWaitsForCheckoutInFlight(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.user("admin", true)
	b, p := e.budget(admin, `{"title":"Close","total":100}`, 30)
	u, late := e.user("voter", false), e.user("late", false)
	for _, v := range []*user{u, late} {
		e.json(v, "POST", "/budgets/"+itoa(b.ID)+"/basket", `{"project_id":`+itoa(p[0])+`}`).Must(t, 200)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	budgets.SetCheckoutFault(e.svc(), func(context.Context) error { close(inside); <-release; return nil })
	checkedOut := make(chan error, 1)
	go func() { _, err := e.svc().Checkout(ctx, b, u.Acc.ID); checkedOut <- err }()
	<-inside
	closed := make(chan error, 1)
	go func() {
		closed <- e.svc().SetState(ctx, &budgets.Budget{ID: b.ID, ComponentID: b.ComponentID, State: budgets.StateOpen}, admin.Acc.ID, budgets.StateClosed)
	}()
	// A close that does not wait would finish now; one that waits cannot
	// finish before the release, however slow the machine.
	select {
	case err := <-closed:
		t.Fatalf("the close finished while a checkout was in flight (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-checkedOut; err != nil {
		t.Fatalf("checkout in flight: %v", err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("close: %v", err)
	}
	budgets.SetCheckoutFault(e.svc(), nil)
	if n := e.count("SELECT COUNT(*) FROM budget_ballot_lines l JOIN budget_ballots x ON x.id = l.ballot_id WHERE x.account_id = ?", u.Acc.ID); n != 1 {
		t.Fatalf("the checkout in flight left %d lines, want 1", n)
	}
	if r := e.json(late, "POST", "/budgets/"+itoa(b.ID)+"/checkout", ""); r.Status != 409 {
		t.Fatalf("checkout after the close: status %d", r.Status)
	}
}
