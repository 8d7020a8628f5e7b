// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Evidence accumulation (Fred & Jain, "Combining multiple clusterings
// using evidence accumulation", IEEE TPAMI 2005): many k-means runs, each
// from its own k-means++ seeds, vote on which documents belong together;
// the co-association matrix (share of runs putting two documents in the
// same cluster) is then clustered by average linkage. One k-means run on
// short texts depends much on its seeds (two seeds agreed at NMI ≈ 0.6 on
// the Pol.is test); the accumulated evidence of 200 runs averages most of
// that luck away (0.77-0.86, see the README).

// merge is one step of an agglomerative clustering: clusters a and b
// (indices of their first documents) joined at height.
type merge struct {
	a, b   int
	height float64
}

// coAssociation runs runs spherical k-means, each with k drawn in
// minK..maxK, and returns, for every pair, the share of runs that put it
// in one cluster.
func coAssociation(vecs [][]float64, minK, maxK, runs int, rng *rand.Rand) [][]float64 {
	n := len(vecs)
	co := make([][]float64, n)
	for i := range co {
		co[i] = make([]float64, n)
	}
	members := make([][]int, maxK)
	for range runs {
		k := minK + rng.IntN(maxK-minK+1)
		cl := kmeansOnce(vecs, k, rng)
		for c := range members {
			members[c] = members[c][:0]
		}
		for i, a := range cl.assign {
			members[a] = append(members[a], i)
		}
		for _, m := range members[:k] {
			for x, i := range m {
				row := co[i]
				for _, j := range m[:x] {
					row[j]++
				}
			}
		}
	}
	for i := range n {
		co[i][i] = 1
		for j := range i {
			co[i][j] /= float64(runs)
			co[j][i] = co[i][j]
		}
	}
	return co
}

// averageLinkage builds the average-linkage dendrogram of a distance
// matrix (consumed) with the nearest-neighbour chain algorithm, O(n²), and
// returns its n-1 merges sorted by height (ties by index, so the result is
// deterministic).
func averageLinkage(dist [][]float64) []merge {
	n := len(dist)
	active := make([]bool, n)
	size := make([]int, n)
	for i := range active {
		active[i], size[i] = true, 1
	}
	var merges []merge
	var chain []int
	for remaining := n; remaining > 1; {
		if len(chain) == 0 {
			for i := range n {
				if active[i] {
					chain = append(chain, i)
					break
				}
			}
		}
		a := chain[len(chain)-1]
		prev := -1
		if len(chain) > 1 {
			prev = chain[len(chain)-2]
		}
		b, bd := -1, math.Inf(1)
		if prev >= 0 {
			b, bd = prev, dist[a][prev]
		}
		for j := range n {
			if active[j] && j != a && dist[a][j] < bd {
				b, bd = j, dist[a][j]
			}
		}
		if b != prev {
			chain = append(chain, b)
			continue
		}
		chain = chain[:len(chain)-2]
		lo, hi := min(a, b), max(a, b)
		merges = append(merges, merge{a: lo, b: hi, height: bd})
		// Lance-Williams update for average linkage; lo holds the union.
		for j := range n {
			if active[j] && j != lo && j != hi {
				d := (float64(size[lo])*dist[lo][j] + float64(size[hi])*dist[hi][j]) / float64(size[lo]+size[hi])
				dist[lo][j], dist[j][lo] = d, d
			}
		}
		size[lo] += size[hi]
		active[hi] = false
		remaining--
	}
	slices.SortStableFunc(merges, func(x, y merge) int { return cmp.Compare(x.height, y.height) })
	return merges
}

// cutTree returns the partition with k clusters obtained by applying the
// first n-k merges, clusters numbered in order of their first document.
func cutTree(n int, merges []merge, k int) []int {
	uf := newUnionFind(n)
	for _, m := range merges[:n-k] {
		uf.union(uf.find(int32(m.a)), uf.find(int32(m.b)))
	}
	label := make([]int, n)
	ids := map[int32]int{}
	for i := range n {
		r := uf.find(int32(i))
		id, ok := ids[r]
		if !ok {
			id = len(ids)
			ids[r] = id
		}
		label[i] = id
	}
	return label
}
