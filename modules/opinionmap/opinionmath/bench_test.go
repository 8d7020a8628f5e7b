// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
	"github.com/polder-civic/polder/modules/opinionmap/polisdata"
)

// cpuTime is the process's user+system CPU time: the build machine is
// shared, so wall time alone overstates our cost when others are busy.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs fn and reports, beside the time, the peak heap in use
// (sampled; -benchmem only reports allocations) and the CPU time per op.
func measure(b *testing.B, fn func()) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	cpu := cpuTime()
	fn()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	close(done)
	wg.Wait()
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(before.HeapInuse)/(1<<20), "input-heap-MB")
}

func largeSpec(participants, statements, votesEach int) synthSpec {
	return synthSpec{Seed: 1, Participants: participants, GroupShares: []float64{0.5, 0.3, 0.2}, Consensus: 10, Signatures: 5,
		Bloc: statements - 10 - 15, VotesPerParticipant: votesEach, Noise: 0.1}
}

func benchCompute(b *testing.B, spec synthSpec) {
	c := generate(spec)
	b.Logf("%d participants, %d statements, %d votes", c.m.NumParticipants(), c.m.NumStatements(), c.m.NumVotes())
	b.ReportAllocs()
	b.ResetTimer()
	measure(b, func() {
		for i := 0; i < b.N; i++ {
			if _, err := opinionmath.Compute(c.m, nil, opinionmath.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompute10k: full recompute, 10,000 participants × 1,000
// statements × 1,000,000 votes (target < 3 s, < 1 GiB).
func BenchmarkCompute10k(b *testing.B) {
	benchCompute(b, largeSpec(10_000, 1_000, 100))
}

// BenchmarkCompute100k: 100,000 × 5,000 × 10,000,000 votes (target < 30 s,
// < 2 GiB). Only with POLDER_BIG_BENCH=1: generating the input alone takes
// a while.
func BenchmarkCompute100k(b *testing.B) {
	if os.Getenv("POLDER_BIG_BENCH") != "1" {
		b.Skip("set POLDER_BIG_BENCH=1 to run")
	}
	benchCompute(b, largeSpec(100_000, 5_000, 100))
}

// BenchmarkUpdate1000Votes: incremental update of the 10k conversation
// after 1,000 new votes from 10 new participants (target < 1 s).
func BenchmarkUpdate1000Votes(b *testing.B) {
	c := generate(largeSpec(10_000, 1_000, 100))
	opts := opinionmath.Options{FullEvery: 1_000_000}
	base, err := opinionmath.Compute(c.m, nil, opts)
	if err != nil {
		b.Fatal(err)
	}
	src := c.m.Participants()[:10]
	var changed []int64
	votes := 0
	for i, p := range src {
		id := int64(1_000_000 + i)
		for _, s := range c.m.VotedStatements(p) {
			v, _ := c.m.Vote(p, s)
			if err := c.m.SetVote(id, s, v); err != nil {
				b.Fatal(err)
			}
			votes++
		}
		changed = append(changed, id)
	}
	b.ReportAllocs()
	b.ResetTimer()
	measure(b, func() {
		for i := 0; i < b.N; i++ {
			res, err := opinionmath.Update(c.m, base, changed, votes, opts)
			if err != nil {
				b.Fatal(err)
			}
			if !res.Incremental {
				b.Fatal("full recompute")
			}
		}
	})
}

// BenchmarkVtaiwan: full run on the largest real conversation (target
// < 150 ms).
func BenchmarkVtaiwan(b *testing.B) {
	exp, err := polisdata.ReadDir(realdata.SharedData(b, "polis", "vtaiwan.uberx"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := exp.Matrix()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	measure(b, func() {
		for i := 0; i < b.N; i++ {
			if _, err := opinionmath.Compute(m, nil, opinionmath.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
