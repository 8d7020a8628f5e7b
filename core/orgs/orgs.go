// SPDX-License-Identifier: AGPL-3.0-or-later

// Package orgs holds organisations: the tenants of a Polder instance (a
// city, a ministry), resolved from the request's host name, each with its
// locales and theme.
package orgs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// Organisation is a tenant.
type Organisation struct {
	ID            int64
	Host          string
	Name          string
	DefaultLocale string
	Locales       string // comma-separated, e.g. "en,fr,nl"
	Theme         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// LocaleList returns the organisation's locales, default first.
func (o *Organisation) LocaleList() []string {
	out := []string{o.DefaultLocale}
	for _, l := range strings.Split(o.Locales, ",") {
		l = strings.TrimSpace(l)
		if l != "" && l != o.DefaultLocale && i18n.IsSupported(l) {
			out = append(out, l)
		}
	}
	return out
}

// Validate checks an organisation before it is saved.
func (o *Organisation) Validate() error {
	if strings.TrimSpace(o.Name) == "" {
		return perr.Invalid("org.error.name_required", nil)
	}
	if strings.TrimSpace(o.Host) == "" {
		return perr.Invalid("org.error.host_required", nil)
	}
	if !i18n.IsSupported(o.DefaultLocale) {
		return perr.Invalid("org.error.locale", map[string]any{"Locale": o.DefaultLocale})
	}
	return nil
}

// Service stores organisations and resolves hosts, caching the lookups
// (every request resolves its host) for db's CacheTTL; any write to the
// organisations table through this process drops the cache.
type Service struct {
	db    *store.DB
	cache *store.Cache[string, *Organisation]
}

// NewService returns the organisation service. Build it while assembling
// the instance, before it serves (it registers the cache's write hook).
func NewService(db *store.DB) *Service {
	c, err := store.NewCache[string, *Organisation](db, "organisations")
	if err != nil {
		// Without its hook the cache could serve stale rows: go without.
		slog.Error("organisation cache disabled", "err", err)
		c = nil
	}
	return &Service{db: db, cache: c}
}

// HostOnly strips a port from a Host header and lower-cases it.
func HostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// Resolve returns the organisation serving host. When no organisation has
// that host, the first organisation (lowest id) serves it, so a fresh
// single-tenant instance answers on any address it is reached by.
func (s *Service) Resolve(ctx context.Context, host string) (*Organisation, error) {
	host = HostOnly(host)
	o, err := s.cache.Get(host, func() (*Organisation, error) { return s.resolve(ctx, host) })
	if err != nil {
		return nil, err
	}
	// A copy: the cached value is shared between requests.
	cp := *o
	return &cp, nil
}

func (s *Service) resolve(ctx context.Context, host string) (*Organisation, error) {
	var org Organisation
	err := s.db.WithContext(ctx).Where("host = ?", host).First(&org).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = s.db.WithContext(ctx).Order("id").First(&org).Error
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("organisation")
	}
	if err != nil {
		return nil, fmt.Errorf("resolving organisation for %s: %w", host, err)
	}
	return &org, nil
}

// Get loads an organisation by id.
func (s *Service) Get(ctx context.Context, id int64) (*Organisation, error) {
	var org Organisation
	if err := s.db.WithContext(ctx).First(&org, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, perr.NotFound("organisation")
		}
		return nil, fmt.Errorf("loading organisation %d: %w", id, err)
	}
	return &org, nil
}

// Ensure creates the organisation for host, or updates its name, locales
// and theme when it exists (idempotent, for demo seeding and presets).
func (s *Service) Ensure(ctx context.Context, o *Organisation) (*Organisation, error) {
	o.Host = HostOnly(o.Host)
	if o.DefaultLocale == "" {
		o.DefaultLocale = "en"
	}
	if o.Locales == "" {
		o.Locales = strings.Join(i18n.Supported, ",")
	}
	if o.Theme == "" {
		o.Theme = "default"
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	var existing Organisation
	err := s.db.WithContext(ctx).Where("host = ?", o.Host).First(&existing).Error
	switch {
	case err == nil:
		existing.Name, existing.DefaultLocale, existing.Locales, existing.Theme = o.Name, o.DefaultLocale, o.Locales, o.Theme
		if err := s.db.WithContext(ctx).Save(&existing).Error; err != nil {
			return nil, fmt.Errorf("updating organisation: %w", err)
		}
		return &existing, nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		if err := s.db.WithContext(ctx).Create(o).Error; err != nil {
			return nil, fmt.Errorf("creating organisation: %w", err)
		}
		return o, nil
	default:
		return nil, fmt.Errorf("looking up organisation: %w", err)
	}
}
