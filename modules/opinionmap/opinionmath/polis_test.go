// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/realdata"
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
	// bestK is the last run's best k by silhouette; runs counts the runs.
	bestK, runs int
}

// testReplayCadence is the recompute cadence of the replays in the tests:
// Pol.is's math worker polls for new votes every second by default
// (math/src/polismath/components/config.clj, :poller :votes
// :polling-interval 1000) and recomputes when there are new ones.
const testReplayCadence = time.Second

// runMode says how our groups are computed for the comparison.
type runMode int

const (
	// coldRun: one Compute on the final votes, without history.
	coldRun runMode = iota
	// replayRun: the votes replayed in time order with a recompute every
	// testReplayCadence (opinionmath.Replay), as Pol.is's live server did.
	replayRun
)

type runKey struct {
	name    string
	mode    runMode
	cadence time.Duration
}

type runOutput struct {
	exp     *polisdata.Export
	res     *opinionmath.Result
	elapsed time.Duration
}

// runs caches results: the replays are the slow part of the package's
// tests and several tests compare the same runs.
var runs sync.Map

func runPolis(t testing.TB, name string, mode runMode, cadence time.Duration) runOutput {
	t.Helper()
	key := runKey{name, mode, cadence}
	if out, ok := runs.Load(key); ok {
		return out.(runOutput)
	}
	exp, err := polisdata.ReadDir(realdata.SharedData(t, "polis", name))
	if err != nil {
		t.Fatal(err)
	}
	var res *opinionmath.Result
	start := time.Now()
	switch mode {
	case coldRun:
		m, err := exp.Matrix()
		if err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		res, err = opinionmath.Compute(m, nil, opinionmath.Options{})
		if err != nil {
			t.Fatal(err)
		}
	case replayRun:
		votes, err := exp.TimedVotes()
		if err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		res, _, err = opinionmath.Replay(exp.Statements(), votes, cadence, opinionmath.Options{})
		if err != nil {
			t.Fatal(err)
		}
	}
	out := runOutput{exp: exp, res: res, elapsed: time.Since(start)}
	if err := res.Validate(); err != nil {
		t.Fatal(err)
	}
	runs.Store(key, out)
	return out
}

// compareWithPolis compares our groups on a real conversation with the
// ones Pol.is exported.
func compareWithPolis(t testing.TB, name string, mode runMode, cadence time.Duration) comparison {
	t.Helper()
	run := runPolis(t, name, mode, cadence)
	exp, res, elapsed := run.exp, run.res, run.elapsed
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
		both: len(a), oursClustered: clustered, polisClusterd: len(theirs), elapsed: elapsed, ariAtPolisK: math.NaN(),
		bestK: res.BestK, runs: res.History.Runs}
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
// where Pol.is's grouping is clear: adjusted Rand index ≥ 0.75. Pol.is's
// groups are the end of a history of recomputes as the votes came in (warm
// starts, k smoothing), so we compare with a replay of that history
// (opinionmath.Replay), not with one cold run.
func TestAgreementWithPolis(t *testing.T) {
	for _, name := range []string{"brexit-consensus", "canadian-electoral-reform", "vtaiwan.uberx"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := compareWithPolis(t, name, replayRun, testReplayCadence)
			if c.ari < 0.75 {
				t.Errorf("ARI with Pol.is = %.3f over %d participants (groups ours %d, Pol.is %d, best k of the last run %d), want ≥ 0.75", c.ari, c.both, c.ours, c.polis, c.bestK)
			}
		})
	}
}

// TestPolisTable prints the comparison on every conversation (the table
// of the README's Math section), for one cold run and for the replay. Its
// assertions are the sanity ones: every conversation yields between 2 and
// 5 groups and a positive ARI, and we cluster nobody Pol.is did not.
func TestPolisTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| conversation | ARI cold / replay | groups cold / replay / Pol.is | ARI at Pol.is's k, cold / replay | Pol.is groups nearest-mean on our map | clustered ours (cold / replay) / Pol.is | time cold / replay (runs) |\n|---|---|---|---|---|---|---|\n")
	for _, name := range polisConversations {
		c := compareWithPolis(t, name, coldRun, 0)
		r := compareWithPolis(t, name, replayRun, testReplayCadence)
		fmt.Fprintf(&b, "| %s | %.3f / %.3f | %d / %d / %d | %.3f / %.3f | %.1f%% | %d / %d / %d | %s / %s (%d) |\n", name, c.ari, r.ari, c.ours, r.ours, c.polis,
			c.ariAtPolisK, r.ariAtPolisK, 100*c.nearestMean, c.oursClustered, r.oursClustered, c.polisClusterd,
			c.elapsed.Round(100*time.Microsecond), r.elapsed.Round(time.Millisecond), r.runs)
		for _, x := range []comparison{c, r} {
			if x.ours < 2 || x.ours > 5 {
				t.Errorf("%s: %d groups", name, x.ours)
			}
			if x.ari <= 0 {
				t.Errorf("%s: ARI %.3f, no agreement at all with Pol.is", name, x.ari)
			}
		}
		// Our admission rule (min(7, n) votes) is Pol.is's: everyone a cold
		// run clusters, Pol.is clustered too. (A replay may admit a few more:
		// its first runs top up to 15 the most active of the very first
		// voters, who then stay in; Pol.is's first runs came at moments we
		// do not know.)
		if c.both != c.oursClustered {
			t.Errorf("%s: %d of our %d clustered participants are not clustered by Pol.is", name, c.oursClustered-c.both, c.oursClustered)
		}
	}
	t.Log("\n" + b.String())
}

// BenchmarkReplayCadences replays the three acceptance conversations at
// several recompute cadences (1 s is Pol.is's vote-polling interval) and
// logs the ARI with Pol.is's groups: the figures of the README's cadence
// table. It is a benchmark because the 1 s replay of vtaiwan.uberx takes
// minutes: go test -run '^$' -bench ReplayCadences -benchtime 1x.
func BenchmarkReplayCadences(b *testing.B) {
	for range b.N {
		for _, cadence := range []time.Duration{time.Second, time.Minute, 2 * time.Minute, 3 * time.Minute, 5 * time.Minute, 7 * time.Minute,
			10 * time.Minute, 15 * time.Minute, 20 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour} {
			for _, name := range []string{"brexit-consensus", "canadian-electoral-reform", "vtaiwan.uberx"} {
				c := compareWithPolis(b, name, replayRun, cadence)
				b.Logf("cadence %v %s: ARI %.3f, groups %d / %d, best k %d, %d runs, %v", cadence, name, c.ari, c.ours, c.polis, c.bestK, c.runs, c.elapsed.Round(time.Millisecond))
			}
		}
	}
}
