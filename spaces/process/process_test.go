// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"testing"
	"time"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
)

func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

func TestSpaceCurrentSession(t *testing.T) {
	sessions := []registry.Session{
		{ID: 1, Key: "s1", StartsAt: day(1), EndsAt: day(10)},
		{ID: 2, Key: "s2", StartsAt: day(10), EndsAt: day(20)},
		{ID: 3, Key: "s3", StartsAt: day(25), EndsAt: day(30)},
	}
	cases := []struct {
		name     string
		now      time.Time
		override int64
		want     string // session key, "" for none
	}{
		{"BeforeAll", day(1).Add(-time.Second), 0, ""},
		{"FirstInstant", day(1), 0, "s1"},
		{"InsideFirst", day(5), 0, "s1"},
		{"EndIsExclusive", day(10), 0, "s2"},
		{"Gap", day(22), 0, ""},
		{"Last", day(29), 0, "s3"},
		{"AfterAll", day(30), 0, ""},
		{"OverrideWins", day(5), 3, "s3"},
		{"OverrideInGap", day(22), 2, "s2"},
		{"OverrideOfRemovedSessionMeansNone", day(5), 99, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp := &registry.Space{Sessions: sessions, CurrentSessionID: tc.override}
			got := ""
			if s := sp.CurrentSession(tc.now); s != nil {
				got = s.Key
			}
			if got != tc.want {
				t.Fatalf("current session at %s (override %d) = %q, want %q", tc.now, tc.override, got, tc.want)
			}
			// The process's own view must agree with the space's.
			p := &Process{}
			for _, s := range sessions {
				p.Sessions = append(p.Sessions, Session{ID: s.ID, Key: s.Key, StartsAt: s.StartsAt, EndsAt: s.EndsAt})
			}
			if tc.override != 0 {
				o := tc.override
				p.CurrentSessionID = &o
			}
			pk := ""
			if s := p.CurrentSession(tc.now); s != nil {
				pk = s.Key
			}
			if pk != tc.want {
				t.Fatalf("Process.CurrentSession = %q, want %q", pk, tc.want)
			}
		})
	}
}

func TestValidateSessions(t *testing.T) {
	title := i18n.Text{"en": "S"}
	cases := []struct {
		name     string
		sessions []Session
		want     map[string]string
	}{
		{"Valid", []Session{{Key: "a", Title: title, StartsAt: day(1), EndsAt: day(5)}, {Key: "b", Title: title, StartsAt: day(5), EndsAt: day(9)}}, nil},
		{"ValidOutOfOrder", []Session{{Key: "b", Title: title, StartsAt: day(5), EndsAt: day(9)}, {Key: "a", Title: title, StartsAt: day(1), EndsAt: day(5)}}, nil},
		{"DuplicateKey", []Session{{Key: "a", Title: title, StartsAt: day(1), EndsAt: day(2)}, {Key: "a", Title: title, StartsAt: day(3), EndsAt: day(4)}},
			map[string]string{"sessions.1.key": "process.error.key_taken"}},
		{"BadKey", []Session{{Key: "A b", Title: title, StartsAt: day(1), EndsAt: day(2)}}, map[string]string{"sessions.0.key": "process.error.key"}},
		{"EndBeforeStart", []Session{{Key: "a", Title: title, StartsAt: day(5), EndsAt: day(1)}}, map[string]string{"sessions.0.ends_at": "process.error.end_before_start"}},
		{"EmptyWindow", []Session{{Key: "a", Title: title, StartsAt: day(5), EndsAt: day(5)}}, map[string]string{"sessions.0.ends_at": "process.error.end_before_start"}},
		{"Overlap", []Session{{Key: "a", Title: title, StartsAt: day(1), EndsAt: day(6)}, {Key: "b", Title: title, StartsAt: day(5), EndsAt: day(9)}},
			map[string]string{"sessions.1.starts_at": "process.error.overlap"}},
		{"NoTitle", []Session{{Key: "a", Title: i18n.Text{"en": "  "}, StartsAt: day(1), EndsAt: day(2)}}, map[string]string{"sessions.0.title": "process.error.title_required"}},
		{"MissingDates", []Session{{Key: "a", Title: title}}, map[string]string{"sessions.0.starts_at": "process.error.date", "sessions.0.ends_at": "process.error.date"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ValidateSessions(tc.sessions)
			if len(got) != len(tc.want) {
				t.Fatalf("errors %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("errors %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestValidateThemesAndProcess(t *testing.T) {
	f := ValidateThemes([]Theme{{Key: "a", Title: i18n.Text{"fr": "A"}}, {Key: "a", Title: i18n.Text{"en": "B"}}, {Key: "c", Title: i18n.Text{"de": "C"}}})
	if f["themes.1.key"] != "process.error.key_taken" || f["themes.2.title"] != "process.error.locale" || len(f) != 2 {
		t.Fatalf("theme errors %v", f)
	}
	cases := []struct {
		name  string
		p     Process
		field string
	}{
		{"SlugUpper", Process{Slug: "Climate", Title: i18n.Text{"en": "x"}, Status: "draft"}, "slug"},
		{"SlugReserved", Process{Slug: "new", Title: i18n.Text{"en": "x"}, Status: "draft"}, "slug"},
		{"NoTitle", Process{Slug: "ok", Title: i18n.Text{}, Status: "draft"}, "title"},
		{"BadStatus", Process{Slug: "ok", Title: i18n.Text{"en": "x"}, Status: "open"}, "status"},
		{"Valid", Process{Slug: "ok-2", Title: i18n.Text{"en": "x"}, Status: "closed"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			pe, ok := asPerr(err)
			if !ok || pe.Fields[tc.field] == "" {
				t.Fatalf("want an error on %s, got %v", tc.field, err)
			}
		})
	}
}
