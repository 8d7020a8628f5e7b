// SPDX-License-Identifier: AGPL-3.0-or-later

// Package jobs runs background work (opinion-map recomputations,
// syntheses, exports, retention) from a queue stored in the database, so
// that several instances behind a load balancer share it on PostgreSQL.
//
// Two guarantees matter to modules: a job kind+key has at most one queued
// job (enqueueing again while one waits is a no-op: that is the debounce),
// and at most one running job (a second waits until the first finishes), so
// a conversation is never recomputed twice at once. Handlers report
// progress, which pages show.
package jobs

import (
	"context"

	"fmt"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/store"
)

// Job statuses.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// Job is one unit of background work.
type Job struct {
	ID         int64
	Kind       string
	JobKey     string
	Payload    string
	Status     string
	Progress   int
	Message    string
	Attempts   int
	RunAfter   time.Time
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// Handler runs a job. It calls progress with 0-100 and a short note.
type Handler func(ctx context.Context, j *Job, progress func(pct int, note string)) error

// MaxAttempts is how often a failing job is tried.
const MaxAttempts = 3

// Queue stores jobs and runs them with registered handlers.
type Queue struct {
	db       *store.DB
	mu       sync.RWMutex
	handlers map[string]Handler
	wake     chan struct{}
	// Poll is how often workers look for due jobs when not woken.
	Poll time.Duration
	// StaleAfter frees jobs left running by a crashed instance.
	StaleAfter time.Duration
}

// New returns a queue; call Start to run workers.
func New(db *store.DB) *Queue {
	return &Queue{db: db, handlers: map[string]Handler{}, wake: make(chan struct{}, 1), Poll: 2 * time.Second, StaleAfter: 30 * time.Minute}
}

// Handle registers the handler of a job kind.
func (q *Queue) Handle(kind string, h Handler) {
	q.mu.Lock()
	q.handlers[kind] = h
	q.mu.Unlock()
}

// Enqueue adds a job due after delay, unless one of the same kind and key
// is already queued (then that one's id is returned). When ctx carries a
// transaction (store.WithTx), the job joins it: the job exists exactly when
// the caller's change commits (a state flag and the job that acts on it
// cannot part).
func (q *Queue) Enqueue(ctx context.Context, kind, key, payload string, delay time.Duration) (int64, error) {
	var id int64
	run := q.db.Tx
	if store.InTx(ctx) {
		run = func(ctx context.Context, fn func(tx *gorm.DB) error) error {
			return q.db.Conn(ctx).Transaction(fn) // a savepoint in the caller's transaction
		}
	}
	err := run(ctx, func(tx *gorm.DB) error {
		var existing Job
		err := q.db.LockRow(tx).Where("kind = ? AND job_key = ? AND status = ?", kind, key, Queued).Limit(1).Find(&existing).Error
		if err != nil {
			return err
		}
		if existing.ID != 0 {
			id = existing.ID
			return nil
		}
		now := time.Now().UTC()
		j := Job{Kind: kind, JobKey: key, Payload: payload, Status: Queued, RunAfter: now.Add(delay), CreatedAt: now}
		if err := tx.Create(&j).Error; err != nil {
			return err
		}
		id = j.ID
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueueing %s job: %w", kind, err)
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return id, nil
}

// Get loads a job (for progress pages).
func (q *Queue) Get(ctx context.Context, id int64) (*Job, error) {
	var j Job
	if err := q.db.WithContext(ctx).First(&j, id).Error; err != nil {
		return nil, fmt.Errorf("loading job %d: %w", id, err)
	}
	return &j, nil
}

// Latest returns the newest job of a kind and key, or nil.
func (q *Queue) Latest(ctx context.Context, kind, key string) (*Job, error) {
	var j Job
	err := q.db.WithContext(ctx).Where("kind = ? AND job_key = ?", kind, key).Order("id DESC").Limit(1).Find(&j).Error
	if err != nil {
		return nil, err
	}
	if j.ID == 0 {
		return nil, nil
	}
	return &j, nil
}

// Start runs n workers until ctx ends.
func (q *Queue) Start(ctx context.Context, n int) {
	for i := 0; i < n; i++ {
		go q.work(ctx)
	}
}

func (q *Queue) work(ctx context.Context) {
	t := time.NewTicker(q.Poll)
	defer t.Stop()
	for {
		for {
			ran, err := q.RunOne(ctx)
			if err != nil && ctx.Err() == nil {
				slog.Error("job queue", "err", err)
			}
			if !ran || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-q.wake:
		}
	}
}

// RunOne claims and runs one due job; it reports whether it ran one. Tests
// call it to run the queue synchronously.
func (q *Queue) RunOne(ctx context.Context) (bool, error) {
	j, err := q.claim(ctx)
	if err != nil || j == nil {
		return false, err
	}
	q.mu.RLock()
	h := q.handlers[j.Kind]
	q.mu.RUnlock()
	var runErr error
	if h == nil {
		runErr = fmt.Errorf("no handler for job kind %q", j.Kind)
	} else {
		runErr = safeRun(ctx, h, j, func(pct int, note string) {
			q.db.WithContext(ctx).Model(&Job{}).Where("id = ?", j.ID).Updates(map[string]any{"progress": clamp(pct), "message": note})
		})
	}
	now := time.Now().UTC()
	upd := map[string]any{"finished_at": now}
	switch {
	case runErr == nil:
		upd["status"], upd["progress"] = Done, 100
	case j.Attempts >= MaxAttempts || h == nil:
		upd["status"], upd["message"] = Failed, runErr.Error()
		slog.Error("job failed", "kind", j.Kind, "key", j.JobKey, "id", j.ID, "err", runErr)
	default:
		// Retry later with backoff.
		upd["status"], upd["message"], upd["finished_at"] = Queued, runErr.Error(), nil
		upd["run_after"] = now.Add(time.Duration(j.Attempts*j.Attempts) * 5 * time.Second)
		slog.Warn("job will be retried", "kind", j.Kind, "id", j.ID, "err", runErr)
	}
	if err := q.db.WithContext(ctx).Model(&Job{}).Where("id = ?", j.ID).Updates(upd).Error; err != nil {
		return true, fmt.Errorf("finishing job %d: %w", j.ID, err)
	}
	return true, nil
}

func safeRun(ctx context.Context, h Handler, j *Job, progress func(int, string)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job panicked: %v", r)
		}
	}()
	return h(ctx, j, progress)
}

func clamp(p int) int { return max(0, min(100, p)) }

// claim takes the oldest due queued job whose kind+key has no running job.
// The claim is an UPDATE guarded by the status, so two workers (or two
// instances) never take the same job.
func (q *Queue) claim(ctx context.Context) (*Job, error) {
	now := time.Now().UTC()
	// Free jobs a crashed worker left running.
	q.db.WithContext(ctx).Model(&Job{}).Where("status = ? AND started_at < ?", Running, now.Add(-q.StaleAfter)).
		Updates(map[string]any{"status": Queued, "message": "restarted after a stalled run"})
	var cands []Job
	err := q.db.WithContext(ctx).Where("status = ? AND run_after <= ?", Queued, now).Order("run_after, id").Limit(10).Find(&cands).Error
	if err != nil {
		return nil, fmt.Errorf("listing due jobs: %w", err)
	}
	for _, c := range cands {
		var running int64
		if err := q.db.WithContext(ctx).Model(&Job{}).Where("kind = ? AND job_key = ? AND status = ?", c.Kind, c.JobKey, Running).Count(&running).Error; err != nil {
			return nil, err
		}
		if running > 0 && c.JobKey != "" {
			continue
		}
		res := q.db.WithContext(ctx).Model(&Job{}).Where("id = ? AND status = ?", c.ID, Queued).
			Updates(map[string]any{"status": Running, "started_at": now, "attempts": gorm.Expr("attempts + 1"), "progress": 0})
		if res.Error != nil {
			return nil, fmt.Errorf("claiming job %d: %w", c.ID, res.Error)
		}
		if res.RowsAffected == 1 {
			c.Status, c.Attempts = Running, c.Attempts+1
			return &c, nil
		}
	}
	return nil, nil
}

// DueNow makes a queued job due immediately (admin "retry now", tests).
func (q *Queue) DueNow(ctx context.Context, id int64) error {
	return q.db.WithContext(ctx).Model(&Job{}).Where("id = ? AND status = ?", id, Queued).Update("run_after", time.Now().UTC().Add(-time.Second)).Error
}
