// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/sortition/leximin"
)

// cpuTime is the process's user + system CPU time: on the shared CI
// machine wall time mostly measures the other jobs.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestSyntheticLong is the synthetic_2000_150 figure: maximin (and,
// with POLDER_SORTITION_LONG=leximin, full LEXIMIN) within the time limit
// POLDER_SORTITION_LIMIT (seconds, default 120), every panel of the support
// checked against the quotas, the minimum probability reported beside the
// greedy method's over 10,000 draws. It takes minutes, so it runs only
// when POLDER_SORTITION_LONG is set (CI does not).
func TestSyntheticLong(t *testing.T) {
	mode := os.Getenv("POLDER_SORTITION_LONG")
	if mode == "" {
		t.Skip("set POLDER_SORTITION_LONG=maximin (or leximin) to run the synthetic_2000_150 figure")
	}
	name := os.Getenv("POLDER_SORTITION_POOL")
	if name == "" {
		name = "synthetic_2000_150"
	}
	k := 150
	if name == "synthetic_600_60" {
		k = 60
	}
	limit := 120 * time.Second
	if s := os.Getenv("POLDER_SORTITION_LIMIT"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		limit = time.Duration(n) * time.Second
	}
	p := loadDir(t, realdata.SharedData(t, "sortition", name))
	cpu0, wall0 := cpuTime(t), time.Now()
	r, err := leximin.Solve(context.Background(), p, k, leximin.Options{MaximinOnly: mode != "leximin", TimeLimit: limit})
	if err != nil {
		t.Fatal(err)
	}
	cpu, wall := cpuTime(t)-cpu0, time.Since(wall0)
	checkSupport(t, p, r, k, false)
	g, err := leximin.Greedy(p, k, false, 10000, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s %s: minimum %.5f (complete %v, gap %.5f, %d stages, %d types fixed), %d types, %d panels in support, %d columns, %d pricing nodes, %d pivots; CPU %.1f s, wall %.1f s; greedy minimum %.5f (10,000 draws)",
		name, mode, r.Minimum, r.Complete, r.Gap, r.Stages, r.FixedTypes, len(r.TypeMembers), len(r.Panels), r.Columns, r.PricingNodes, r.LPIterations,
		cpu.Seconds(), wall.Seconds(), g.Minimum)
	if r.Minimum <= g.Minimum {
		t.Errorf("maximin minimum %.5f does not beat greedy's %.5f", r.Minimum, g.Minimum)
	}
}
