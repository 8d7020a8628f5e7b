// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Options tune a run. The zero value is Pol.is's setting.
type Options struct {
	// Seed drives the pseudo-random start of a cold PCA.
	Seed uint64
	// StrictModeration leaves unmoderated statements out of the math and
	// of routing.
	StrictModeration bool
	// BaseClusters is the k of the base k-means (default 100).
	BaseClusters int
	// MaxGroups caps the number of opinion groups (default 5).
	MaxGroups int
	// SmoothingRuns is how many consecutive runs a new k must be best
	// before it is shown (default 4).
	SmoothingRuns int
	// FullEvery is the number of votes after which Update runs a full
	// Compute instead of the incremental path (default 1,000).
	FullEvery int
	// PolisColdStart makes a cold group clustering (no previous clustering
	// for that k) start from the first k distinct base centres only, as
	// Pol.is does, instead of also trying seeded k-means++ starts. Replay
	// sets it: with history, the cold start happens on the first tiny runs
	// and everything after is warm-started, as in Pol.is.
	PolisColdStart bool

	// skipStatistics leaves out repness, consensus and priorities: Replay's
	// intermediate runs only feed the next run's history.
	skipStatistics bool
}

func (o Options) withDefaults() Options {
	if o.BaseClusters <= 0 {
		o.BaseClusters = 100
	}
	if o.MaxGroups <= 0 {
		o.MaxGroups = 5
	}
	if o.SmoothingRuns <= 0 {
		o.SmoothingRuns = 4
	}
	if o.FullEvery <= 0 {
		o.FullEvery = 1000
	}
	return o
}

const (
	baseKMeansIterations  = 100
	groupKMeansIterations = 20
	// minVotesInConv is the vote count (or every statement, if fewer) that
	// admits a participant to the clustering.
	minVotesInConv = 7
	// minInConv is how many participants are admitted, the most active
	// first, when fewer qualify.
	minInConv = 15
	// groupsPerBaseCluster: max_k grows by one per this many base clusters.
	groupsPerBaseCluster = 12
)

// History is what a run hands to the next: warm starts and the k smoothing
// state. The zero value (or nil) means a first run.
type History struct {
	PCA *PCA
	// InConv holds the participants admitted to the clustering; once in,
	// a participant stays in.
	InConv map[int64]bool
	// BaseCenters are the base clusters' centres.
	BaseCenters []Point
	// GroupCenters holds, for every k tried, the group centres found.
	GroupCenters map[int][]Point
	// ShownK is the number of groups shown; CandidateK the k that was best
	// in the last CandidateRuns consecutive runs.
	ShownK, CandidateK, CandidateRuns int
	// Runs counts full runs; VotesSinceFull the votes applied by Update
	// since the last full run.
	Runs, VotesSinceFull int
}

// ParticipantResult is a participant's place on the map.
type ParticipantResult struct {
	ID    int64
	Point Point
	// Votes counts all the participant's votes, on any statement: like
	// Pol.is, admission to the clustering looks at how much people took
	// part, whatever happened to the statements later.
	Votes int
	// Clustered: admitted to the clustering (Base and Group are −1 if not).
	Clustered bool
	Base      int
	Group     int
}

// BaseCluster is one of the (up to 100) fine clusters.
type BaseCluster struct {
	Center Point
	Size   int
	Group  int
}

// Group is an opinion group with its representative statements.
type Group struct {
	ID             int
	Center         Point
	Members        []int64
	Representative []Repness
}

// StatementResult holds a statement's statistics.
type StatementResult struct {
	ID     int64
	InMath bool
	// All counts votes of every participant; Clustered of the clustered.
	All, Clustered Counts
	// Extremity is the length of the statement's own position.
	Extremity float64
	// Priority is the routing weight (§7).
	Priority float64
	// ConsensusAgree, ConsensusDisagree: group-informed consensus, the
	// product over groups of the smoothed agree (disagree) probability.
	ConsensusAgree, ConsensusDisagree float64
	// Divisiveness is the largest |p_a(g) − p_a(rest)| over groups, and
	// DivisiveGroup the group reaching it.
	Divisiveness  float64
	DivisiveGroup int
}

// Scored is a statement with a score, for the ranked lists.
type Scored struct {
	StatementID int64
	Vote        Vote
	Score       float64
	// P and Z are the proportion and its test where they apply.
	P, Z float64
}

// Result is the outcome of one run.
type Result struct {
	Participants []ParticipantResult
	Statements   []StatementResult
	PCA          PCA
	BaseClusters []BaseCluster
	Groups       []Group
	// BestK is this run's best k by silhouette; Groups has the smoothed k.
	BestK       int
	Silhouettes map[int]float64
	// BaseGroupsByK holds, for every k tried, the group of each base
	// cluster: the clusterings not shown, for comparisons and reports.
	BaseGroupsByK map[int][]int
	// ConsensusAgree and ConsensusDisagree are Pol.is's report consensus.
	ConsensusAgree, ConsensusDisagree []Scored
	// GroupConsensus ranks statements by group-informed consensus (agree
	// and disagree sides mixed, by the larger of the two).
	GroupConsensus []Scored
	// Majority: statements where at least 60% of the voters voted alike.
	Majority []Scored
	// Divisive ranks statements by divisiveness (top 5).
	Divisive []Scored
	// History feeds the next Compute or Update.
	History *History
	// Incremental is set when the result came from Update's fast path.
	Incremental bool

	partIndex map[int64]int
}

// Participant returns a participant's result.
func (r *Result) Participant(id int64) (ParticipantResult, bool) {
	i, ok := r.partIndex[id]
	if !ok {
		return ParticipantResult{}, false
	}
	return r.Participants[i], true
}

// GroupOf returns a participant's group, −1 if not clustered or unknown.
func (r *Result) GroupOf(id int64) int {
	p, ok := r.Participant(id)
	if !ok {
		return -1
	}
	return p.Group
}

// Compute runs the whole pipeline on the matrix. hist is the previous
// run's History (nil on the first run); it is not modified.
func Compute(m *Matrix, hist *History, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	if hist == nil {
		hist = &History{}
	}
	inMath := make([]bool, len(m.statements))
	nInMath := 0
	for j, s := range m.statements {
		inMath[j] = s.inMath(opts.StrictModeration)
		if inMath[j] {
			nInMath++
		}
	}
	mean := columnStats(m, inMath)
	pca := computePCA(m, inMath, mean, hist.PCA, opts.Seed)

	res := &Result{PCA: pca, partIndex: make(map[int64]int, len(m.participants))}
	colOf := pca.columnMap(m)
	res.Participants = make([]ParticipantResult, len(m.participants))
	for r, id := range m.participants {
		x, y, _ := pca.project(m, inMath, colOf, len(m.statements)-nInMath, r)
		res.Participants[r] = ParticipantResult{ID: id, Point: Point{x, y}, Votes: len(m.rows[r]), Base: -1, Group: -1}
		res.partIndex[id] = r
	}

	clustered := selectInConv(res.Participants, hist.InConv, len(m.statements))
	next := &History{
		PCA:           &res.PCA,
		InConv:        make(map[int64]bool, len(clustered)),
		GroupCenters:  map[int][]Point{},
		ShownK:        hist.ShownK,
		CandidateK:    hist.CandidateK,
		CandidateRuns: hist.CandidateRuns,
		Runs:          hist.Runs + 1,
	}
	for _, r := range clustered {
		res.Participants[r].Clustered = true
		next.InConv[res.Participants[r].ID] = true
	}
	res.History = next

	points := make([]Point, len(clustered))
	for i, r := range clustered {
		points[i] = res.Participants[r].Point
	}
	if len(points) > 0 {
		res.clusterGroups(points, clustered, hist, next, opts)
	}
	if !opts.skipStatistics {
		res.computeStatistics(m, inMath, opts)
	}
	return res, nil
}

// selectInConv returns the rows admitted to the clustering, in row order:
// those previously in, those with at least min(7, n_statements) votes, and
// if fewer than 15, the most active voters (earliest row on ties) up to 15.
// Votes and statements are counted whatever their moderation, as Pol.is
// does.
func selectInConv(ps []ParticipantResult, prev map[int64]bool, nStatements int) []int {
	threshold := min(minVotesInConv, nStatements)
	in := make([]bool, len(ps))
	n := 0
	for r, p := range ps {
		if (p.Votes >= threshold && p.Votes > 0) || prev[p.ID] {
			in[r] = true
			n++
		}
	}
	if n < minInConv {
		var rest []int
		for r, p := range ps {
			if !in[r] && p.Votes > 0 {
				rest = append(rest, r)
			}
		}
		slices.SortStableFunc(rest, func(a, b int) int { return ps[b].Votes - ps[a].Votes })
		for _, r := range rest {
			if n >= minInConv {
				break
			}
			in[r] = true
			n++
		}
	}
	out := make([]int, 0, n)
	for r := range in {
		if in[r] {
			out = append(out, r)
		}
	}
	return out
}

// clusterGroups builds the base clusters and the opinion groups.
func (res *Result) clusterGroups(points []Point, rows []int, hist, next *History, opts Options) {
	k := min(opts.BaseClusters, countDistinct(points, opts.BaseClusters))
	init := warmStart(points, nil, hist.BaseCenters, k)
	centres, assign := kmeans(points, nil, init, baseKMeansIterations)
	next.BaseCenters = centres

	sizes := make([]float64, len(centres))
	for _, a := range assign {
		sizes[a]++
	}
	nb := len(centres)
	maxK := min(opts.MaxGroups, 2+nb/groupsPerBaseCluster, nb)
	res.Silhouettes = map[int]float64{}
	res.BaseGroupsByK = map[int][]int{}
	groupAssign := map[int][]int{}
	groupCentres := map[int][]Point{}
	bestK, bestS := 1, math.Inf(-1)
	var dist []float64
	if maxK >= 2 {
		dist = pairDistances(centres)
	}
	for kk := 2; kk <= maxK; kk++ {
		rng := rand.New(rand.NewPCG(opts.Seed, uint64(kk)))
		restarts := groupRestarts
		if opts.PolisColdStart {
			restarts = 0
		}
		gc, ga := groupKMeans(centres, sizes, hist.GroupCenters[kk], kk, rng, restarts)
		next.GroupCenters[kk] = gc
		groupAssign[kk], groupCentres[kk] = ga, gc
		res.BaseGroupsByK[kk] = ga
		s := silhouette(dist, ga, len(gc))
		res.Silhouettes[kk] = s
		// Ties keep the smaller k.
		if s > bestS {
			bestK, bestS = kk, s
		}
	}
	res.BestK = bestK
	shown := smoothK(next, bestK, opts.SmoothingRuns)
	if _, ok := groupAssign[shown]; !ok {
		// The shown k is no longer possible (fewer base clusters): show
		// this run's best.
		shown = bestK
		next.ShownK = bestK
	}
	var ga []int
	var gc []Point
	if shown >= 2 {
		ga, gc = groupAssign[shown], groupCentres[shown]
	} else {
		// Too few base clusters to split: one group.
		ga = make([]int, nb)
		gc = []Point{meanPoint(centres, sizes)}
	}
	res.Groups = make([]Group, len(gc))
	for g := range gc {
		res.Groups[g] = Group{ID: g, Center: gc[g]}
	}
	res.BaseClusters = make([]BaseCluster, nb)
	for b := range centres {
		res.BaseClusters[b] = BaseCluster{Center: centres[b], Size: int(sizes[b]), Group: ga[b]}
	}
	for i, r := range rows {
		p := &res.Participants[r]
		p.Base = assign[i]
		p.Group = ga[assign[i]]
		res.Groups[p.Group].Members = append(res.Groups[p.Group].Members, p.ID)
	}
}

func meanPoint(ps []Point, w []float64) Point {
	var s Point
	var tw float64
	for i, p := range ps {
		s[0] += w[i] * p[0]
		s[1] += w[i] * p[1]
		tw += w[i]
	}
	if tw > 0 {
		s[0] /= tw
		s[1] /= tw
	}
	return s
}

// smoothK updates the smoothing state with this run's best k and returns
// the k to show: the best one on the first run, afterwards a new k only
// once it has been best in `runs` consecutive runs.
func smoothK(h *History, best, runs int) int {
	if best == h.CandidateK {
		h.CandidateRuns++
	} else {
		h.CandidateK, h.CandidateRuns = best, 1
	}
	if h.ShownK == 0 || (best != h.ShownK && h.CandidateRuns >= runs) {
		h.ShownK = best
	}
	return h.ShownK
}

// Validate checks the result's internal consistency (used by tests and as
// a guard by callers that persist results).
func (res *Result) Validate() error {
	for _, p := range res.Participants {
		if p.Clustered != (p.Group >= 0) {
			return fmt.Errorf("participant %d: clustered=%v but group %d", p.ID, p.Clustered, p.Group)
		}
		if p.Group >= len(res.Groups) {
			return fmt.Errorf("participant %d: group %d out of range", p.ID, p.Group)
		}
	}
	return nil
}
