// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/modules/sortition"
)

const signupQuotas = "category,feature,min,max\ngender,female,1,2\ngender,male,1,2\nage,young,1,2\nage,old,1,2\n"

// accounts creates n confirmed participants of the organisation.
func (e *env) accounts(prefix string, n int) []int64 {
	e.t.Helper()
	now := time.Now().UTC()
	ids := make([]int64, n)
	for i := range ids {
		em := fmt.Sprintf("%s%d@example.org", prefix, i)
		a := &accounts.Account{OrganisationID: e.in.Org.ID, Email: &em, Name: em, Nickname: fmt.Sprintf("%s%d", prefix, i), Kind: accounts.KindPerson, ConfirmedAt: &now}
		if err := e.in.App.DB.Create(a).Error; err != nil {
			e.t.Fatal(err)
		}
		ids[i] = a.ID
	}
	return ids
}

func code(err error) perr.Code {
	if err == nil {
		return ""
	}
	return perr.CodeOf(err)
}

func answers(gender, age string) sortition.Signup {
	return sortition.Signup{Values: map[string]string{"gender": gender, "age": age}, Consent: true}
}

// TestSignupCollectsThePool: the organisers set up the quotas before any
// pool exists; participants sign up once each (validation, uniqueness,
// withdrawal); closing checks the quotas can be met; the collected pool
// is committed, drawn within the quotas and marks the drawn accounts;
// uploading is refused while sign-ups exist.
func TestSignupCollectsThePool(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.mod.Service()
	ids := e.accounts("vol", 8)

	// No sign-up before the setup.
	if _, err := svc.SignUp(ctx, e.comp, ids[0], answers("female", "young")); code(err) != perr.CodeConflict {
		t.Fatalf("sign-up before the setup: %v", err)
	}
	// A quota table no pool can meet is refused at once.
	if _, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte("category,feature,min,max\ngender,female,3,4\ngender,male,3,4\n"), PanelSize: 4}); code(err) != perr.CodeInvalid || !strings.Contains(err.Error(), "above the panel size") {
		t.Fatalf("infeasible setup: %v", err)
	}
	d, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte(signupQuotas), PanelSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != sortition.StatusCollecting || d.PoolSize != 0 || d.SignupOpenedAt == nil {
		t.Fatalf("after setup: %+v", d)
	}
	// Commitment and draw wait for the sign-up to close.
	if _, err := svc.Commit(ctx, e.comp, "a long enough secret"); code(err) != perr.CodeConflict {
		t.Fatalf("commit while collecting: %v", err)
	}

	// Validation: each field named, nothing stored.
	_, err = svc.SignUp(ctx, e.comp, ids[0], sortition.Signup{Values: map[string]string{"gender": "other"}})
	var pe *perr.Error
	if !errors.As(err, &pe) || pe.Code != perr.CodeInvalid {
		t.Fatalf("invalid sign-up: %v", err)
	}
	want := map[string]string{"f0": "sortition.signup.unknown", "f1": "sortition.signup.missing", "consent": "sortition.signup.consent_missing"}
	for k, v := range want {
		if pe.Fields[k] != v {
			t.Fatalf("field %s: %q, want %q (all: %v)", k, pe.Fields[k], v, pe.Fields)
		}
	}
	noConsent := answers("female", "young")
	noConsent.Consent = false
	if _, err := svc.SignUp(ctx, e.comp, ids[0], noConsent); code(err) != perr.CodeInvalid {
		t.Fatalf("sign-up without consent: %v", err)
	}
	if n := e.count(&sortition.PoolRow{}); n != 0 {
		t.Fatalf("invalid sign-ups stored %d rows", n)
	}

	// Concurrent double posts of one account: one row.
	const posts = 6
	errs := make([]error, posts)
	var wg sync.WaitGroup
	for i := range posts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.SignUp(ctx, e.comp, ids[0], answers("female", "young"))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch code(err) {
		case "":
			ok++
		case perr.CodeConflict:
		default:
			t.Fatalf("concurrent sign-up: %v", err)
		}
	}
	if n := e.count(&sortition.PoolRow{}); ok != 1 || n != 1 || e.draw().PoolSize != 1 {
		t.Fatalf("%d concurrent sign-ups succeeded, %d rows, pool size %d; want 1", ok, n, e.draw().PoolSize)
	}
	if _, err := svc.SignUp(ctx, e.comp, ids[0], answers("male", "old")); !errors.As(err, &pe) || pe.MessageID != "sortition.error.signed_up" {
		t.Fatalf("second sign-up: %v", err)
	}

	// Too few volunteers: closing is refused, the sign-up stays open.
	if _, err := svc.Close(ctx, e.comp); !errors.As(err, &pe) || pe.MessageID != "sortition.error.close_infeasible" {
		t.Fatalf("closing with one volunteer: %v", err)
	}
	if s := e.draw().Status; s != sortition.StatusCollecting {
		t.Fatalf("status %s after a refused close", s)
	}
	// The answers stored are the volunteer's, linked to the account.
	mine, err := svc.MySignup(ctx, e.draw(), ids[0])
	if err != nil || mine == nil || mine.AccountID != ids[0] || mine.Features != "[0,0]" || mine.ConsentedAt == nil {
		t.Fatalf("own sign-up: %+v %v", mine, err)
	}
	// Withdrawal, then a new sign-up with other answers.
	if err := svc.Withdraw(ctx, e.comp, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := svc.Withdraw(ctx, e.comp, ids[0]); code(err) != perr.CodeConflict {
		t.Fatalf("second withdrawal: %v", err)
	}
	if mine, _ := svc.MySignup(ctx, e.draw(), ids[0]); mine != nil || e.draw().PoolSize != 0 {
		t.Fatalf("after withdrawal: %+v, pool size %d", mine, e.draw().PoolSize)
	}
	for i, a := range [][2]string{{"male", "old"}, {"female", "old"}, {"male", "young"}, {"female", "young"}, {"male", "old"}, {"female", "young"}} {
		if _, err := svc.SignUp(ctx, e.comp, ids[i], answers(a[0], a[1])); err != nil {
			t.Fatalf("sign-up %d: %v", i, err)
		}
	}
	// The tally shows the counts against the quotas.
	rows, err := svc.Pool(ctx, e.draw())
	if err != nil {
		t.Fatal(err)
	}
	tally, diag, err := e.draw().Tally(rows)
	if err != nil || diag != "" {
		t.Fatalf("tally: %v, diagnosis %q", err, diag)
	}
	if got := fmt.Sprint(tally); got != "[{gender [{female 1 2 3 false} {male 1 2 3 false}]} {age [{young 1 2 3 false} {old 1 2 3 false}]}]" {
		t.Fatalf("tally %s", got)
	}

	// Quotas may change their bounds while sign-ups exist, not their values.
	if _, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte("category,feature,min,max\ngender,female,1,2\ngender,other,1,2\n"), PanelSize: 3}); !errors.As(err, &pe) || pe.MessageID != "sortition.error.setup_values" {
		t.Fatalf("changing the values with sign-ups: %v", err)
	}
	if _, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte(strings.ReplaceAll(signupQuotas, ",1,2\n", ",0,3\n")), PanelSize: 4}); err != nil {
		t.Fatal(err)
	}
	if d := e.draw(); d.PanelSize != 4 || d.PoolSize != 6 || d.Status != sortition.StatusCollecting {
		t.Fatalf("after changing the bounds: %+v", d)
	}
	// An upload would mix the pools: refused.
	if _, err := svc.Upload(ctx, e.space, e.comp, sortition.Upload{Categories: []byte(signupQuotas), Respondents: []byte("gender,age\nfemale,old\nmale,young\nfemale,young\n"), PanelSize: 3}); !errors.As(err, &pe) || pe.MessageID != "sortition.error.has_signups" {
		t.Fatalf("upload with sign-ups: %v", err)
	}

	d, err = svc.Close(ctx, e.comp)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != sortition.StatusUploaded || d.PoolSize != 6 {
		t.Fatalf("closed: %+v", d)
	}
	if _, err := svc.SignUp(ctx, e.comp, ids[7], answers("male", "old")); !errors.As(err, &pe) || pe.MessageID != "sortition.error.signup_closed" {
		t.Fatalf("sign-up after close: %v", err)
	}
	// Reopen and close again; the volunteer who comes late is counted.
	if _, err := svc.Reopen(ctx, e.comp); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SignUp(ctx, e.comp, ids[7], answers("male", "old")); err != nil {
		t.Fatal(err)
	}
	if d, err = svc.Close(ctx, e.comp); err != nil || d.PoolSize != 7 {
		t.Fatalf("second close: %+v %v", d, err)
	}
	// A volunteer withdraws after the close, before the draw.
	if err := svc.Withdraw(ctx, e.comp, ids[6]); err == nil {
		t.Fatal("account 6 never signed up, yet withdrew")
	}
	if err := svc.Withdraw(ctx, e.comp, ids[5]); err != nil {
		t.Fatal(err)
	}
	secret := "collected pool secret"
	if _, err := svc.Commit(ctx, e.comp, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte(signupQuotas), PanelSize: 3}); !errors.As(err, &pe) || pe.MessageID != "sortition.error.setup_committed" {
		t.Fatalf("setup after the commitment: %v", err)
	}
	d, err = svc.Draw(ctx, e.space, e.comp, secret, "3 1 4 1 5")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := d.PublishedRecord()
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Pool) != 6 || len(rec.Selected) != 4 {
		t.Fatalf("record: pool %d, selected %d", len(rec.Pool), len(rec.Selected))
	}
	if sel, err := rec.Verify(); err != nil || len(sel) != 4 {
		t.Fatalf("verify: %v %v", sel, err)
	}
	quotasMet(t, rec)
	if strings.Contains(d.Record, "account-") {
		t.Fatal("the record shows the sign-ups' account ids")
	}
	members, err := e.in.App.Panels.Members(ctx, e.domain)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 4 {
		t.Fatalf("%d panel marks, want 4", len(members))
	}
	if members[ids[5]] {
		t.Fatal("the volunteer who withdrew was drawn")
	}
	if err := svc.Withdraw(ctx, e.comp, ids[0]); err == nil {
		t.Fatal("a withdrawal after the draw succeeded")
	}

	// Personal data: the sign-up is in the download, then erased.
	data, err := e.mod.PersonalData(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(data)
	if !strings.Contains(string(b), `"signed_up_at"`) || !strings.Contains(string(b), `"gender":"male"`) {
		t.Fatalf("export: %s", b)
	}
	if err := e.mod.Anonymise(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	var left int64
	e.in.App.DB.Model(&sortition.PoolRow{}).Where("account_id = ?", ids[0]).Count(&left)
	if left != 0 {
		t.Fatal("the erased account's sign-up is kept")
	}
	// Retention erases the rest of the collected pool.
	days := e.in.App.Components.Settings(e.comp).Int("retention_days")
	svc.Now = func() time.Time { return time.Now().UTC().Add(time.Duration(days)*24*time.Hour + time.Hour) }
	if n, err := svc.EraseDue(ctx); err != nil || n != 1 || e.count(&sortition.PoolRow{}) != 0 {
		t.Fatalf("retention: %d %v, %d rows left", n, err, e.count(&sortition.PoolRow{}))
	}
}

// TestSignupHouseholds: with the household rule on, the address is kept
// normalised, dropped when the rule is switched off, and the collected
// pool is drawn with at most one member per household.
func TestSignupHouseholds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.mod.Service()
	ids := e.accounts("home", 6)
	q := "category,feature,min,max\ngender,female,0,2\ngender,male,0,2\n"
	if _, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte(q), PanelSize: 2, Households: true}); err != nil {
		t.Fatal(err)
	}
	homes := []string{"  Elm Street 1 ", "elm   street 1", "ELM STREET 1", "Oak Lane 2", "Oak lane 2", ""}
	for i, h := range homes {
		s := sortition.Signup{Values: map[string]string{"gender": []string{"female", "male"}[i%2]}, Household: h, Consent: true}
		if _, err := svc.SignUp(ctx, e.comp, ids[i], s); err != nil {
			t.Fatal(err)
		}
	}
	long := sortition.Signup{Values: map[string]string{"gender": "male"}, Household: strings.Repeat("x", 301), Consent: true}
	var pe *perr.Error
	if _, err := svc.SignUp(ctx, e.comp, ids[0], long); !errors.As(err, &pe) || pe.Fields["household"] == "" {
		t.Fatalf("a too long address: %v", err)
	}
	var got []string
	e.in.App.DB.Model(&sortition.PoolRow{}).Order("position").Pluck("household", &got)
	if strings.Join(got, "|") != "elm street 1|elm street 1|elm street 1|oak lane 2|oak lane 2|" {
		t.Fatalf("stored households %q", got)
	}
	if _, err := svc.Close(ctx, e.comp); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Commit(ctx, e.comp, "households secret"); err != nil {
		t.Fatal(err)
	}
	d, err := svc.Draw(ctx, e.space, e.comp, "households secret", "6 6 6")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := d.PublishedRecord()
	if err != nil {
		t.Fatal(err)
	}
	var ms []sortition.Member
	e.in.App.DB.Where("draw_id = ?", d.ID).Find(&ms)
	seen := map[string]bool{}
	for _, m := range ms {
		var r sortition.PoolRow
		if err := e.in.App.DB.Where("account_id = ?", m.AccountID).First(&r).Error; err != nil {
			t.Fatal(err)
		}
		if r.Household != "" && seen[r.Household] {
			t.Fatalf("two members of household %q drawn (%v)", r.Household, rec.Selected)
		}
		seen[r.Household] = true
	}

	// Switching the rule off drops the addresses (on a new sign-up draw).
	e2 := newEnv(t)
	svc2 := e2.mod.Service()
	ids2 := e2.accounts("h", 1)
	if _, err := svc2.Setup(ctx, e2.space, e2.comp, sortition.SignupSetup{Categories: []byte(q), PanelSize: 2, Households: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc2.SignUp(ctx, e2.comp, ids2[0], sortition.Signup{Values: map[string]string{"gender": "male"}, Household: "Elm 1", Consent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc2.Setup(ctx, e2.space, e2.comp, sortition.SignupSetup{Categories: []byte(q), PanelSize: 2}); err != nil {
		t.Fatal(err)
	}
	var r sortition.PoolRow
	e2.in.App.DB.First(&r)
	if r.Household != "" || e2.draw().Households {
		t.Fatalf("the rule is off, the address %q is kept", r.Household)
	}
}

// TestSetupReplacesAnUploadedPool: opening a sign-up on a component whose
// pool was uploaded replaces that pool, as a new upload would.
func TestSetupReplacesAnUploadedPool(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.mod.Service()
	if _, err := svc.Upload(ctx, e.space, e.comp, sortition.Upload{Categories: []byte(signupQuotas), Respondents: []byte("gender,age\nfemale,old\nmale,young\nfemale,young\n"), PanelSize: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reopen(ctx, e.comp); code(err) != perr.CodeConflict {
		t.Fatalf("reopening an uploaded pool: %v", err)
	}
	if _, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte(signupQuotas), PanelSize: 3}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(&sortition.PoolRow{}); n != 0 || e.draw().Status != sortition.StatusCollecting {
		t.Fatalf("after setup: %d rows, status %s", n, e.draw().Status)
	}
}

// TestSignupRacesClose: sign-ups posted while the organiser closes the
// sign-up are either in the closed pool (and counted) or refused as
// closed; none is stored outside the count.
func TestSignupRacesClose(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.mod.Service()
	ids := e.accounts("race", 10)
	q := "category,feature,min,max\ngender,female,0,1\ngender,male,0,1\n"
	if _, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte(q), PanelSize: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SignUp(ctx, e.comp, ids[0], sortition.Signup{Values: map[string]string{"gender": "female"}, Consent: true}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i := 1; i < len(ids); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.SignUp(ctx, e.comp, ids[i], sortition.Signup{Values: map[string]string{"gender": "male"}, Consent: true})
		}()
	}
	var closeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, closeErr = svc.Close(ctx, e.comp)
	}()
	wg.Wait()
	if closeErr != nil {
		t.Fatal(closeErr)
	}
	stored := 1
	for i, err := range errs[1:] {
		switch code(err) {
		case "":
			stored++
		case perr.CodeConflict:
		default:
			t.Fatalf("sign-up %d: %v", i+1, err)
		}
	}
	d := e.draw()
	if n := e.count(&sortition.PoolRow{}); d.Status != sortition.StatusUploaded || int(n) != stored || d.PoolSize != stored {
		t.Fatalf("status %s, %d rows, pool size %d, %d sign-ups accepted", d.Status, n, d.PoolSize, stored)
	}
}

// TestWithdrawalDuringDraw: a volunteer who withdraws while the panel is
// being computed is not drawn from a pool they left: the draw stores
// nothing and says so, and drawing again uses the pool without them.
func TestWithdrawalDuringDraw(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.mod.Service()
	ids := e.accounts("race", 8)
	if _, err := svc.Setup(ctx, e.space, e.comp, sortition.SignupSetup{Categories: []byte(signupQuotas), PanelSize: 3}); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		g, a := []string{"female", "male"}[i%2], []string{"young", "old"}[(i/2)%2]
		if _, err := svc.SignUp(ctx, e.comp, id, answers(g, a)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Close(ctx, e.comp); err != nil {
		t.Fatal(err)
	}
	const secret, public = "a secret for the race", "7 7 7"
	if _, err := svc.Commit(ctx, e.comp, secret); err != nil {
		t.Fatal(err)
	}
	withdrew := 0
	undo := sortition.SetAfterPoolRead(func() {
		if withdrew == 0 {
			if err := svc.Withdraw(ctx, e.comp, ids[0]); err != nil {
				t.Errorf("withdrawal during the draw: %v", err)
			}
			withdrew++
		}
	})
	_, err := svc.Draw(ctx, e.space, e.comp, secret, public)
	var pe *perr.Error
	if !errors.As(err, &pe) || pe.MessageID != "sortition.error.pool_changed" {
		t.Fatalf("draw across a withdrawal: %v", err)
	}
	if d := e.draw(); d.Status != sortition.StatusCommitted || d.Record != "" || d.PoolSize != 7 {
		t.Fatalf("after the refused draw: status %s, record %d bytes, pool %d", d.Status, len(d.Record), d.PoolSize)
	}
	if n := e.count(&sortition.Member{}); n != 0 {
		t.Fatalf("%d members stored by a refused draw", n)
	}
	undo()
	d, err := svc.Draw(ctx, e.space, e.comp, secret, public)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := d.PublishedRecord()
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Pool) != 7 || len(rec.Selected) != 3 {
		t.Fatalf("record after the retry: pool %d, selected %d", len(rec.Pool), len(rec.Selected))
	}
	mine, err := svc.MySignup(ctx, d, ids[0])
	if err != nil || mine != nil {
		t.Fatalf("the withdrawn sign-up is still there: %+v %v", mine, err)
	}
}
