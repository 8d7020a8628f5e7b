// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Point is a position on the two-dimensional opinion map.
type Point [2]float64

func dist2(a, b Point) float64 {
	dx, dy := a[0]-b[0], a[1]-b[1]
	return dx*dx + dy*dy
}

// kmeansConvergence is how far (in map units) every centre may still move
// for k-means to count as converged.
const kmeansConvergence = 0.01

// nearest returns the index of the centre closest to p (lowest index on
// ties) and the squared distance to it.
func nearest(p Point, centres []Point) (int, float64) {
	best, bd := 0, math.Inf(1)
	for i, c := range centres {
		// dx² alone already at least bd rules the centre out (adding dy² ≥
		// 0 cannot bring the sum under bd): the same answer, cheaper.
		dx := p[0] - c[0]
		dx2 := dx * dx
		if dx2 >= bd {
			continue
		}
		dy := p[1] - c[1]
		if d := dx2 + dy*dy; d < bd {
			best, bd = i, d
		}
	}
	return best, bd
}

// assignAll sets assign[i] to the nearest centre of every point, in
// parallel chunks for large inputs (the result does not depend on them).
func assignAll(points, centres []Point, assign []int) {
	if len(points) < 4096 {
		for i, p := range points {
			assign[i], _ = nearest(p, centres)
		}
		return
	}
	var wg sync.WaitGroup
	for _, b := range chunkBounds(len(points)) {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				assign[i], _ = nearest(points[i], centres)
			}
		}(b[0], b[1])
	}
	wg.Wait()
}

// weightedMeans recomputes the centres as the weighted means of their
// points, dropping centres left without points. It returns the new centres
// and, for each old centre, its new index (−1 when dropped).
func weightedMeans(points []Point, weights []float64, assign []int, k int) ([]Point, []int) {
	sum := make([]Point, k)
	w := make([]float64, k)
	for i, p := range points {
		wi := 1.0
		if weights != nil {
			wi = weights[i]
		}
		a := assign[i]
		sum[a][0] += wi * p[0]
		sum[a][1] += wi * p[1]
		w[a] += wi
	}
	remap := make([]int, k)
	out := make([]Point, 0, k)
	for c := 0; c < k; c++ {
		if w[c] == 0 {
			remap[c] = -1
			continue
		}
		remap[c] = len(out)
		out = append(out, Point{sum[c][0] / w[c], sum[c][1] / w[c]})
	}
	return out, remap
}

// kmeans runs Lloyd's algorithm from the given initial centres for at most
// maxIter iterations, stopping once every centre moved less than
// kmeansConvergence. Empty clusters are dropped. Weights may be nil.
func kmeans(points []Point, weights []float64, init []Point, maxIter int) ([]Point, []int) {
	centres := append([]Point(nil), init...)
	assign := make([]int, len(points))
	if len(points) == 0 || len(centres) == 0 {
		return nil, assign
	}
	for it := 0; it < maxIter; it++ {
		assignAll(points, centres, assign)
		next, remap := weightedMeans(points, weights, assign, len(centres))
		converged := len(next) == len(centres)
		if converged {
			for c := range next {
				if dist2(next[c], centres[c]) >= kmeansConvergence*kmeansConvergence {
					converged = false
					break
				}
			}
		}
		for i := range assign {
			assign[i] = remap[assign[i]]
		}
		centres = next
		if converged {
			break
		}
	}
	// Final assignment to the final centres, dropping any centre it leaves
	// empty so that every returned cluster has points.
	assignAll(points, centres, assign)
	used := make([]bool, len(centres))
	for _, a := range assign {
		used[a] = true
	}
	remap := make([]int, len(centres))
	kept := centres[:0:0]
	for c, u := range used {
		remap[c] = len(kept)
		if u {
			kept = append(kept, centres[c])
		}
	}
	if len(kept) < len(centres) {
		for i := range assign {
			assign[i] = remap[assign[i]]
		}
	}
	return kept, assign
}

// coldStart returns the first k distinct points in order.
func coldStart(points []Point, k int) []Point {
	seen := make(map[Point]struct{}, k)
	out := make([]Point, 0, k)
	for _, p := range points {
		if len(out) == k {
			break
		}
		if _, ok := seen[p]; ok {
			continue
		}
		seen[p] = struct{}{}
		out = append(out, p)
	}
	return out
}

func countDistinct(points []Point, limit int) int {
	seen := make(map[Point]struct{}, limit)
	for _, p := range points {
		seen[p] = struct{}{}
		if len(seen) >= limit {
			break
		}
	}
	return len(seen)
}

// warmStart adapts a previous run's centres to the current points: each
// previous centre is re-centred on the points now nearest to it (empty ones
// dropped), identical centres are merged, and while there are fewer than k
// the point farthest from its centre is split off as a centre of its own.
// Without previous centres it falls back to coldStart.
func warmStart(points []Point, weights []float64, prev []Point, k int) []Point {
	if len(prev) == 0 {
		return coldStart(points, k)
	}
	if len(prev) > k {
		prev = prev[:k]
	}
	assign := make([]int, len(points))
	assignAll(points, prev, assign)
	centres, _ := weightedMeans(points, weights, assign, len(prev))
	merged := make([]Point, 0, len(centres))
	seen := make(map[Point]struct{}, len(centres))
	for _, c := range centres {
		if _, ok := seen[c]; ok {
			continue
		}
		seen[c] = struct{}{}
		merged = append(merged, c)
	}
	centres = merged
	for len(centres) < k {
		far, fd := -1, 0.0
		for i, p := range points {
			if _, d := nearest(p, centres); d > fd {
				far, fd = i, d
			}
		}
		if far < 0 {
			break // every point sits on a centre
		}
		centres = append(centres, points[far])
	}
	return centres
}

// pairDistances returns the distances between every two points, row by
// row (n × n): computed once per run and shared by the silhouettes of
// every k, which all cluster the same base centres.
func pairDistances(points []Point) []float64 {
	n := len(points)
	d := make([]float64, n*n)
	for i := range points {
		for j := i + 1; j < n; j++ {
			x := math.Sqrt(dist2(points[i], points[j]))
			d[i*n+j], d[j*n+i] = x, x
		}
	}
	return d
}

// silhouette is the mean silhouette coefficient of a clustering of points
// given their pairDistances (unweighted: every point counts once). A point
// alone in its cluster scores 0; a clustering with fewer than two clusters
// scores −1.
func silhouette(dist []float64, assign []int, k int) float64 {
	n := len(assign)
	if k < 2 || n < 2 {
		return -1
	}
	size := make([]int, k)
	for _, a := range assign {
		size[a]++
	}
	sums := make([]float64, k)
	var total float64
	for i := range n {
		clear(sums)
		row := dist[i*n : (i+1)*n]
		for j, x := range row {
			if i != j {
				sums[assign[j]] += x
			}
		}
		own := assign[i]
		if size[own] <= 1 {
			continue
		}
		a := sums[own] / float64(size[own]-1)
		b := math.Inf(1)
		for c := 0; c < k; c++ {
			if c != own && size[c] > 0 {
				b = math.Min(b, sums[c]/float64(size[c]))
			}
		}
		if m := math.Max(a, b); m > 0 && !math.IsInf(b, 1) {
			total += (b - a) / m
		}
	}
	return total / float64(n)
}

// groupRestarts is the number of k-means++ starts tried besides the warm
// (or first-distinct-points) start when clustering the base centres.
const groupRestarts = 10

// inertia is the weighted sum of squared distances of points to their
// centres.
func inertia(points []Point, weights []float64, centres []Point, assign []int) float64 {
	var s float64
	for i, p := range points {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		s += w * dist2(p, centres[assign[i]])
	}
	return s
}

// kmeansPlusPlus draws k initial centres by weighted k-means++: the first
// with probability proportional to weight, each next one proportional to
// weight times squared distance to the nearest centre chosen so far.
func kmeansPlusPlus(points []Point, weights []float64, k int, rng *rand.Rand) []Point {
	d := make([]float64, len(points))
	for i := range d {
		d[i] = weights[i]
	}
	var centres []Point
	for len(centres) < k {
		i, ok := WeightedPick(d, rng)
		if !ok {
			break
		}
		c := points[i]
		centres = append(centres, c)
		for j, p := range points {
			if len(centres) == 1 {
				d[j] = weights[j] * dist2(p, c)
			} else {
				d[j] = math.Min(d[j], weights[j]*dist2(p, c))
			}
		}
		if allZero(d) {
			break
		}
	}
	return centres
}

func allZero(xs []float64) bool {
	for _, x := range xs {
		if x != 0 {
			return false
		}
	}
	return true
}

// groupKMeans clusters the base centres into k groups. With a previous
// clustering for this k it starts from it alone, as Pol.is does, so that
// groups evolve smoothly from run to run. A cold start has no such anchor,
// and Lloyd's algorithm only finds a local optimum (Pol.is's first-k-points
// start can stay in a poor one, and its later runs inherit it); so a cold
// start also tries seeded k-means++ starts and keeps the clustering with
// the lowest weighted inertia (earliest start on ties). The groups are then
// ordered to follow the previous run's groups.
func groupKMeans(points []Point, weights []float64, prev []Point, k int, rng *rand.Rand, restarts int) ([]Point, []int) {
	starts := [][]Point{warmStart(points, weights, prev, k)}
	for r := 0; r < restarts && len(prev) == 0; r++ {
		starts = append(starts, kmeansPlusPlus(points, weights, k, rng))
	}
	var best []Point
	var bestAssign []int
	bestInertia := math.Inf(1)
	for _, s := range starts {
		c, a := kmeans(points, weights, s, groupKMeansIterations)
		if len(c) < len(best) {
			continue // lost a cluster: prefer clusterings with k groups
		}
		in := inertia(points, weights, c, a)
		if len(c) > len(best) || in < bestInertia*(1-1e-12) {
			best, bestAssign, bestInertia = c, a, in
		}
	}
	return followPrevious(best, bestAssign, prev)
}

// followPrevious reorders groups so that group i is the one nearest to the
// previous run's group i where possible (greedy over the closest pairs),
// keeping group identities stable from run to run.
func followPrevious(centres []Point, assign []int, prev []Point) ([]Point, []int) {
	if len(prev) == 0 {
		return centres, assign
	}
	type pair struct {
		c, p int
		d    float64
	}
	var pairs []pair
	for c := range centres {
		for p := range prev {
			pairs = append(pairs, pair{c, p, dist2(centres[c], prev[p])})
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return cmp.Compare(a.d, b.d) })
	newIndex := make([]int, len(centres))
	for i := range newIndex {
		newIndex[i] = -1
	}
	usedSlot := make([]bool, max(len(centres), len(prev)))
	for _, pr := range pairs {
		if newIndex[pr.c] >= 0 || pr.p >= len(centres) || usedSlot[pr.p] {
			continue
		}
		newIndex[pr.c], usedSlot[pr.p] = pr.p, true
	}
	next := 0
	for c := range newIndex {
		if newIndex[c] >= 0 {
			continue
		}
		for usedSlot[next] {
			next++
		}
		newIndex[c], usedSlot[next] = next, true
	}
	out := make([]Point, len(centres))
	for c, i := range newIndex {
		out[i] = centres[c]
	}
	na := make([]int, len(assign))
	for i, a := range assign {
		na[i] = newIndex[a]
	}
	return out, na
}
