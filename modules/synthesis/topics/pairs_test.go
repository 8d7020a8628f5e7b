// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
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
			var mix []Contribution
			for _, c := range cs {
				if known[c.ID] == convs[i] || known[c.ID] == convs[j] {
					mix = append(mix, c)
				}
			}
			syn, err := Build(context.Background(), Input{Contributions: mix, Seed: 1})
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
