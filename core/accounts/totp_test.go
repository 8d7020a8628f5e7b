// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
)

// TestTOTPCodeAcceptedOnce: of 20 concurrent checks of one valid code,
// exactly one passes; so do the checks of one recovery code.
func TestTOTPCodeAcceptedOnce(t *testing.T) {
	ctx := context.Background()
	db, s, org := setup(t)
	a := register(t, s, org, "tom@example.org", "tom")
	k, err := s.BeginTOTP(ctx, a, "City")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.URL(), "otpauth://totp/City:tom@example.org?") {
		t.Errorf("key URL %q", k.URL())
	}
	if on, _ := s.TOTPEnabled(ctx, a.ID); on {
		t.Fatal("enabled before confirmation")
	}
	now, _ := totp.GenerateCode(k.Secret(), time.Now())
	codes, err := s.ConfirmTOTP(ctx, a.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != accounts.RecoveryCodes {
		t.Fatalf("%d recovery codes", len(codes))
	}
	if _, err := s.BeginTOTP(ctx, a, "City"); perr.CodeOf(err) != perr.CodeConflict {
		t.Fatalf("second enrolment while enabled: %v", err)
	}
	next, _ := totp.GenerateCode(k.Secret(), time.Now().Add(30*time.Second))
	for _, code := range []string{next, codes[0]} {
		const n = 20
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.VerifySecondFactor(ctx, a.ID, code)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case perr.CodeOf(err) != perr.CodeInvalid:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("code %q accepted %d times, want once", code, ok)
		}
	}
	// Codes of steps outside the skew, and garbage, fail.
	for _, code := range []string{mustCode(t, k.Secret(), -5*time.Minute), mustCode(t, k.Secret(), 5*time.Minute), "", "abcdef", "1234567"} {
		if err := s.VerifySecondFactor(ctx, a.ID, code); err == nil {
			t.Errorf("code %q accepted", code)
		}
	}
	// Erasure removes the second factor with the account's other secrets.
	if err := s.Erase(ctx, org, a.ID, "correct horse battery", nil); err != nil {
		t.Fatal(err)
	}
	var left int64
	db.Table("account_totp").Where("account_id = ?", a.ID).Count(&left)
	var rc int64
	db.Table("account_recovery_codes").Where("account_id = ?", a.ID).Count(&rc)
	if left+rc != 0 {
		t.Fatalf("%d second-factor rows left after erasure", left+rc)
	}
}

func mustCode(t *testing.T, secret string, offset time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now().Add(offset))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
