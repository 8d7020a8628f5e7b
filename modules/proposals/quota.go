// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
)

// Usage is what an author has filed that counts against quotas.
type Usage struct {
	ThemeSession, Session, Total int
}

// usage counts an author's quota-counting proposals in a component, for
// one theme and session. Inside a transaction, call it only after
// lockParticipant so nobody else files for the author meanwhile.
func usage(db *gorm.DB, componentID, authorID, themeID, sessionID int64) (Usage, error) {
	var u struct {
		Total        int
		Session      *int
		ThemeSession *int
	}
	err := db.Raw(`SELECT COUNT(*) AS total,
		SUM(CASE WHEN session_id = ? THEN 1 ELSE 0 END) AS session,
		SUM(CASE WHEN session_id = ? AND theme_id = ? THEN 1 ELSE 0 END) AS theme_session
		FROM proposals WHERE component_id = ? AND author_id = ? AND counts_quota = ?`,
		sessionID, sessionID, themeID, componentID, authorID, true).Scan(&u).Error
	if err != nil {
		return Usage{}, fmt.Errorf("counting quota use: %w", err)
	}
	out := Usage{Total: u.Total}
	if u.Session != nil {
		out.Session = *u.Session
	}
	if u.ThemeSession != nil {
		out.ThemeSession = *u.ThemeSession
	}
	return out, nil
}

// checkQuota returns the conflict naming the first quota that one more
// proposal would exceed, nil when it fits.
func checkQuota(q Quotas, u Usage, sc *Scope, theme *registry.Theme, session *registry.Session, locale string, now time.Time) error {
	data := map[string]any{"Theme": theme.Title.In(locale, "en"), "Session": session.Title.In(locale, "en"), "Next": ""}
	if next := sc.Space.NextSession(now); next != nil {
		data["Next"] = next.StartsAt.UTC().Format("2006-01-02")
		data["NextTitle"] = next.Title.In(locale, "en")
	}
	hit := func(id string, limit, used int) error {
		data["Limit"], data["Used"] = limit, used
		return &perr.Error{Code: perr.CodeConflict, MessageID: id, Data: data}
	}
	switch {
	case q.ThemeSession > 0 && u.ThemeSession >= q.ThemeSession:
		return hit("proposals.error.quota_theme_session", q.ThemeSession, u.ThemeSession)
	case q.Session > 0 && u.Session >= q.Session:
		return hit("proposals.error.quota_session", q.Session, u.Session)
	case q.Total > 0 && u.Total >= q.Total:
		return hit("proposals.error.quota_total", q.Total, u.Total)
	}
	return nil
}

// ThemeQuota is an author's remaining quota in one theme for a session.
type ThemeQuota struct {
	Theme registry.Theme
	// Used counts the author's proposals in the theme and session.
	Used int
	// Remaining is how many more the author may file there now, -1 when
	// no quota limits it.
	Remaining int
}

// QuotaReport is an author's quota situation in the current session.
type QuotaReport struct {
	Session *registry.Session
	Usage   Usage
	Quotas  Quotas
	Themes  []ThemeQuota
	// SessionRemaining and TotalRemaining are -1 when unlimited.
	SessionRemaining, TotalRemaining int
}

// Remaining computes an author's remaining quota per theme in the current
// session (nil Session when none is open).
func (s *Service) Remaining(ctx context.Context, sc *Scope, authorID int64, authorKind string) (*QuotaReport, error) {
	now := s.Now()
	q := sc.Settings.QuotasFor(authorKind)
	rep := &QuotaReport{Quotas: q, Session: sc.Space.CurrentSession(now)}
	var rows []struct {
		ThemeID   int64
		SessionID int64
		N         int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT theme_id, session_id, COUNT(*) AS n FROM proposals
		WHERE component_id = ? AND author_id = ? AND counts_quota = ? GROUP BY theme_id, session_id`,
		sc.Component.ID, authorID, true).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("counting quota use: %w", err)
	}
	perTheme := map[int64]int{}
	for _, r := range rows {
		rep.Usage.Total += r.N
		if rep.Session != nil && r.SessionID == rep.Session.ID {
			rep.Usage.Session += r.N
			perTheme[r.ThemeID] += r.N
		}
	}
	left := func(limit, used int) int {
		if limit == 0 {
			return -1
		}
		return max(limit-used, 0)
	}
	rep.SessionRemaining = left(q.Session, rep.Usage.Session)
	rep.TotalRemaining = left(q.Total, rep.Usage.Total)
	for _, th := range sc.Space.Themes {
		r := left(q.ThemeSession, perTheme[th.ID])
		for _, other := range []int{rep.SessionRemaining, rep.TotalRemaining} {
			if other >= 0 && (r < 0 || other < r) {
				r = other
			}
		}
		if rep.Session == nil {
			r = 0
		}
		rep.Themes = append(rep.Themes, ThemeQuota{Theme: th, Used: perTheme[th.ID], Remaining: r})
	}
	return rep, nil
}
