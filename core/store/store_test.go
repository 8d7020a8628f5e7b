// SPDX-License-Identifier: AGPL-3.0-or-later

package store_test

import (
	"testing"

	"github.com/polder-civic/polder/core/store"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		in      string
		dialect store.Dialect
		dsn     string
		bad     bool
	}{
		{"postgres://u:p@h/db", store.Postgres, "postgres://u:p@h/db", false},
		{"postgresql://h/db", store.Postgres, "postgresql://h/db", false},
		{"sqlite:data/polder.db", store.SQLite, "data/polder.db", false},
		{"sqlite:///tmp/x.db", store.SQLite, "/tmp/x.db", false},
		{"data/polder.db", store.SQLite, "data/polder.db", false},
		{"mysql://h/db", "", "", true},
		{"", "", "", true},
	}
	for _, c := range cases {
		d, dsn, err := store.ParseURL(c.in)
		if (err != nil) != c.bad || d != c.dialect || dsn != c.dsn {
			t.Errorf("ParseURL(%q) = %q, %q, %v", c.in, d, dsn, err)
		}
	}
}
