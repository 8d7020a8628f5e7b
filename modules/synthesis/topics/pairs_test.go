// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
	"math/bits"
	"slices"
	"strconv"
	"testing"
)

// TestPolisPairsRecovered is the spec's minimum test: the statements of
// two conversations mixed, for every pair of the six English ones.
func TestPolisPairsRecovered(t *testing.T) {
	cs, known := loadPolis(t)
	convs := polisConversations[:6]
	sum, lowest, pairs := 0.0, 1.0, 0
	sumP, lowestP := 0.0, 1.0
	for i := range convs {
		for j := i + 1; j < len(convs); j++ {
			syn, err := Build(context.Background(), Input{Contributions: mixOf(cs, known, convs[i], convs[j]), Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			got := topicLabels(t, syn)
			nmi, n := nmiAgainst(got, known)
			pur := purity(got, known)
			t.Logf("%s + %s: %d statements, %d topics, NMI %.3f, purity %.3f", convs[i], convs[j], n, len(syn.Themes[0].Topics), nmi, pur)
			sum += nmi
			lowest = min(lowest, nmi)
			// With k free (up to n/5 topics), recovering two themes means
			// topics that each hold one theme: purity, not NMI, which
			// also penalises splitting a theme into subtopics.
			if pur < 0.8 {
				t.Errorf("%s + %s: purity %.3f below 0.8", convs[i], convs[j], pur)
			}
			sumP += pur
			lowestP = min(lowestP, pur)
			pairs++
		}
	}
	t.Logf("pairs: mean NMI %.3f, lowest %.3f; mean purity %.3f, lowest %.3f", sum/float64(pairs), lowest, sumP/float64(pairs), lowestP)
}

// purity is the share of items whose topic's most common known label is
// their own ("other contributions" counted as a topic).
func purity(got, known map[string]string) float64 {
	counts := map[string]map[string]int{}
	n := 0
	for id, g := range got {
		k, ok := known[id]
		if !ok {
			continue
		}
		if counts[g] == nil {
			counts[g] = map[string]int{}
		}
		counts[g][k]++
		n++
	}
	right := 0
	for _, m := range counts {
		best := 0
		for _, c := range m {
			best = max(best, c)
		}
		right += best
	}
	return float64(right) / float64(n)
}

// BenchmarkPolisMixes pools every combination of 2 to 6 of the six
// English Pol.is conversations and reports, at the default seed, the
// mean and lowest NMI between topics and conversations, the mean purity
// and the mean number of topics per mix size (README, "Limits": NMI
// falls with fewer themes, since each is split into subtopics).
func BenchmarkPolisMixes(b *testing.B) {
	cs, known := loadPolis(b)
	convs := polisConversations[:6]
	for size := 2; size <= len(convs); size++ {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			for b.Loop() {
				sum, lowest, pur, topics, mixes := 0.0, 1.0, 0.0, 0, 0
				for mask := range 1 << len(convs) {
					if bits.OnesCount(uint(mask)) != size {
						continue
					}
					var chosen []string
					for i, conv := range convs {
						if mask&(1<<i) != 0 {
							chosen = append(chosen, conv)
						}
					}
					syn, err := Build(context.Background(), Input{Contributions: mixOf(cs, known, chosen...), Seed: 1})
					if err != nil {
						b.Fatal(err)
					}
					got := topicLabels(b, syn)
					nmi, _ := nmiAgainst(got, known)
					sum += nmi
					lowest = min(lowest, nmi)
					pur += purity(got, known)
					topics += len(syn.Themes[0].Topics)
					mixes++
				}
				b.ReportMetric(sum/float64(mixes), "NMI-mean")
				b.ReportMetric(lowest, "NMI-min")
				b.ReportMetric(pur/float64(mixes), "purity-mean")
				b.ReportMetric(float64(topics)/float64(mixes), "topics-mean")
			}
		})
	}
}

// mixOf returns the contributions of cs whose known label is one of convs.
func mixOf(cs []Contribution, known map[string]string, convs ...string) []Contribution {
	var mix []Contribution
	for _, c := range cs {
		if slices.Contains(convs, known[c.ID]) {
			mix = append(mix, c)
		}
	}
	return mix
}
