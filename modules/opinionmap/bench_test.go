// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/polder-civic/polder/internal/instancetest"
)

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// postgresCPU is the user and system CPU time of the machine's postgres
// processes so far (0 when /proc cannot tell): the database's share of a
// vote when it runs on the same machine. Backends that exit during the
// run take their time with them, so it is a lower bound.
func postgresCPU() time.Duration {
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, f := range procs {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid … utime stime: fields 14 and 15, counted
		// after the parenthesised command name, which may hold spaces.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(fields[11], 10, 64)
		st, _ := strconv.ParseInt(fields[12], 10, 64)
		ticks += u + st
	}
	// USER_HZ is 100 on Linux for every architecture Go supports there.
	return time.Duration(ticks) * 10 * time.Millisecond
}

// BenchmarkVoteIngestion sends votes through the HTTP API from 200
// concurrent anonymous participants (each its own session) and reports
// votes per second and latency percentiles, then counts the rows: every
// (participant, statement) pair voted on is there exactly once. Run it on
// PostgreSQL with POLDER_TEST_DATABASE_URL set:
//
//	go test -run '^$' -bench VoteIngestion -benchtime 20000x ./modules/opinionmap/
//
// "saturated": each participant sends its next vote as soon as the last
// is answered, which measures the most votes per second the instance
// takes; its latencies are then mostly queueing (with 200 senders the mean
// is 200 / throughput). "paced-2000": the load, 2,000 votes/s
// offered by the 200 participants (one vote each per 100 ms, on a fixed
// schedule, open loop); each latency runs from the vote's scheduled time,
// so a stalled server is not hidden by senders that wait for it.
func BenchmarkVoteIngestion(b *testing.B) {
	b.Run("saturated", func(b *testing.B) { benchVotes(b, 0) })
	b.Run("paced-2000", func(b *testing.B) { benchVotes(b, 2000) })
}

// benchVotes runs b.N votes from 200 participants; rate 0 sends them back
// to back, otherwise at rate votes/s in all.
func benchVotes(b *testing.B, rate int) {
	const participants, statements = 200, 100
	e := newEnv(b)
	e.set(map[string]any{"recompute_delay": 60})
	bodies := make([]string, statements)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("Statement number %d", i)
	}
	ids := e.seed(bodies...)
	// The debounce's last enqueue must run before the database closes.
	defer e.svc().Flush()
	type client struct {
		csrf string
		do   func(body string) int
	}
	clients := make([]client, participants)
	for i := range clients {
		c := e.in.Client()
		c.HTTP.Transport = &http.Transport{MaxIdleConnsPerHost: 4}
		csrf := instancetest.Session(b, e.in, c, 0)
		clients[i] = client{csrf: csrf, do: func(body string) int {
			return instancetest.JSON(b, e.in, c, "POST", "/api/v1"+e.base+"/votes", csrf, "", body).Status
		}}
	}
	perClient := (b.N + participants - 1) / participants
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(participants) * time.Second / time.Duration(rate)
	}
	lat := make([][]time.Duration, participants)
	// late holds the latencies of votes sent (or scheduled) 2 s or more
	// into the run: the steady state, without the start (every
	// participant's first vote, the pool opening its connections).
	late := make([][]time.Duration, participants)
	sent := make([]map[int64]bool, participants)
	var wg sync.WaitGroup
	var failed sync.Map
	sqlDB, err := e.in.App.DB.DB.DB()
	if err != nil {
		b.Fatal(err)
	}
	// POLDER_BENCH_DB_POOL sets the pool's size (open and idle) for
	// trying other sizes than core/store's.
	if n, _ := strconv.Atoi(os.Getenv("POLDER_BENCH_DB_POOL")); n > 0 {
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
	}
	// As `polder serve` does before it listens (the benchmark's own
	// setup, one session at a time, opened only a few connections).
	if err := e.in.App.DB.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	pool0 := sqlDB.Stats()
	var gc0 runtime.MemStats
	runtime.ReadMemStats(&gc0)
	b.ResetTimer()
	cpu0, pg0 := cpuTime(), postgresCPU()
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			sent[i] = map[int64]bool{}
			// Paced senders start spread over one interval.
			first := start.Add(time.Duration(i) * interval / participants)
			for k := 0; k < perClient; k++ {
				id := ids[rng.IntN(len(ids))]
				v := []string{"agree", "disagree", "pass"}[rng.IntN(3)]
				t0 := time.Now()
				if rate > 0 {
					t0 = first.Add(time.Duration(k) * interval)
					time.Sleep(time.Until(t0))
				}
				st := clients[i].do(fmt.Sprintf(`{"statement_id":%d,"vote":"%s"}`, id, v))
				lat[i] = append(lat[i], time.Since(t0))
				if t0.Sub(start) >= 2*time.Second {
					late[i] = append(late[i], time.Since(t0))
				}
				if st != http.StatusOK {
					failed.Store(st, true)
					continue
				}
				sent[i][id] = true
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu, pgCPU := cpuTime()-cpu0, postgresCPU()-pg0
	b.StopTimer()
	pool := sqlDB.Stats()
	var gc runtime.MemStats
	runtime.ReadMemStats(&gc)
	failed.Range(func(k, _ any) bool { b.Errorf("a vote answered %v", k); return true })
	var all, steady []time.Duration
	pairs := 0
	for i := range lat {
		all = append(all, lat[i]...)
		steady = append(steady, late[i]...)
		pairs += len(sent[i])
	}
	q := func(d []time.Duration, p float64) float64 {
		if len(d) == 0 {
			return 0
		}
		sort.Slice(d, func(a, c int) bool { return d[a] < d[c] })
		return float64(d[int(p*float64(len(d)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "votes/s")
	b.ReportMetric(q(all, 0.5), "p50-ms")
	b.ReportMetric(q(all, 0.99), "p99-ms")
	// The same from the run's third second on (0 when the run is shorter).
	b.ReportMetric(q(steady, 0.99), "p99-after-2s-ms")
	// CPU of this process (server and clients; not the database's) per
	// vote: less sensitive than wall figures to other jobs on the machine.
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(all)), "cpu-µs/vote")
	// The same for PostgreSQL's processes when it runs on this machine
	// (0 otherwise; other clients' queries count too).
	b.ReportMetric(float64(pgCPU.Microseconds())/float64(len(all)), "pg-cpu-µs/vote")
	// The pool's behaviour: connections opened during the run (a pool
	// that closes idle connections under load reopens them, a backend
	// start each) and the time requests waited for a connection.
	b.ReportMetric(float64(pool.MaxIdleClosed-pool0.MaxIdleClosed+pool.MaxIdleTimeClosed-pool0.MaxIdleTimeClosed), "conns-closed")
	b.ReportMetric(float64((pool.WaitDuration-pool0.WaitDuration).Microseconds())/float64(len(all)), "poolwait-µs/vote")
	b.ReportMetric(float64(gc.NumGC-gc0.NumGC), "GCs")
	b.ReportMetric(float64(gc.Mallocs-gc0.Mallocs)/float64(len(all)), "allocs/vote")
	if got := e.countVotes(0); got != int64(pairs) {
		b.Fatalf("%d vote rows, want %d (one per participant and statement voted on)", got, pairs)
	}
}
