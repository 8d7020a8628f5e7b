// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/audit"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/sortition"
)

// TestSignupClosingDate: the closing date of a sign-up, on the service.
// A past date is refused at setup; before the date volunteers sign up,
// from the date on the sign-up is refused and stores nothing, while a
// withdrawal still works; closing stays the organisers' action and still
// runs the feasibility check; reopening after the date needs a later one.
func TestSignupClosingDate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.mod.Service()
	t0 := time.Now().UTC().Truncate(time.Minute)
	svc.Now = func() time.Time { return t0 }
	ids := e.accounts("vol", 6)
	setup := func(closes *time.Time) error {
		_, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte(signupQuotas), PanelSize: 3, ClosesAt: closes})
		return err
	}
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }

	var pe *perr.Error
	for _, past := range []*time.Time{at(-time.Minute), at(0)} {
		if err := setup(past); !errors.As(err, &pe) || pe.MessageID != "sortition.error.closes_at_past" || pe.Fields["signup_closes_at"] == "" {
			t.Fatalf("setup closing at %v (now %v): %v", past, t0, err)
		}
	}
	if n := e.count(&sortition.Draw{}); n != 0 {
		t.Fatalf("a refused setup stored %d draws", n)
	}
	closes := at(48 * time.Hour)
	if err := setup(closes); err != nil {
		t.Fatal(err)
	}
	if d := e.draw(); d.SignupClosesAt == nil || !d.SignupClosesAt.Equal(*closes) || d.Status != sortition.StatusCollecting {
		t.Fatalf("stored closing date %v, want %v (status %s)", d.SignupClosesAt, closes, d.Status)
	}
	// Before the date (up to its last second) volunteers sign up.
	for i, a := range [][2]string{{"female", "young"}, {"male", "old"}} {
		if i == 1 {
			svc.Now = func() time.Time { return closes.Add(-time.Second) }
		}
		if _, err := svc.SignUp(ctx, e.comp, ids[i], answers(a[0], a[1])); err != nil {
			t.Fatalf("sign-up %d before the date: %v", i, err)
		}
	}
	// From the closing date on: refused, nothing stored, the count unchanged.
	svc.Now = func() time.Time { return *closes }
	if _, err := svc.SignUp(ctx, e.comp, ids[2], answers("male", "young")); code(err) != perr.CodeConflict || !errors.As(err, &pe) || pe.MessageID != "sortition.error.signup_ended" {
		t.Fatalf("sign-up at the closing date: %v", err)
	}
	if d := e.draw(); d.PoolSize != 2 || e.count(&sortition.PoolRow{}) != 2 || d.Status != sortition.StatusCollecting {
		t.Fatalf("after a refused sign-up: pool size %d, %d rows, status %s", d.PoolSize, e.count(&sortition.PoolRow{}), d.Status)
	}
	// Withdrawing stays possible until the draw.
	if err := svc.Withdraw(ctx, e.comp, ids[1]); err != nil {
		t.Fatalf("withdrawal after the closing date: %v", err)
	}
	// Closing is not automatic and still checks the quotas: one volunteer
	// cannot make a panel of 3.
	if _, err := svc.Close(ctx, e.comp); !errors.As(err, &pe) || pe.MessageID != "sortition.error.close_infeasible" {
		t.Fatalf("close with one volunteer: %v", err)
	}
	// Saving the quotas again keeps the past date; a different past date
	// is refused; a later one lets volunteers in again.
	if err := setup(closes); err != nil {
		t.Fatalf("re-saving with the stored date: %v", err)
	}
	if err := setup(at(time.Hour)); !errors.As(err, &pe) || pe.MessageID != "sortition.error.closes_at_past" {
		t.Fatalf("another past date: %v", err)
	}
	later := at(72 * time.Hour)
	if err := setup(later); err != nil {
		t.Fatal(err)
	}
	for i, a := range [][2]string{{"male", "old"}, {"male", "young"}, {"female", "old"}} {
		if _, err := svc.SignUp(ctx, e.comp, ids[2+i], answers(a[0], a[1])); err != nil {
			t.Fatalf("sign-up after moving the date: %v", err)
		}
	}
	if _, err := svc.Close(ctx, e.comp); err != nil {
		t.Fatal(err)
	}
	// Reopening after the date is refused until a later date is set.
	svc.Now = func() time.Time { return later.Add(time.Minute) }
	if _, err := svc.Reopen(ctx, e.comp); !errors.As(err, &pe) || pe.MessageID != "sortition.error.reopen_ended" {
		t.Fatalf("reopen after the date: %v", err)
	}
	if err := setup(nil); err != nil {
		t.Fatalf("clearing the date of a closed sign-up: %v", err)
	}
	if d, err := svc.Reopen(ctx, e.comp); err != nil || d.Status != sortition.StatusCollecting || d.SignupClosesAt != nil {
		t.Fatalf("reopen without a date: %+v %v", d, err)
	}
	if _, err := svc.SignUp(ctx, e.comp, ids[1], answers("male", "old")); err != nil {
		t.Fatalf("sign-up without a closing date: %v", err)
	}
}

// TestSignupClosingDatePages: the closing date through the pages. The
// setup form refuses a malformed or past date next to the field and keeps
// the other answers; the component page and the organisers' page show the
// date; after it the form is gone, a post is refused, withdrawing is still
// offered and the organisers are told to close.
func TestSignupClosingDatePages(t *testing.T) {
	e := newEnv(t)
	svc := e.mod.Service()
	t0 := time.Now().UTC().Truncate(time.Minute)
	svc.Now = func() time.Time { return t0 }
	p, _ := e.member("volunteer@example.org", "")
	q, _ := e.member("late@example.org", "")

	form := func(closes string) url.Values {
		return url.Values{"signup_quotas": {signupQuotas}, "signup_panel_size": {"3"}, "signup_households": {"yes"}, "signup_closes_at": {closes}}
	}
	kept := []string{"gender,female,1,2", `name="signup_panel_size" value="3"`, `name="signup_households" value="yes" checked`,
		`aria-describedby="signup_closes_at-hint signup_closes_at-error" aria-invalid="true"`, `id="signup_closes_at-error"`}
	e.post(e.base+"/setup", form("31/12/2030 18:00")).Must(t, http.StatusUnprocessableEntity).
		Contains(t, append(kept, "Give the closing date and time as year-month-day", `value="31/12/2030 18:00"`)...)
	past := web.InputTime(t0.Add(-time.Hour))
	e.post(e.base+"/setup", form(past)).Must(t, http.StatusUnprocessableEntity).
		Contains(t, append(kept, "This closing date has already passed", `value="`+past+`"`)...)
	if n := e.count(&sortition.Draw{}); n != 0 {
		t.Fatalf("refused setups stored %d draws", n)
	}

	closes := t0.Add(24 * time.Hour)
	e.post(e.base+"/setup", form(web.InputTime(closes))).Must(t, http.StatusSeeOther)
	if d := e.draw(); d.SignupClosesAt == nil || !d.SignupClosesAt.Equal(closes) {
		t.Fatalf("stored closing date %v, want %v", d.SignupClosesAt, closes)
	}
	var logged audit.Entry
	if err := e.in.App.DB.Where("action = ?", "sortition.signup_setup").Last(&logged).Error; err != nil || !strings.Contains(logged.Details, "closes "+web.DateTime(closes)) {
		t.Fatalf("audit of the setup: %+v %v", logged, err)
	}
	when := web.DateTime(closes)
	e.admin.Get(e.base+"/pool").Must(t, http.StatusOK).Contains(t, "Sign-ups close on "+when, `value="`+web.InputTime(closes)+`"`)
	p.c.Get(e.base).Must(t, http.StatusOK).Contains(t, "Sign-ups close on "+when, `action="`+e.base+`/signup"`)
	ok := url.Values{"_csrf": {p.csrf}, "f0": {"female"}, "f1": {"young"}, "household": {"Elm 1"}, "consent": {"yes"}}
	p.c.PostRaw(e.base+"/signup", ok).Must(t, http.StatusSeeOther)

	svc.Now = func() time.Time { return closes.Add(time.Minute) }
	lacks(t, q.c.Get(e.base).Must(t, http.StatusOK).Contains(t, "Sign-ups closed on "+when, "the organisers are preparing the draw"),
		`action="`+e.base+`/signup"`, "Sign-ups close on", "The sign-up is closed.")
	late := url.Values{"_csrf": {q.csrf}, "f0": {"male"}, "f1": {"old"}, "household": {"Oak 1"}, "consent": {"yes"}}
	q.c.PostRaw(e.base+"/signup", late).Must(t, http.StatusConflict).Contains(t, "reached its closing date")
	if n := e.count(&sortition.PoolRow{}); n != 1 {
		t.Fatalf("%d pool rows after a sign-up past the date", n)
	}
	p.c.Get(e.base).Must(t, http.StatusOK).Contains(t, "You have signed up", "Withdraw my sign-up", "Sign-ups closed on "+when)
	e.admin.Get(e.base+"/pool").Must(t, http.StatusOK).
		Contains(t, "Sign-ups closed on "+when+": the form no longer accepts volunteers", `action="`+e.base+`/signup/close"`)
	// Closing still checks the quotas (one volunteer for a panel of 3).
	e.post(e.base+"/signup/close", url.Values{}).Must(t, http.StatusUnprocessableEntity).Contains(t, "The sign-up stays open")
}
