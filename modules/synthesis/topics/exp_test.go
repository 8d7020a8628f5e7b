// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
	"testing"
)

func TestExpDims(t *testing.T) {
	cl, kc := loadClimate(t)
	po, kp := loadPolis(t)
	for i := range cl {
		cl[i].Theme = ""
	}
	for _, k := range []int{0, 1} {
		expNoBigram = k == 1
		k := 0
		expK = k
		for _, set := range []struct {
			n  string
			cs []Contribution
			k  map[string]string
		}{{"climate", cl, kc}, {"polis", po, kp}} {
			var labs []map[string]string
			var out []float64
			for _, seed := range []uint64{1, 2, 3} {
				syn, _ := Build(context.Background(), Input{Contributions: set.cs, Seed: seed})
				l := topicLabels(t, syn)
				labs = append(labs, l)
				nmi, _ := nmiAgainst(l, set.k)
				out = append(out, nmi)
			}
			t.Logf("k=%d %s nmi=%.3f %.3f %.3f stab=%.3f %.3f", k, set.n, out[0], out[1], out[2], pairedNMI(labs[0], labs[1]), pairedNMI(labs[1], labs[2]))
		}
	}
}
