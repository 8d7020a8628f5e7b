// SPDX-License-Identifier: AGPL-3.0-or-later

package rules_test

import (
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/polder-civic/polder/modules/budgets/rules"
)

func BenchmarkWieliczkaMESAdd1(b *testing.B) {
	_, e := load(b, "Poland_Wieliczka_2023_Green_Budget.pb")
	opt := rules.Options{Rule: rules.RuleMES, Completion: rules.CompletionAdd1}
	cpu := startCPU()
	for b.Loop() {
		out, err := rules.Compute(e, opt)
		if err != nil || len(out.Funded) != 30 {
			b.Fatalf("%v %v", err, out)
		}
	}
	cpu.report(b)
}

// cpuClock measures the process CPU time (all threads) across a benchmark
// loop: on a shared machine wall time says more about the neighbours.
type cpuClock time.Duration

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock(processCPU()) }

func (c cpuClock) report(b *testing.B) {
	b.ReportMetric((processCPU()-time.Duration(c)).Seconds()/float64(b.N), "cpu-s/op")
}

func BenchmarkAssenMESAdd1(b *testing.B) { benchFile(b, "Netherlands_Assen_2024.pb") }

func BenchmarkSwiecieMESAdd1(b *testing.B) { benchFile(b, "Poland_Swiecie_2023.pb") }

func benchFile(b *testing.B, file string) {
	_, e := load(b, file)
	opt := rules.Options{Rule: rules.RuleMES, Completion: rules.CompletionAdd1}
	cpu := startCPU()
	for b.Loop() {
		if _, err := rules.Compute(e, opt); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// synthetic builds m projects and n approval ballots: project popularity
// is skewed (some projects are much more approved than others) and costs
// spread over two orders of magnitude (20,000 to 2,000,000, so the share
// per voter is about 100 currency units and add1 needs many runs), like
// real instances.
func synthetic(m, n int, seed uint64) *rules.Election {
	rng := rand.New(rand.NewPCG(seed, 1))
	e := &rules.Election{Projects: make([]rules.Project, m), Ballots: make([]rules.Ballot, n)}
	weight := make([]float64, m)
	var total int64
	for p := range e.Projects {
		c := int64(20000 + rng.IntN(1980000))
		e.Projects[p] = rules.Project{ID: "p" + itoa(p), Cost: c}
		total += c
		weight[p] = 0.01 + 0.09*rng.Float64()*rng.Float64()
	}
	e.Budget = total / 4
	for i := range e.Ballots {
		var ps []int
		for p := range m {
			if rng.Float64() < weight[p] {
				ps = append(ps, p)
			}
		}
		if len(ps) == 0 {
			ps = []int{rng.IntN(m)}
		}
		e.Ballots[i] = rules.Ballot{Projects: ps}
	}
	return e
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func benchSynthetic(b *testing.B, completion rules.Completion) {
	if os.Getenv("POLDER_BIG_BENCH") != "1" {
		b.Skip("set POLDER_BIG_BENCH=1 for the 200 × 500,000 benchmark")
	}
	e := synthetic(200, 500000, 7)
	opt := rules.Options{Rule: rules.RuleMES, Completion: completion}
	runtime.GC()
	cpu := startCPU()
	for b.Loop() {
		out, err := rules.Compute(e, opt)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(out.Funded)), "funded")
		b.ReportMetric(float64(out.Runs), "runs")
	}
	cpu.report(b)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sysMiB")
}

func BenchmarkSyntheticMES(b *testing.B)     { benchSynthetic(b, rules.CompletionNone) }
func BenchmarkSyntheticMESAdd1(b *testing.B) { benchSynthetic(b, rules.CompletionAdd1) }
