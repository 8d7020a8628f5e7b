// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"testing"
	"time"
)

func TestParseInputTime(t *testing.T) {
	want := time.Date(2027, 3, 31, 18, 30, 0, 0, time.UTC)
	for _, s := range []string{"2027-03-31T18:30", " 2027-03-31T18:30:00 ", "2027-03-31T20:30:00+02:00", "2027-03-31 18:30"} {
		got, err := ParseInputTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseInputTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "31/03/2027 18:30", "2027-02-30T10:00", "2027-03-31T25:00", "tomorrow"} {
		if got, err := ParseInputTime(s); err == nil {
			t.Errorf("ParseInputTime(%q) = %v, want an error", s, got)
		}
	}
	if s := InputTime(want); s != "2027-03-31T18:30" {
		t.Errorf("InputTime = %q", s)
	}
	if s := DateTime(want.In(time.FixedZone("CEST", 7200))); s != "2027-03-31 18:30 UTC" {
		t.Errorf("DateTime = %q", s)
	}
}
