// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/polder-civic/polder/modules/synthesis/textan"
)

// generateContributions makes n contributions of about words words each:
// the words of each one are drawn from the fixture contributions of one
// known topic in one language (80%) and from the whole fixture (20%), so
// the vocabulary and its spread are those of real proposals. 2% are
// lightly edited copies of one campaign text.
func generateContributions(tb testing.TB, n, words int, seed uint64) []Contribution {
	tb.Helper()
	pools, keys, all := climateWords(tb)
	rng := rand.New(rand.NewPCG(seed, 7))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	sessions := []string{"s1", "s2", "s3", "s4"}
	out := make([]Contribution, n)
	var b strings.Builder
	for i := range out {
		c := Contribution{
			ID:       "g" + strconv.Itoa(i),
			Theme:    "climat",
			Session:  sessions[i*len(sessions)/n],
			Date:     base.Add(time.Duration(i) * time.Minute),
			Supports: rng.IntN(20),
		}
		if rng.IntN(10) == 0 {
			c.AuthorType = "organisation"
		} else {
			c.AuthorType = "citizen"
		}
		if rng.IntN(50) == 0 {
			c.Text = editCampaign(rng, campaignText)
		} else {
			k := keys[rng.IntN(len(keys))]
			p := pools[k]
			b.Reset()
			for w := range words {
				if w > 0 {
					b.WriteByte(' ')
				}
				if rng.IntN(5) == 0 {
					b.WriteString(all[rng.IntN(len(all))])
				} else {
					b.WriteString(p[rng.IntN(len(p))])
				}
			}
			c.Text = b.String()
		}
		out[i] = c
	}
	return out
}

func benchmarkBuild(b *testing.B, n int) {
	cs := generateContributions(b, n, 60, 1)
	b.ReportAllocs()
	b.ResetTimer()
	var syn *Synthesis
	cpu0 := cpuSeconds()
	runs := 0
	for b.Loop() {
		runs++
		var err error
		syn, err = Build(context.Background(), Input{Contributions: cs, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU time (user + system, all threads) per build: on a shared
	// machine it says more than the wall time.
	b.ReportMetric((cpuSeconds()-cpu0)/float64(runs), "cpu-s/op")
	th := syn.Themes[0]
	b.ReportMetric(float64(len(th.Topics)), "topics")
	b.ReportMetric(float64(syn.DuplicateContributions), "duplicates")
	if rss, ok := peakRSSMiB(); ok {
		b.ReportMetric(rss, "peak-RSS-MiB")
	}
}

// BenchmarkBuild10k is the synthesis of 10,000 contributions of ~60 words.
func BenchmarkBuild10k(b *testing.B) { benchmarkBuild(b, 10_000) }

// BenchmarkBuild100k is the synthesis of 100,000 contributions of ~60
// words; it takes a minute per run, so it runs only with
// POLDER_BIG_BENCH=1.
func BenchmarkBuild100k(b *testing.B) {
	if os.Getenv("POLDER_BIG_BENCH") != "1" {
		b.Skip("set POLDER_BIG_BENCH=1 to run the 100,000-contribution benchmark")
	}
	benchmarkBuild(b, 100_000)
}

// peakRSSMiB reads the process's peak resident set (Linux only).
func peakRSSMiB() (float64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimPrefix(line, "VmHWM:"), "%f", &kb); err == nil {
				return kb / 1024, true
			}
		}
	}
	return 0, false
}

// cpuSeconds is the user and system CPU time used by the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// wordPool names the words of the climate fixture's contributions of one
// known topic in one language.
type wordPool struct{ topic, lang string }

// climateWords splits the climate fixture's words by known topic and
// detected language (keys in first-seen order) and also returns them all,
// for the generated contribution sets.
func climateWords(tb testing.TB) (map[wordPool][]string, []wordPool, []string) {
	tb.Helper()
	fixture, known := loadClimate(tb)
	pools := map[wordPool][]string{}
	var all []string
	var keys []wordPool
	for _, c := range fixture {
		k := wordPool{known[c.ID], string(textan.DetectLanguage(c.Text).Lang)}
		if _, ok := pools[k]; !ok {
			keys = append(keys, k)
		}
		for _, w := range strings.Fields(c.Text) {
			pools[k] = append(pools[k], w)
			all = append(all, w)
		}
	}
	return pools, keys, all
}
