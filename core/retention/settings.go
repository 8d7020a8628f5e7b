// SPDX-License-Identifier: AGPL-3.0-or-later

package retention

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/polder-civic/polder/core/perr"
)

// MaxDays bounds a retention period (100 years).
const MaxDays = 36500

// Categories are the categories the retention form offers, in its order.
var Categories = []string{CategoryPool, CategoryIP, CategoryVerification}

// Periods returns a domain's retention period per category (0: no period
// set, the data is kept until erased otherwise).
func (s *Service) Periods(ctx context.Context, domain string) (map[string]int, error) {
	ps, err := s.Policies(ctx, domain)
	if err != nil {
		return nil, fmt.Errorf("loading retention periods of %s: %w", domain, err)
	}
	out := map[string]int{}
	for _, c := range Categories {
		out[c] = 0
	}
	for _, p := range ps {
		out[p.Category] = p.Days
	}
	return out, nil
}

// ParseDays reads a period typed in a form: blank is 0 (no period), else
// a whole number of days from 0 to MaxDays. The error is a message ID.
func ParseDays(v string) (int, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, ""
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, "retention.error.number"
	}
	if n < 0 || n > MaxDays {
		return 0, "retention.error.days"
	}
	return n, ""
}

// SetPeriods stores the periods of a domain's categories at once: every
// value is checked first (per-field errors keyed by category), then all
// are written in one transaction. Categories not in days keep their
// period; 0 removes one.
func (s *Service) SetPeriods(ctx context.Context, domain string, days map[string]int) error {
	fields := map[string]string{}
	for c, n := range days {
		switch {
		case !known(c):
			fields[c] = "retention.error.category"
		case n < 0 || n > MaxDays:
			fields[c] = "retention.error.days"
		}
	}
	if len(fields) > 0 {
		return &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: fields, Data: map[string]any{"Max": MaxDays}}
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, c := range Categories {
			n, ok := days[c]
			if !ok {
				continue
			}
			if n == 0 {
				if err := tx.Where("domain = ? AND category = ?", domain, c).Delete(&Policy{}).Error; err != nil {
					return fmt.Errorf("removing retention period: %w", err)
				}
				continue
			}
			p := Policy{Domain: domain, Category: c, Days: n}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "domain"}, {Name: "category"}}, DoUpdates: clause.AssignmentColumns([]string{"days"})}).Create(&p).Error; err != nil {
				return fmt.Errorf("storing retention period: %w", err)
			}
		}
		return nil
	})
}

func known(c string) bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}
