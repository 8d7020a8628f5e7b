// SPDX-License-Identifier: AGPL-3.0-or-later

package authz_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/testkit"
)

// BenchmarkCan measures one decision (no database access) with 1,000
// stored grants over 100 spaces.
func BenchmarkCan(b *testing.B) {
	ctx := context.Background()
	db := testkit.OpenDB(b)
	en, err := newEnforcerTB(db)
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]string, 0, 1000)
	for i := 0; i < 1000; i++ {
		rows = append(rows, fmt.Sprintf("('g', 'account:%d', 'moderator', 'process:%d', '', '', '')", i+100, i%100))
	}
	for i := 0; i < len(rows); i += 250 {
		if err := db.Exec("INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES " + join(rows[i:i+250])).Error; err != nil {
			b.Fatal(err)
		}
	}
	if err := en.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	p := person(150) // moderator of process:50
	if ok, _ := en.Can(ctx, p, org, "process:50", "space.moderate"); !ok {
		b.Fatal("moderator refused")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := en.Can(ctx, p, org, "process:50", "notes.create"); err != nil {
			b.Fatal(err)
		}
	}
}

func join(rows []string) string { return strings.Join(rows, ", ") }
