// SPDX-License-Identifier: AGPL-3.0-or-later

package retention

import (
	"context"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/testkit"
)

// TestRunErasesAddressRecords: the `ip` eraser erases rate-limit and
// burst rows older than the shortest `ip` period set on the instance,
// keeps newer ones, and leaves other categories' records alone.
func TestRunErasesAddressRecords(t *testing.T) {
	ctx := context.Background()
	db := testkit.OpenDB(t)
	now := time.Now().UTC()
	day := 24 * time.Hour
	mustExec := func(q string, args ...any) {
		t.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, age := range []int{40, 20, 5} {
		at := now.Add(-time.Duration(age) * day)
		mustExec("INSERT INTO login_attempts (key_hash, created_at) VALUES (?, ?)", "k", at)
		mustExec("INSERT INTO pow_bursts (purpose, prefix_hash, minute) VALUES ('register', 'p', ?)", at.Truncate(time.Minute))
	}
	mustExec("INSERT INTO organisations (host, name, created_at, updated_at) VALUES ('h', 'H', ?, ?)", now, now)
	mustExec("INSERT INTO accounts (organisation_id, name, nickname, created_at, updated_at) VALUES (1, 'n', 'n', ?, ?)", now, now)
	mustExec("INSERT INTO anon_issuances (domain, account_id, issued_on) VALUES ('process:1', 1, ?)", now.Add(-40*day))

	s := New(db)
	// No period set: nothing is erased.
	if got, err := s.Run(ctx); err != nil || got[CategoryIP] != 0 {
		t.Fatalf("without a period: %v %v", got, err)
	}
	// Two spaces: 30 and 10 days; the 10-day period wins for these
	// org-wide rows.
	if err := s.SetPeriods(ctx, "process:1", map[string]int{CategoryIP: 30}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPeriods(ctx, "process:2", map[string]int{CategoryIP: 10}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got[CategoryIP] != 4 {
		t.Fatalf("erased %v, want 4 ip records", got)
	}
	cutoff := now.Add(-10 * day)
	for _, tc := range []struct{ table, column string }{{"login_attempts", "created_at"}, {"pow_bursts", "minute"}} {
		var old, left int64
		db.Table(tc.table).Where(tc.column+" < ?", cutoff).Count(&old)
		db.Table(tc.table).Count(&left)
		if old != 0 || left != 1 {
			t.Errorf("%s: %d rows before the cutoff, %d left, want 0 and 1", tc.table, old, left)
		}
	}
	var issuances int64
	db.Table("anon_issuances").Count(&issuances)
	if issuances != 1 {
		t.Fatalf("ip period erased %d verification records", 1-issuances)
	}
	// A second run finds nothing more.
	if got, err := s.Run(ctx); err != nil || got[CategoryIP] != 0 {
		t.Fatalf("second run: %v %v", got, err)
	}
}
