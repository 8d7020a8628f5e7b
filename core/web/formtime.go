// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"errors"
	"strings"
	"time"
)

// Times are entered and shown in UTC across the instance: a datetime-local
// input holds a UTC wall time, and pages show "2006-01-02 15:04 UTC" (the
// `datetime` template function).

// inputTimeLayouts are the forms a posted date-time may take: the
// datetime-local value (with or without seconds), RFC 3339, a space
// instead of the T, or a date alone (midnight UTC).
var inputTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339, "2006-01-02 15:04", "2006-01-02"}

// ErrInputTime is returned for a posted date-time in none of the accepted
// forms.
var ErrInputTime = errors.New("not a date and time (YYYY-MM-DDTHH:MM)")

// ParseInputTime reads a posted datetime-local value as a UTC time.
func ParseInputTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range inputTimeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, ErrInputTime
}

// InputTime formats a time as the value of a datetime-local input (UTC);
// "" for the zero time.
func InputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04")
}

// DateTime formats a time as pages show it.
func DateTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
