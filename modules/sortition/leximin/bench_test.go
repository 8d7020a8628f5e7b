// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin_test

import (
	"context"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/sortition/leximin"
)

// BenchmarkExampleLarge200 is LEXIMIN on the paper's example_large_200
// (pool 2,000, panel 200; the paper reports 1,161.8 s with Gurobi over
// people). Over types the LP has three rows.
func BenchmarkExampleLarge200(b *testing.B) {
	p := loadReplication(b, "example_large_200")
	var r *leximin.Result
	for b.Loop() {
		var err error
		r, err = leximin.Solve(context.Background(), p, 200, leximin.Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(r.Minimum, "min-prob")
}

// benchSynthetic runs maximin or LEXIMIN under a 120 s limit and reports
// the minimum probability beside the greedy baseline's (10,000 draws).
func benchSynthetic(b *testing.B, name string, k int, maximin bool) {
	p := loadDir(b, realdata.SharedData(b, "sortition", name))
	g, err := leximin.Greedy(p, k, false, 10000, 1)
	if err != nil {
		b.Fatal(err)
	}
	var r *leximin.Result
	for b.Loop() {
		r, err = leximin.Solve(context.Background(), p, k, leximin.Options{MaximinOnly: maximin, TimeLimit: 120 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
	}
	complete := 0.0
	if r.Complete {
		complete = 1
	}
	b.ReportMetric(r.Minimum, "min-prob")
	b.ReportMetric(r.Gap, "gap")
	b.ReportMetric(complete, "complete")
	b.ReportMetric(float64(len(r.Panels)), "panels")
	b.ReportMetric(float64(len(r.TypeMembers)), "types")
	b.ReportMetric(float64(r.Stages), "stages")
	b.ReportMetric(g.Minimum, "greedy-min-prob")
}

func BenchmarkSynthetic2000Maximin(b *testing.B) { benchSynthetic(b, "synthetic_2000_150", 150, true) }
func BenchmarkSynthetic600Maximin(b *testing.B)  { benchSynthetic(b, "synthetic_600_60", 60, true) }
func BenchmarkSynthetic600Leximin(b *testing.B)  { benchSynthetic(b, "synthetic_600_60", 60, false) }

// BenchmarkGreedy10000 is the simulated greedy baseline on
// example_large_200.
func BenchmarkGreedy10000(b *testing.B) {
	p := loadReplication(b, "example_large_200")
	for b.Loop() {
		if _, err := leximin.Greedy(p, 200, false, 10000, 1); err != nil {
			b.Fatal(err)
		}
	}
}
