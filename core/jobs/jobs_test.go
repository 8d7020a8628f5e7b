// SPDX-License-Identifier: AGPL-3.0-or-later

package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
)

func TestDebounceAndRun(t *testing.T) {
	ctx := context.Background()
	q := jobs.New(testkit.OpenDB(t))
	var runs atomic.Int32
	q.Handle("recompute", func(ctx context.Context, j *jobs.Job, progress func(int, string)) error {
		progress(50, "half way")
		runs.Add(1)
		return nil
	})
	first, err := q.Enqueue(ctx, "recompute", "conv:1", "{}", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		id, err := q.Enqueue(ctx, "recompute", "conv:1", "{}", 0)
		if err != nil {
			t.Fatal(err)
		}
		if id != first {
			t.Fatalf("enqueue while queued made job %d, want the queued %d", id, first)
		}
	}
	other, _ := q.Enqueue(ctx, "recompute", "conv:2", "{}", 0)
	if other == first {
		t.Fatal("another key shares the job")
	}
	for {
		ran, err := q.RunOne(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			break
		}
	}
	if runs.Load() != 2 {
		t.Fatalf("ran %d jobs, want 2", runs.Load())
	}
	j, err := q.Get(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != jobs.Done || j.Progress != 100 {
		t.Fatalf("job = %s %d%%, want done 100%%", j.Status, j.Progress)
	}
}

func TestOneRunningPerKey(t *testing.T) {
	ctx := context.Background()
	q := jobs.New(testkit.OpenDB(t))
	var running, maxRunning atomic.Int32
	release := make(chan struct{})
	q.Handle("slow", func(ctx context.Context, j *jobs.Job, _ func(int, string)) error {
		n := running.Add(1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		return nil
	})
	if _, err := q.Enqueue(ctx, "slow", "k", "", 0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); q.RunOne(ctx) }()
	// Wait until the first job runs, then queue a second one for the key.
	for running.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := q.Enqueue(ctx, "slow", "k", "", 0); err != nil {
		t.Fatal(err)
	}
	ran, err := q.RunOne(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("a second job of the same key ran while the first was running")
	}
	close(release)
	wg.Wait()
	if ran, _ := q.RunOne(ctx); !ran {
		t.Fatal("the waiting job did not run once the first finished")
	}
	if maxRunning.Load() != 1 {
		t.Fatalf("max concurrent runs = %d, want 1", maxRunning.Load())
	}
}

func TestRetryThenFail(t *testing.T) {
	ctx := context.Background()
	q := jobs.New(testkit.OpenDB(t))
	calls := 0
	q.Handle("flaky", func(ctx context.Context, j *jobs.Job, _ func(int, string)) error {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return errors.New("still broken")
	})
	id, _ := q.Enqueue(ctx, "flaky", "", "", 0)
	if ran, err := q.RunOne(ctx); !ran || err != nil {
		t.Fatalf("first run: ran=%v err=%v", ran, err)
	}
	j, _ := q.Get(ctx, id)
	if j.Status != jobs.Queued || j.Message == "" {
		t.Fatalf("after a panic the job is %s (%q), want queued for retry with the reason", j.Status, j.Message)
	}
	// Make the retries due now.
	for i := 0; i < jobs.MaxAttempts; i++ {
		q.DueNow(ctx, id)
		q.RunOne(ctx)
	}
	j, _ = q.Get(ctx, id)
	if j.Status != jobs.Failed || j.Attempts != jobs.MaxAttempts {
		t.Fatalf("job = %s after %d attempts, want failed after %d", j.Status, j.Attempts, jobs.MaxAttempts)
	}
}

// TestEnqueueJoinsTransaction: a job enqueued with a context carrying a
// transaction exists only if that transaction commits.
func TestEnqueueJoinsTransaction(t *testing.T) {
	ctx := context.Background()
	db := testkit.OpenDB(t)
	q := jobs.New(db)
	boom := errors.New("rolled back")
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		if _, err := q.Enqueue(store.WithTx(ctx, tx), "k", "rolled", "", 0); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx: %v", err)
	}
	if j, err := q.Latest(ctx, "k", "rolled"); err == nil && j != nil {
		t.Fatalf("job %+v survived its rolled-back transaction", j)
	}
	if err := db.Tx(ctx, func(tx *gorm.DB) error {
		_, err := q.Enqueue(store.WithTx(ctx, tx), "k", "kept", "", 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if j, err := q.Latest(ctx, "k", "kept"); err != nil || j == nil {
		t.Fatalf("committed job missing: %v", err)
	}
}
