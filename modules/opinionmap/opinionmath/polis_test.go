// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/testkit"
	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
	"github.com/polder-civic/polder/modules/opinionmap/polisdata"
)

var polisConversations = []string{
	"15-per-hour-seattle",
	"brexit-consensus",
	"canadian-electoral-reform",
	"london.youth.policing",
	"scoop-hivemind.freshwater",
	"scoop-hivemind.ubi",
	"vtaiwan.uberx",
}

type comparison struct {
	name          string
	ari           float64
	ours, polis   int
	both          int
	oursClustered int
	polisClusterd int
	// ariAtPolisK compares our clustering at Pol.is's number of groups.
	ariAtPolisK float64
	// nearestMean is the share of participants whose Pol.is group has the
	// nearest group mean on our map: close to 1 when Pol.is's groups are a
	// k-means-like partition of our map, i.e. when the maps agree.
	nearestMean float64
	elapsed     time.Duration
}

// compareWithPolis runs one full Compute on a real conversation and
// compares our groups with the ones Pol.is exported.
func compareWithPolis(t testing.TB, name string) comparison {
	t.Helper()
	exp, err := polisdata.ReadDir(testkit.SharedData(t, "polis", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := exp.Matrix()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := opinionmath.Compute(m, nil, opinionmath.Options{})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if err := res.Validate(); err != nil {
		t.Fatal(err)
	}
	theirs := exp.PolisGroups()
	polisK := map[int]bool{}
	for _, g := range theirs {
		polisK[g] = true
	}
	var a, atK, b []int
	var pts []opinionmath.Point
	clustered := 0
	for _, p := range res.Participants {
		if !p.Clustered {
			continue
		}
		clustered++
		if g, ok := theirs[p.ID]; ok {
			a = append(a, p.Group)
			b = append(b, g)
			pts = append(pts, p.Point)
			if byK, ok := res.BaseGroupsByK[len(polisK)]; ok {
				atK = append(atK, byK[p.Base])
			}
		}
	}
	c := comparison{name: name, ari: opinionmath.AdjustedRandIndex(a, b), ours: len(res.Groups), polis: len(polisK),
		both: len(a), oursClustered: clustered, polisClusterd: len(theirs), elapsed: elapsed, ariAtPolisK: math.NaN()}
	if len(atK) == len(b) {
		c.ariAtPolisK = opinionmath.AdjustedRandIndex(atK, b)
	}
	means := map[int][3]float64{}
	for i, g := range b {
		s := means[g]
		s[0] += pts[i][0]
		s[1] += pts[i][1]
		s[2]++
		means[g] = s
	}
	agree := 0
	for i, g := range b {
		best, bd := -1, math.Inf(1)
		for h, s := range means {
			dx, dy := pts[i][0]-s[0]/s[2], pts[i][1]-s[1]/s[2]
			if d := dx*dx + dy*dy; d < bd || (d == bd && h < best) {
				best, bd = h, d
			}
		}
		if best == g {
			agree++
		}
	}
	if len(b) > 0 {
		c.nearestMean = float64(agree) / float64(len(b))
	}
	return c
}

// TestAgreementWithPolis is the acceptance test on three conversations
// where Pol.is's grouping is clear: adjusted Rand index ≥ 0.75.
func TestAgreementWithPolis(t *testing.T) {
	for _, name := range []string{"brexit-consensus", "canadian-electoral-reform", "vtaiwan.uberx"} {
		t.Run(name, func(t *testing.T) {
			c := compareWithPolis(t, name)
			if c.ari < 0.75 {
				t.Errorf("ARI with Pol.is = %.3f over %d participants (groups ours %d, Pol.is %d), want ≥ 0.75", c.ari, c.both, c.ours, c.polis)
			}
		})
	}
}

// TestPolisTable prints the comparison on every conversation (the table
// of the README's Math section). Its assertions are the sanity ones: every
// conversation yields between 2 and 5 groups and a positive ARI.
func TestPolisTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| conversation | ARI | groups ours / Pol.is | ARI at Pol.is's k | Pol.is groups nearest-mean on our map | clustered ours / Pol.is / both | time |\n|---|---|---|---|---|---|---|\n")
	for _, name := range polisConversations {
		c := compareWithPolis(t, name)
		fmt.Fprintf(&b, "| %s | %.3f | %d / %d | %.3f | %.1f%% | %d / %d / %d | %s |\n", name, c.ari, c.ours, c.polis,
			c.ariAtPolisK, 100*c.nearestMean, c.oursClustered, c.polisClusterd, c.both, c.elapsed.Round(100*time.Microsecond))
		if c.ours < 2 || c.ours > 5 {
			t.Errorf("%s: %d groups", name, c.ours)
		}
		if c.ari <= 0 {
			t.Errorf("%s: ARI %.3f, no agreement at all with Pol.is", name, c.ari)
		}
		// Our admission rule (min(7, n) votes) is Pol.is's: everyone we
		// cluster, Pol.is clustered too. (Pol.is may cluster more: people it
		// admitted earlier under an older rule stay in.)
		if c.both != c.oursClustered {
			t.Errorf("%s: %d of our %d clustered participants are not clustered by Pol.is", name, c.oursClustered-c.both, c.oursClustered)
		}
	}
	t.Log("\n" + b.String())
}
