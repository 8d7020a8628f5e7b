// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"
)

// Consensus clustering of Louvain runs (Lancichinetti & Fortunato,
// "Consensus clustering in complex networks", Sci. Rep. 2012): Louvain
// runs louvainRuns times on the nearest-neighbour graph; the consensus
// matrix (share of runs putting two texts together), with its entries
// under louvainTau dropped, is the graph of the next round; rounds stop
// when every run of a round gives the same partition. τ = 1/2 keeps the
// pairs a majority of runs put together; 25 runs and 10 rounds bound
// the work.
const (
	louvainRuns   = 25
	louvainTau    = 0.5
	louvainRounds = 10
)

func consensusLouvain(sim [][]float64, nearest int, rng *rand.Rand) [][]int {
	n := len(sim)
	g := knnGraph(sim, nearest)
	labels := func(g *simple.WeightedUndirectedGraph) [][]int {
		out := make([][]int, louvainRuns)
		for r := range out {
			red := community.Modularize(g, 1, rand.NewPCG(rng.Uint64(), rng.Uint64()))
			lab := make([]int, n)
			for c, comm := range red.Communities() {
				for _, v := range comm {
					lab[v.ID()] = c
				}
			}
			out[r] = lab
		}
		return out
	}
	parts := labels(g)
	for range louvainRounds {
		if samePartitions(parts) {
			break
		}
		h := simple.NewWeightedUndirectedGraph(0, 0)
		for i := range n {
			h.AddNode(simple.Node(int64(i)))
		}
		for i := range n {
			for j := range i {
				together := 0
				for _, lab := range parts {
					if lab[i] == lab[j] {
						together++
					}
				}
				if w := float64(together) / float64(len(parts)); w >= louvainTau {
					h.SetWeightedEdge(h.NewWeightedEdge(simple.Node(int64(i)), simple.Node(int64(j)), w))
				}
			}
		}
		parts = labels(h)
	}
	byLabel := map[int][]int{}
	for i, l := range parts[0] {
		byLabel[l] = append(byLabel[l], i)
	}
	var out [][]int
	for _, m := range byLabel {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}

// samePartitions reports whether every labelling groups the same texts
// (labels may differ).
func samePartitions(parts [][]int) bool {
	for _, p := range parts[1:] {
		m := map[int]int{}
		back := map[int]int{}
		for i, l := range parts[0] {
			if x, ok := m[l]; ok && x != p[i] {
				return false
			}
			if x, ok := back[p[i]]; ok && x != l {
				return false
			}
			m[l], back[p[i]] = p[i], l
		}
	}
	return true
}

func init() {
	for _, nearest := range []int{15, 30} {
		graphVariants = append(graphVariants, struct {
			name    string
			cluster func(in clusterInput, minK, maxK, runs int, rng *rand.Rand, progress func(done, total int)) (clustering, float64)
		}{"graph" + map[int]string{15: "15", 30: "30"}[nearest] + "-consensus", communityClusters(func(sim [][]float64, rng *rand.Rand) [][]int {
			return consensusLouvain(sim, nearest, rng)
		}, true)})
	}
}
