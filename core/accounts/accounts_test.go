// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/orgs"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
)

func setup(t *testing.T) (*store.DB, *accounts.Service, int64) {
	t.Helper()
	db := testkit.OpenDB(t)
	org, err := orgs.NewService(db).Ensure(context.Background(), &orgs.Organisation{Host: "city.example", Name: "City"})
	if err != nil {
		t.Fatal(err)
	}
	return db, accounts.NewService(db), org.ID
}

func register(t *testing.T, s *accounts.Service, orgID int64, email, nick string) *accounts.Account {
	t.Helper()
	a, err := s.Register(context.Background(), orgID, accounts.Registration{Email: email, Name: "N " + nick, Nickname: nick, Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return a
}

func TestRegisterValidation(t *testing.T) {
	_, s, org := setup(t)
	register(t, s, org, "ann@example.org", "ann")
	cases := []struct {
		name   string
		r      accounts.Registration
		code   perr.Code
		fields []string
	}{
		{"BadEmail", accounts.Registration{Email: "ann", Name: "A", Nickname: "ann2", Password: "correct horse battery"}, perr.CodeInvalid, []string{"email"}},
		{"ShortPassword", accounts.Registration{Email: "b@example.org", Name: "B", Nickname: "bb", Password: "short"}, perr.CodeInvalid, []string{"password"}},
		{"BadNickname", accounts.Registration{Email: "b@example.org", Name: "B", Nickname: "b b", Password: "correct horse battery"}, perr.CodeInvalid, []string{"nickname"}},
		{"BadLocale", accounts.Registration{Email: "b@example.org", Name: "B", Nickname: "bb", Password: "correct horse battery", Locale: "de"}, perr.CodeInvalid, []string{"locale"}},
		{"EmailTakenCaseInsensitive", accounts.Registration{Email: "ANN@example.org", Name: "A", Nickname: "ann3", Password: "correct horse battery"}, perr.CodeConflict, []string{"email"}},
		{"NicknameReserved", accounts.Registration{Email: "d@example.org", Name: "D", Nickname: "Deleted-7", Password: "correct horse battery"}, perr.CodeInvalid, []string{"nickname"}},
		{"NicknameTaken", accounts.Registration{Email: "c@example.org", Name: "C", Nickname: "ann", Password: "correct horse battery"}, perr.CodeConflict, []string{"nickname"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Register(context.Background(), org, tc.r)
			pe, ok := perr.As(err)
			if !ok || pe.Code != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
			for _, f := range tc.fields {
				if pe.Fields[f] == "" {
					t.Errorf("no message for field %s: %v", f, pe.Fields)
				}
			}
		})
	}
}

func TestLimiterWindow(t *testing.T) {
	db, _, _ := setup(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := accounts.NewLimiter(db, "test", 3, 10*time.Minute)
	accounts.SetLimiterClock(l, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if err := l.Check(ctx, "k"); err != nil {
			t.Fatalf("attempt %d refused: %v", i+1, err)
		}
		if err := l.Record(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	// Attempts at 12:00, 12:01, 12:02; now 12:03: the first frees the
	// key at 12:10, in 420 s.
	err := l.Check(ctx, "k")
	pe, ok := perr.As(err)
	if !ok || pe.Code != perr.CodeTooMany || pe.Data["Seconds"] != 420 {
		t.Fatalf("err = %v, want too_many with 420 s", err)
	}
	if err := l.Check(ctx, "other"); err != nil {
		t.Errorf("another key is limited: %v", err)
	}
	if err := l.Check(ctx, "", "other"); err != nil {
		t.Errorf("an empty key is limited: %v", err)
	}
	now = now.Add(7 * time.Minute) // 12:10: the first attempt has left the window
	if err := l.Check(ctx, "k"); err != nil {
		t.Errorf("still limited once an attempt left the window: %v", err)
	}
	// Another limiter name does not share counts.
	l2 := accounts.NewLimiter(db, "other", 1, time.Hour)
	if err := l2.Check(ctx, "k"); err != nil {
		t.Errorf("names share counts: %v", err)
	}
}

func TestConfirmationTokenIsOneTimeUnderConcurrency(t *testing.T) {
	_, s, org := setup(t)
	a := register(t, s, org, "cat@example.org", "cat")
	secret, err := s.IssueConfirmation(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = s.Confirm(context.Background(), org, secret)
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case perr.CodeOf(err) != perr.CodeInvalid:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d confirmations succeeded with one link, want 1", ok)
	}
	got, _ := s.Get(context.Background(), org, a.ID)
	if !got.Confirmed() {
		t.Error("account not confirmed")
	}
	// A link of another organisation's account does not work here.
	if _, err := s.Confirm(context.Background(), org+1, secret); perr.CodeOf(err) != perr.CodeInvalid {
		t.Errorf("confirm in another organisation: %v", err)
	}
}

func TestResetPasswordRaisesSessionEpoch(t *testing.T) {
	_, s, org := setup(t)
	a := register(t, s, org, "dan@example.org", "dan")
	_, secret, err := s.RequestPasswordReset(context.Background(), org, "DAN@example.org ")
	if err != nil || secret == "" {
		t.Fatalf("RequestPasswordReset: %q, %v", secret, err)
	}
	_, second, _ := s.RequestPasswordReset(context.Background(), org, "dan@example.org")
	got, err := s.ResetPassword(context.Background(), org, secret, "staple tuna violin")
	if err != nil {
		t.Fatal(err)
	}
	if got.SessionEpoch != a.SessionEpoch+1 {
		t.Errorf("session epoch %d, want %d", got.SessionEpoch, a.SessionEpoch+1)
	}
	if !got.Confirmed() {
		t.Error("a reset through the mailed link should confirm the address")
	}
	// The other pending link is cancelled.
	if _, err := s.ResetPassword(context.Background(), org, second, "another long one"); perr.CodeOf(err) != perr.CodeInvalid {
		t.Errorf("second link still works: %v", err)
	}
	if _, err := s.Authenticate(context.Background(), org, "dan@example.org", "staple tuna violin"); err != nil {
		t.Errorf("new password refused: %v", err)
	}
	acc, secret, err := s.RequestPasswordReset(context.Background(), org, "nobody@example.org")
	if acc != nil || secret != "" || err != nil {
		t.Errorf("unknown address: %v %q %v", acc, secret, err)
	}
}

type failingEraser struct{}

func (failingEraser) Anonymise(context.Context, int64) error { return errors.New("module down") }

type countingEraser struct{ n int }

func (c *countingEraser) Anonymise(context.Context, int64) error { c.n++; return nil }

func TestEraseStopsWhenAModuleFails(t *testing.T) {
	_, s, org := setup(t)
	a := register(t, s, org, "eve@example.org", "eve")
	ok := &countingEraser{}
	err := s.Erase(context.Background(), org, a.ID, "correct horse battery", accounts.Holders{"a_ok": ok, "b_fail": failingEraser{}})
	if err == nil {
		t.Fatal("erase succeeded although a module failed")
	}
	got, _ := s.Get(context.Background(), org, a.ID)
	if got.AnonymisedAt != nil || got.Email == nil {
		t.Fatal("account anonymised although a module failed")
	}
	// Retried once the module works: modules anonymise again (idempotent),
	// then the account.
	if err := s.Erase(context.Background(), org, a.ID, "correct horse battery", accounts.Holders{"a_ok": ok}); err != nil {
		t.Fatal(err)
	}
	if ok.n != 2 {
		t.Errorf("module called %d times, want 2", ok.n)
	}
	got, _ = s.Get(context.Background(), org, a.ID)
	if got.AnonymisedAt == nil || got.Email != nil || got.Nickname != accounts.DeletedName(a.ID) || got.PasswordHash != "" {
		t.Errorf("after erase: %+v", got)
	}
	if got.DisplayName() != "—" {
		t.Errorf("display name %q", got.DisplayName())
	}
	// Erasing twice is "not found", and nobody can log in as it.
	if err := s.Erase(context.Background(), org, a.ID, "", nil); perr.CodeOf(err) != perr.CodeNotFound {
		t.Errorf("second erase: %v", err)
	}
	if _, err := s.Authenticate(context.Background(), org, "eve@example.org", "correct horse battery"); perr.CodeOf(err) != perr.CodeUnauthorised {
		t.Errorf("login after erase: %v", err)
	}
}
