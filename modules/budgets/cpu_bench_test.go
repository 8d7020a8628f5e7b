// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuMeter measures the CPU time a benchmark loop costs, less sensitive
// than wall time to the load of a shared machine: the test process's own
// (server and clients, all threads, GC included) and, on PostgreSQL, that
// of this test's database backends, found by the application_name of
// POLDER_TEST_DATABASE_URL (add `&application_name=polder-budgets-bench`
// to it; without one, or without /proc, only the process's figure is
// reported). Backends that exit during the loop are not counted, so the
// database figure is a lower bound.
type cpuMeter struct {
	e       *env
	process time.Duration
	backend map[int]time.Duration
}

func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backends returns the CPU time so far of each backend of this test's
// application_name.
func (m *cpuMeter) backends() map[int]time.Duration {
	if !strings.Contains(os.Getenv("POLDER_TEST_DATABASE_URL"), "application_name=") {
		return nil
	}
	var pids []int
	if err := m.e.in.App.DB.Raw("SELECT pid FROM pg_stat_activity WHERE application_name = current_setting('application_name')").Scan(&pids).Error; err != nil {
		return nil
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return nil // not on this host
		}
		// Fields after the command name (which may hold spaces): utime
		// and stime are the 12th and 13th, in clock ticks (100 per second
		// on Linux).
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(f) < 13 {
			return nil
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(u+s) * 10 * time.Millisecond
	}
	return out
}

func startCPU(e *env) *cpuMeter {
	m := &cpuMeter{e: e}
	m.backend = m.backends()
	m.process = processCPU(e.t)
	return m
}

// report adds cpu-ms/op (the process) and db-cpu-ms/op (the backends).
func (m *cpuMeter) report(b *testing.B) {
	proc := processCPU(b) - m.process
	b.ReportMetric(float64(proc)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	if m.backend == nil {
		return
	}
	after := m.backends()
	if after == nil {
		return
	}
	var db time.Duration
	for pid, t := range after {
		db += t - m.backend[pid]
	}
	b.ReportMetric(float64(db)/float64(time.Millisecond)/float64(b.N), "db-cpu-ms/op")
}
