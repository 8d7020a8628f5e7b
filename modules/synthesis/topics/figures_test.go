// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
	"testing"
)

// BenchmarkQualityFigures reports, over seeds 1-5, the mean and lowest
// NMI between topics and known labels (Pol.is conversations pooled; the
// climate fixture) and the mean and lowest run-to-run NMI between
// consecutive seeds. The figures go in the README; the tests assert the
// thresholds on fixed seeds.
func BenchmarkQualityFigures(b *testing.B) {
	polis, kp := loadPolis(b)
	climate, kc := loadClimate(b)
	for i := range climate {
		climate[i].Theme = ""
	}
	for _, set := range []struct {
		name  string
		cs    []Contribution
		known map[string]string
	}{{"polis", polis, kp}, {"climate", climate, kc}} {
		b.Run(set.name, func(b *testing.B) {
			for b.Loop() {
				var prev map[string]string
				sumK, minK, sumS, minS, pairs := 0.0, 1.0, 0.0, 1.0, 0
				for seed := uint64(1); seed <= 5; seed++ {
					syn, err := Build(context.Background(), Input{Contributions: set.cs, Seed: seed})
					if err != nil {
						b.Fatal(err)
					}
					got := topicLabels(b, syn)
					nmi, _ := nmiAgainst(got, set.known)
					sumK += nmi
					minK = min(minK, nmi)
					if prev != nil {
						s := pairedNMI(prev, got)
						sumS += s
						minS = min(minS, s)
						pairs++
					}
					prev = got
				}
				b.ReportMetric(sumK/5, "NMI-known-mean")
				b.ReportMetric(minK, "NMI-known-min")
				b.ReportMetric(sumS/float64(pairs), "NMI-seeds-mean")
				b.ReportMetric(minS, "NMI-seeds-min")
			}
		})
	}
}
