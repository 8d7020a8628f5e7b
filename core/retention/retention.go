// SPDX-License-Identifier: AGPL-3.0-or-later

// Package retention erases personal data once its retention period is
// over: organisations set, per space, how many days each category of data
// (IP-related records, verification records, sortition pool data…) is
// kept; a daily background job (core/jobs) calls the erasers that core
// services and modules registered for each category. It also holds core's
// declarations for the register of processing activities.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm/clause"

	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
)

// Categories core knows; modules may register erasers for others.
const (
	CategoryIP           = "ip"           // records derived from IP addresses
	CategoryVerification = "verification" // verification and token-issuance records
	CategoryPool         = "pool"         // sortition pool data (volunteers' answers)
)

// JobKind is the daily retention job.
const JobKind = "retention"

// Eraser erases data of one category in a domain older than before, and
// returns how many records it erased.
type Eraser func(ctx context.Context, domain string, before time.Time) (int64, error)

// Service stores retention periods and runs the erasers.
type Service struct {
	db  *store.DB
	mu  sync.Mutex
	ers map[string][]Eraser
	now func() time.Time
}

// New returns the service with core's erasers registered.
func New(db *store.DB) *Service {
	s := &Service{db: db, ers: map[string][]Eraser{}, now: func() time.Time { return time.Now().UTC() }}
	s.Register(CategoryVerification, s.eraseIssuances)
	s.Register(CategoryIP, s.eraseAddressRecords)
	return s
}

// Provider is implemented by modules that keep data of a retention
// category (sortition: the pool): their erasers run with core's on each
// space's period.
type Provider interface {
	RetentionErasers() map[string]Eraser
}

// UseModules registers the erasers of the modules that are Providers.
func (s *Service) UseModules(mods []registry.Module) {
	for _, m := range mods {
		p, ok := m.(Provider)
		if !ok {
			continue
		}
		for c, e := range p.RetentionErasers() {
			s.Register(c, e)
		}
	}
}

// Register adds an eraser for a category.
func (s *Service) Register(category string, e Eraser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ers[category] = append(s.ers[category], e)
}

// Policy is a retention period of a category in a domain.
type Policy struct {
	Domain   string `gorm:"primaryKey"`
	Category string `gorm:"primaryKey"`
	Days     int
}

// TableName is the policies' table.
func (Policy) TableName() string { return "retention_policies" }

// Set stores (or, with days <= 0, removes) a retention period.
func (s *Service) Set(ctx context.Context, domain, category string, days int) error {
	db := s.db.WithContext(ctx)
	if days <= 0 {
		return db.Where("domain = ? AND category = ?", domain, category).Delete(&Policy{}).Error
	}
	if days > 36500 {
		return perr.Invalid("retention.error.days", nil)
	}
	p := Policy{Domain: domain, Category: category, Days: days}
	if err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "domain"}, {Name: "category"}}, DoUpdates: clause.AssignmentColumns([]string{"days"})}).Create(&p).Error; err != nil {
		return fmt.Errorf("storing retention period: %w", err)
	}
	return nil
}

// Policies lists the retention periods of a domain.
func (s *Service) Policies(ctx context.Context, domain string) ([]Policy, error) {
	var out []Policy
	err := s.db.WithContext(ctx).Where("domain = ?", domain).Order("category").Find(&out).Error
	return out, err
}

// Run applies every policy once: each category's erasers erase what is
// older than its period. It returns the records erased per category.
func (s *Service) Run(ctx context.Context) (map[string]int64, error) {
	var ps []Policy
	if err := s.db.WithContext(ctx).Order("domain, category").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("loading retention periods: %w", err)
	}
	s.mu.Lock()
	ers := map[string][]Eraser{}
	for k, v := range s.ers {
		ers[k] = append([]Eraser(nil), v...)
	}
	s.mu.Unlock()
	out := map[string]int64{}
	now := s.now()
	for _, p := range ps {
		before := now.Add(-time.Duration(p.Days) * 24 * time.Hour)
		for _, e := range ers[p.Category] {
			n, err := e(ctx, p.Domain, before)
			if err != nil {
				return out, fmt.Errorf("erasing %s of %s: %w", p.Category, p.Domain, err)
			}
			out[p.Category] += n
		}
	}
	return out, nil
}

// UseQueue registers the daily job on a queue and, with schedule, queues
// its first run. Each run queues the next, so one job is always waiting
// (the queue keeps at most one queued job per kind and key).
func (s *Service) UseQueue(ctx context.Context, q *jobs.Queue, schedule bool) error {
	q.Handle(JobKind, func(ctx context.Context, j *jobs.Job, progress func(int, string)) error {
		erased, err := s.Run(ctx)
		if err != nil {
			return err
		}
		slog.Info("retention", "erased", erased)
		progress(100, fmt.Sprint(erased))
		_, err = q.Enqueue(ctx, JobKind, "daily", "", 24*time.Hour)
		return err
	})
	if !schedule {
		return nil
	}
	if _, err := q.Enqueue(ctx, JobKind, "daily", "", time.Hour); err != nil {
		return fmt.Errorf("scheduling retention: %w", err)
	}
	return nil
}

// eraseIssuances erases the records of blind-token issuance of a space:
// after that, the space can no longer tell who got a token, and (so the
// period should outlast the space's participation phase) would issue
// again.
func (s *Service) eraseIssuances(ctx context.Context, domain string, before time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Exec("DELETE FROM anon_issuances WHERE domain = ? AND issued_on < ?", domain, before)
	return res.RowsAffected, res.Error
}
