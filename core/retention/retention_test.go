// SPDX-License-Identifier: AGPL-3.0-or-later

package retention

import (
	"context"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/testkit"
)

// TestRunErasesOnlyExpired: a space's issuance records older than its
// period are erased, newer ones and other spaces' stay; the daily job runs
// the same and queues its next run.
func TestRunErasesOnlyExpired(t *testing.T) {
	ctx := context.Background()
	db := testkit.OpenDB(t)
	now := time.Now().UTC()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	mustExec("INSERT INTO organisations (host, name, created_at, updated_at) VALUES ('h', 'H', ?, ?)", now, now)
	for i := 1; i <= 4; i++ {
		mustExec("INSERT INTO accounts (organisation_id, name, nickname, created_at, updated_at) VALUES (1, 'n', ?, ?, ?)", "n"+string(rune('0'+i)), now, now)
	}
	day := 24 * time.Hour
	mustExec("INSERT INTO anon_issuances (domain, account_id, issued_on) VALUES ('process:1', 1, ?)", now.Add(-40*day))
	mustExec("INSERT INTO anon_issuances (domain, account_id, issued_on) VALUES ('process:1', 2, ?)", now.Add(-5*day))
	mustExec("INSERT INTO anon_issuances (domain, account_id, issued_on) VALUES ('process:2', 3, ?)", now.Add(-40*day))
	s := New(db)
	if err := s.Set(ctx, "process:1", CategoryVerification, 60); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "process:1", CategoryVerification, 30); err != nil { // replaces
		t.Fatal(err)
	}
	if ps, _ := s.Policies(ctx, "process:1"); len(ps) != 1 || ps[0].Days != 30 {
		t.Fatalf("policies %+v", ps)
	}
	if err := s.Set(ctx, "process:1", CategoryVerification, 50000); err == nil {
		t.Fatal("absurd period accepted")
	}
	var custom []string
	s.Register(CategoryPool, func(_ context.Context, domain string, before time.Time) (int64, error) {
		custom = append(custom, domain)
		if now.Sub(before) < 6*day || now.Sub(before) > 8*day {
			t.Errorf("pool eraser got before=%v", before)
		}
		return 2, nil
	})
	if err := s.Set(ctx, "process:2", CategoryPool, 7); err != nil {
		t.Fatal(err)
	}
	q := jobs.New(db)
	if err := s.UseQueue(ctx, q, true); err != nil {
		t.Fatal(err)
	}
	// Run the queued job now, as a worker would once it is due.
	mustExec("UPDATE jobs SET run_after = ? WHERE kind = ?", now.Add(-time.Minute), JobKind)
	ran, err := q.RunOne(ctx)
	if err != nil || !ran {
		t.Fatalf("job ran=%v err=%v", ran, err)
	}
	var left []int64
	db.Table("anon_issuances").Order("account_id").Pluck("account_id", &left)
	if len(left) != 2 || left[0] != 2 || left[1] != 3 {
		t.Fatalf("issuances left for accounts %v, want [2 3]", left)
	}
	if len(custom) != 1 || custom[0] != "process:2" {
		t.Fatalf("pool eraser called for %v", custom)
	}
	next, err := q.Latest(ctx, JobKind, "daily")
	if err != nil || next == nil || next.Status != jobs.Queued || next.RunAfter.Before(now.Add(23*time.Hour)) {
		t.Fatalf("next run not queued a day later: %+v %v", next, err)
	}
}
