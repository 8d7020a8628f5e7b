// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/modules/sortition"
)

// TestSignupPages walks the sign-up through the pages: the organiser sets
// up the quotas, a participant volunteers through the form (errors keep
// the input; a second post is refused), withdraws and signs up again; the
// organiser sees the counts against the quotas, closes, commits and
// draws; participants never reach the organisers' pages.
func TestSignupPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.mod.Service()

	p, pid := e.member("volunteer@example.org", "")
	// Before the setup: no form, and a sign-up is refused.
	lacks(t, p.c.Get(e.base).Must(t, http.StatusOK), `action="`+e.base+`/signup"`)
	p.c.PostRaw(e.base+"/signup", url.Values{"_csrf": {p.csrf}, "f0": {"female"}, "f1": {"young"}, "consent": {"yes"}}).Must(t, http.StatusConflict)

	// A participant cannot set up or close the sign-up.
	p.c.PostRaw(e.base+"/setup", url.Values{"_csrf": {p.csrf}, "signup_quotas": {signupQuotas}, "signup_panel_size": {"3"}}).Must(t, http.StatusForbidden)
	if n := e.count(&sortition.Draw{}); n != 0 {
		t.Fatalf("a participant opened a sign-up (%d draws)", n)
	}
	e.admin.Get(e.base+"/pool").Must(t, http.StatusOK).Contains(t, `id="signup_quotas"`, "Open the sign-up")
	e.post(e.base+"/setup", url.Values{"signup_quotas": {"category,feature,min,max\ngender,female,x,1\n"}, "signup_panel_size": {"3"}}).
		Must(t, http.StatusUnprocessableEntity).Contains(t, "line 2")
	e.post(e.base+"/setup", url.Values{"signup_quotas": {signupQuotas}, "signup_panel_size": {"3"}, "signup_households": {"yes"}}).Must(t, http.StatusSeeOther)
	if d := e.draw(); d.Status != sortition.StatusCollecting || !d.Households {
		t.Fatalf("after setup: %+v", d)
	}
	p.c.PostRaw(e.base+"/signup/close", url.Values{"_csrf": {p.csrf}}).Must(t, http.StatusForbidden)
	p.c.Get(e.base+"/pool").Must(t, http.StatusForbidden)

	// A visitor is asked to sign in.
	anon := e.in.Client()
	lacks(t, anon.Get(e.base).Must(t, http.StatusOK).Contains(t, "Sign in to volunteer"), `id="consent"`)

	// The form: one labelled select per category, the address, the consent.
	page := p.c.Get(e.base).Must(t, http.StatusOK)
	page.Contains(t, "Volunteer for the panel", `<label for="f0">gender</label>`, `<select id="f0" name="f0" required>`,
		`<option value="male">male</option>`, `<label for="f1">age</label>`, `id="household"`,
		`<input type="checkbox" id="consent" name="consent" value="yes" required>`, "Only the organisers who run the draw see them", "90 days")

	// Errors keep the input and name each field; nothing is stored.
	r := p.c.PostRaw(e.base+"/signup", url.Values{"_csrf": {p.csrf}, "f0": {"female"}, "f1": {"ancient"}, "household": {"Elm Street 1"}})
	r.Must(t, http.StatusUnprocessableEntity).Contains(t, "Please check the answers marked below",
		`<option value="female" selected>female</option>`, `aria-invalid="true" aria-describedby="f1-error"`,
		"Choose one of the listed answers", `value="Elm Street 1"`, "Tick the box to consent")
	if n := e.count(&sortition.PoolRow{}); n != 0 {
		t.Fatalf("an invalid sign-up stored %d rows", n)
	}
	// Without the CSRF token: refused.
	p.c.PostRaw(e.base+"/signup", url.Values{"f0": {"female"}, "f1": {"young"}, "consent": {"yes"}}).Must(t, http.StatusForbidden)

	ok := url.Values{"_csrf": {p.csrf}, "f0": {"female"}, "f1": {"young"}, "household": {"Elm Street 1"}, "consent": {"yes"}}
	p.c.PostRaw(e.base+"/signup", ok).Must(t, http.StatusSeeOther)
	lacks(t, p.c.Get(e.base).Must(t, http.StatusOK).Contains(t, "You have signed up", "<dd>female</dd>", "<dd>elm street 1</dd>", "Withdraw my sign-up"),
		`id="consent"`)
	// The same post again (a double click): a clear message, one row.
	p.c.PostRaw(e.base+"/signup", ok).Must(t, http.StatusConflict).Contains(t, "already signed up")
	if n := e.count(&sortition.PoolRow{}); n != 1 {
		t.Fatalf("%d rows after a double post", n)
	}
	// Withdraw, then sign up again.
	p.c.PostRaw(e.base+"/signup/withdraw", url.Values{"_csrf": {p.csrf}}).Must(t, http.StatusSeeOther)
	if n := e.count(&sortition.PoolRow{}); n != 0 {
		t.Fatalf("%d rows after the withdrawal", n)
	}
	p.c.PostRaw(e.base+"/signup/withdraw", url.Values{"_csrf": {p.csrf}}).Must(t, http.StatusConflict)
	// Signing up again, the form posted four times at once: one sign-up.
	statuses := make([]int, 4)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = p.c.PostRaw(e.base+"/signup", ok).Status
		}()
	}
	wg.Wait()
	slices.Sort(statuses)
	if n := e.count(&sortition.PoolRow{}); n != 1 || !slices.Equal(statuses, []int{http.StatusSeeOther, http.StatusConflict, http.StatusConflict, http.StatusConflict}) {
		t.Fatalf("four concurrent posts: statuses %v, %d rows", statuses, n)
	}

	// The organiser: counts against the quotas, then the close.
	lacks(t, e.admin.Get(e.base+"/pool").Must(t, http.StatusOK).Contains(t, "Volunteers against the quotas", "No panel can meet the quotas yet",
		"Volunteers signed up so far: 1.", "Uploading a pool is not available"), `id="quotas"`)
	e.post(e.base+"/signup/close", url.Values{}).Must(t, http.StatusUnprocessableEntity).Contains(t, "The sign-up stays open")
	others := e.accounts("other", 4)
	for i, a := range [][2]string{{"male", "old"}, {"male", "young"}, {"female", "old"}, {"male", "old"}} {
		s := answers(a[0], a[1])
		s.Household = []string{"Oak 1", "Oak 2", "Oak 3", "Oak 4"}[i]
		if _, err := svc.SignUp(ctx, e.comp, others[i], s); err != nil {
			t.Fatal(err)
		}
	}
	e.admin.Get(e.base+"/pool").Must(t, http.StatusOK).Contains(t, "The counts allow a panel", "<td>2</td>", "account-")
	e.post(e.base+"/pool", url.Values{"quotas": {signupQuotas}, "pool": {"gender,age\nfemale,old\nmale,young\nfemale,young\n"}, "panel_size": {"3"}}).
		Must(t, http.StatusUnprocessableEntity).Contains(t, "signed up through the form")
	e.post(e.base+"/commit", url.Values{"secret": {"a long enough secret"}}).Must(t, http.StatusUnprocessableEntity).Contains(t, "Close the sign-up first")
	e.post(e.base+"/signup/close", url.Values{}).Must(t, http.StatusSeeOther)
	anon.Get(e.base).Must(t, http.StatusOK).Contains(t, "The sign-up is closed")
	e.post(e.base+"/signup", url.Values{"f0": {"male"}, "f1": {"old"}, "consent": {"yes"}}).Must(t, http.StatusConflict).Contains(t, "The sign-up is not open")
	e.post(e.base+"/signup/reopen", url.Values{}).Must(t, http.StatusSeeOther)
	e.post(e.base+"/signup/close", url.Values{}).Must(t, http.StatusSeeOther)
	secret := "collected pool secret"
	e.post(e.base+"/commit", url.Values{"secret": {secret}}).Must(t, http.StatusSeeOther)
	e.post(e.base+"/signup/reopen", url.Values{}).Must(t, http.StatusUnprocessableEntity)
	e.post(e.base+"/draw", url.Values{"secret": {secret}, "public_value": {"2 4 6"}}).Must(t, http.StatusSeeOther)
	d := e.draw()
	if d.Status != sortition.StatusDrawn || d.PoolSize != 5 {
		t.Fatalf("drawn: %+v", d)
	}
	rec, err := d.PublishedRecord()
	if err != nil || len(rec.Selected) != 3 {
		t.Fatalf("record: %v", err)
	}
	// After the draw the volunteer sees the erasure schedule, no withdrawal.
	lacks(t, p.c.Get(e.base).Must(t, http.StatusOK).Contains(t, "The draw has taken place"), "Withdraw my sign-up")
	p.c.PostRaw(e.base+"/signup/withdraw", url.Values{"_csrf": {p.csrf}}).Must(t, http.StatusConflict)
	var mine sortition.PoolRow
	if err := e.in.App.DB.Where("account_id = ?", pid).First(&mine).Error; err != nil || mine.DrawID != d.ID {
		t.Fatalf("the volunteer's row after the draw: %+v %v", mine, err)
	}
	if strings.Contains(anon.Get(e.base+"/record.json").Body, "oak") {
		t.Fatal("the record publishes addresses")
	}
}

// lacks fails when the response body holds one of the fragments.
func lacks(t *testing.T, r *apptest.Response, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if strings.Contains(r.Body, f) {
			t.Fatalf("the page holds %q:\n%s", f, apptest.Snippet(r.Body))
		}
	}
}
