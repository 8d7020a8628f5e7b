// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// Limiter bounds how often something may happen per key (an IP address, an
// e-mail address) in a sliding window: at most Max events per Window. The
// events live in the database, so every instance behind a load balancer
// sees the same counts, and only hashes of the keys are stored.
//
// Check and Record are separate so that a login form counts failures only:
// a person who types the right password is never slowed down by their own
// successes.
type Limiter struct {
	db *store.DB
	// Name namespaces the keys ("login", "reset").
	Name   string
	Max    int
	Window time.Duration
	now    func() time.Time
}

// NewLimiter returns a limiter of max events per window.
func NewLimiter(db *store.DB, name string, max int, window time.Duration) *Limiter {
	return &Limiter{db: db, Name: name, Max: max, Window: window, now: func() time.Time { return time.Now().UTC() }}
}

type loginAttempt struct {
	ID        int64
	KeyHash   string
	CreatedAt time.Time
}

// TableName is the limiter's table (shared by every limiter name).
func (loginAttempt) TableName() string { return "login_attempts" }

func (l *Limiter) hash(key string) string { return HashSecret(l.Name + "\x00" + key) }

// Check returns a too_many error, with the seconds to wait, when any key
// has reached the limit; empty keys are ignored.
func (l *Limiter) Check(ctx context.Context, keys ...string) error {
	now := l.now()
	since := now.Add(-l.Window)
	wait := time.Duration(0)
	for _, k := range keys {
		if k == "" {
			continue
		}
		h := l.hash(k)
		var n int64
		if err := l.db.WithContext(ctx).Model(&loginAttempt{}).Where("key_hash = ? AND created_at > ?", h, since).Count(&n).Error; err != nil {
			return fmt.Errorf("counting attempts: %w", err)
		}
		if n < int64(l.Max) {
			continue
		}
		// The key frees up when the attempt that brings the count in the
		// window down to Max-1 leaves the window.
		var oldest loginAttempt
		err := l.db.WithContext(ctx).Where("key_hash = ? AND created_at > ?", h, since).
			Order("created_at").Offset(int(n) - l.Max).Limit(1).First(&oldest).Error
		if err != nil {
			return fmt.Errorf("finding the attempt that frees the limit: %w", err)
		}
		if w := oldest.CreatedAt.Add(l.Window).Sub(now); w > wait {
			wait = w
		}
	}
	if wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		return perr.New(perr.CodeTooMany, "error.too_many", map[string]any{"Seconds": secs})
	}
	return nil
}

// Record counts one event for each non-empty key, and forgets events that
// have left the window.
func (l *Limiter) Record(ctx context.Context, keys ...string) error {
	now := l.now()
	db := l.db.WithContext(ctx)
	for _, k := range keys {
		if k == "" {
			continue
		}
		if err := db.Create(&loginAttempt{KeyHash: l.hash(k), CreatedAt: now}).Error; err != nil {
			return fmt.Errorf("recording attempt: %w", err)
		}
	}
	// Every limiter shares the table; the longest window in use is a day.
	if err := db.Where("created_at < ?", now.Add(-24*time.Hour)).Delete(&loginAttempt{}).Error; err != nil {
		return fmt.Errorf("forgetting old attempts: %w", err)
	}
	return nil
}
