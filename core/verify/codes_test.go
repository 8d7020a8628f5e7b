// SPDX-License-Identifier: AGPL-3.0-or-later

package verify_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/verify"
)

func TestCodesEndToEnd(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.enable(t, "code", "")
	r := f.admin.PostForm("/admin/verify/codes/generate", url.Values{"count": {"3"}, "batch": {"letters 2026"}}).Must(t, http.StatusOK)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("codes not served as a CSV download: %v", r.Header)
	}
	lines := strings.Fields(r.Body)
	if len(lines) != 4 || lines[0] != "code" {
		t.Fatalf("CSV %q", r.Body)
	}
	codes := lines[1:]
	if codes[0] == codes[1] || len(codes[0]) != 14 {
		t.Fatalf("codes %v", codes)
	}
	f.admin.PostForm("/admin/verify/codes/generate", url.Values{"count": {"0"}}).Must(t, http.StatusUnprocessableEntity)
	// Only hashes are stored.
	scanDB(t, f.in, codes...)
	scanDB(t, f.in, strings.ReplaceAll(codes[0], "-", ""))

	ann, c := f.participant(t, "ann@example.org")
	c.Get("/verify").Must(t, http.StatusOK).Contains(t, "Invitation code")
	c.PostForm("/verify/code", url.Values{"code": {"ABCD-EFGH-JKLM"}}).Must(t, http.StatusUnprocessableEntity).Contains(t, "not valid")
	typed := strings.ToLower(strings.ReplaceAll(codes[0], "-", " "))
	c.PostForm("/verify/code", url.Values{"code": {typed}}).Must(t, http.StatusSeeOther)
	if !f.in.App.Verify.Has(ctx, ann.ID, "code") {
		t.Fatal("not verified by a valid code")
	}
	bob, cb := f.participant(t, "bob@example.org")
	cb.PostForm("/verify/code", url.Values{"code": {codes[0]}}).Must(t, http.StatusUnprocessableEntity).Contains(t, "already been used")
	if f.in.App.Verify.Has(ctx, bob.ID, "code") {
		t.Fatal("a code verified two accounts")
	}
	f.admin.Get("/admin/verify").Must(t, http.StatusOK).Contains(t, "1 of 3 used.")
}

// TestCodeConcurrentRedemption: 20 accounts redeem one code at once
// through the API; exactly one wins.
func TestCodeConcurrentRedemption(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.enable(t, "code", "")
	codes, err := f.in.App.Verify.GenerateCodes(ctx, f.in.Org.ID, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	accs := make([]*accounts.Account, n)
	toks := make([]string, n)
	for i := range n {
		accs[i] = f.in.CreateAccount(fmt.Sprintf("p%d@example.org", i), password, false)
		toks[i] = apiToken(t, f, accs[i].ID)
	}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, f.in.URL+"/api/v1/verify/code", strings.NewReader(`{"code":"`+codes[0]+`"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+toks[i])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, st := range statuses {
		switch st {
		case http.StatusCreated:
			won++
			if !f.in.App.Verify.Has(ctx, accs[i].ID, "code") {
				t.Errorf("winner %d not verified", i)
			}
		case http.StatusUnprocessableEntity:
			if f.in.App.Verify.Has(ctx, accs[i].ID, "code") {
				t.Errorf("loser %d verified", i)
			}
		default:
			t.Errorf("redemption %d: status %d", i, st)
		}
	}
	if won != 1 {
		t.Fatalf("%d redemptions succeeded, want exactly 1", won)
	}
	var records int64
	f.in.App.DB.Table("verifications").Where("kind = ?", "code").Count(&records)
	if records != 1 {
		t.Fatalf("%d code verifications recorded", records)
	}
}

func TestEmailDomain(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	adminAcc, err := f.in.App.Accounts.Authenticate(ctx, f.in.Org.ID, "admin@example.org", password)
	if err != nil {
		t.Fatal(err)
	}
	tok := apiToken(t, f, adminAcc.ID)
	api := f.in.Client()
	api.JSON(http.MethodPost, "/api/v1/admin/verify/email_domain", tok, `{"enabled":true,"valid_days":10,"config":"not a domain"}`).Must(t, http.StatusUnprocessableEntity)
	api.JSON(http.MethodPost, "/api/v1/admin/verify/email_domain", tok, `{"enabled":true,"valid_days":10,"config":"city.example, @staff.example"}`).Must(t, http.StatusOK)
	api.JSON(http.MethodGet, "/api/v1/admin/verify", tok, "").Must(t, http.StatusOK).Contains(t, `"email_domain"`, `"enabled":true`)
	in, c := f.participant(t, "ann@Staff.Example")
	out, co := f.participant(t, "bob@elsewhere.example")
	c.PostForm("/verify/email_domain", nil).Must(t, http.StatusSeeOther)
	co.PostForm("/verify/email_domain", nil).Must(t, http.StatusUnprocessableEntity).Contains(t, "not in a domain")
	if !f.in.App.Verify.Has(ctx, in.ID, "email_domain") || f.in.App.Verify.Has(ctx, out.ID, "email_domain") {
		t.Fatal("e-mail domain verification wrong")
	}
	// A participant's API view lists the method and the record.
	f.in.Client().JSON(http.MethodGet, "/api/v1/verify", apiToken(t, f, in.ID), "").Must(t, http.StatusOK).Contains(t, `"methods":["email_domain"]`, `"kind":"email_domain"`)
	// A method that is not enabled cannot be used.
	c.PostForm("/verify/census", url.Values{"identifier": {"x"}, "birth_date": {"2000-01-01"}}).Must(t, http.StatusNotFound)
}

func TestPersonalDataAndErasure(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.enable(t, "code", "")
	codes, err := f.in.App.Verify.GenerateCodes(ctx, f.in.Org.ID, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	ann, c := f.participant(t, "ann@example.org")
	c.PostForm("/verify/code", url.Values{"code": {codes[0]}}).Must(t, http.StatusSeeOther)
	if f.in.App.Accounts.CoreHolders()["verify"] == nil {
		t.Fatal("verify is not registered as a holder of personal data")
	}
	c.Get("/account/data").Must(t, http.StatusOK).Contains(t, `"verify"`, `"kind": "code"`)
	if err := f.in.App.Verify.Anonymise(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	if f.in.App.Verify.Has(ctx, ann.ID, "code") {
		t.Fatal("verification kept after erasure")
	}
	var linked int64
	f.in.App.DB.Table("verify_codes").Where("used_by = ?", ann.ID).Count(&linked)
	if linked != 0 {
		t.Fatal("the used code still points to the erased account")
	}
	// The code stays spent.
	_, cb := f.participant(t, "bob@example.org")
	cb.PostForm("/verify/code", url.Values{"code": {codes[0]}}).Must(t, http.StatusUnprocessableEntity)
	if d, err := f.in.App.Verify.PersonalData(ctx, ann.ID); err != nil || d != nil {
		t.Fatalf("personal data after erasure: %v, %v", d, err)
	}
}

// TestWrongAnswersAreLimited: after MaxFailures wrong codes an account
// must wait, even with a right one, which stays unspent.
func TestWrongAnswersAreLimited(t *testing.T) {
	f := newFixture(t)
	f.enable(t, "code", "")
	codes, err := f.in.App.Verify.GenerateCodes(t.Context(), f.in.Org.ID, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	_, c := f.participant(t, "ann@example.org")
	for range verify.MaxFailures {
		c.PostForm("/verify/code", url.Values{"code": {"ABCD-EFGH-JKLM"}}).Must(t, http.StatusUnprocessableEntity)
	}
	c.PostForm("/verify/code", url.Values{"code": {codes[0]}}).Must(t, http.StatusTooManyRequests)
	f.admin.Get("/admin/verify").Must(t, http.StatusOK).Contains(t, "0 of 1 used.")
	// Another account is not affected.
	_, cb := f.participant(t, "bob@example.org")
	cb.PostForm("/verify/code", url.Values{"code": {codes[0]}}).Must(t, http.StatusSeeOther)
}

// TestRequirementPerSpace: a kind required in one space binds there only,
// and holding it lets the participant act.
func TestRequirementPerSpace(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.enable(t, "email_domain", "example.org")
	ann, c := f.participant(t, "ann@example.org")
	en := f.in.App.Authz
	if err := en.RequireVerification(ctx, "process:7", "probe.act", "email_domain"); err != nil {
		t.Fatal(err)
	}
	can := func(dom string) bool {
		ok, err := en.Can(ctx, ann, f.in.Org.ID, dom, "probe.act")
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if can("process:7") || !can("process:8") {
		t.Fatal("the requirement does not bind the one space")
	}
	if got := en.MissingVerification(ctx, ann, f.in.Org.ID, "process:7", "probe.act"); got != "email_domain" {
		t.Fatalf("missing verification %q", got)
	}
	c.PostForm("/verify/email_domain", nil).Must(t, http.StatusSeeOther)
	if !can("process:7") {
		t.Fatal("verified participant still refused")
	}
	if err := f.in.App.Verify.Revoke(ctx, ann.ID, "email_domain"); err != nil {
		t.Fatal(err)
	}
	if can("process:7") {
		t.Fatal("revoked verification still counts")
	}
}
