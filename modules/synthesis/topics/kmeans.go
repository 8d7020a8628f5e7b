// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"math"
	"math/rand/v2"
)

// clustering is the outcome of one spherical k-means run.
type clustering struct {
	k         int
	assign    []int
	centroids [][]float64 // unit vectors
	objective float64     // sum of cosine similarities to own centroid
}

const maxKMeansIterations = 50

// kmeansOnce is one run of spherical k-means: unit vectors, each
// document goes to the most similar centroid, each centroid is the
// normalised sum of its documents; seeded with k-means++ (next centre
// drawn with probability proportional to the cosine distance to the
// nearest chosen centre).
func kmeansOnce(vecs [][]float64, k int, rng *rand.Rand) clustering {
	n := len(vecs)
	cents := seedPlusPlus(vecs, k, rng)
	assign := make([]int, n)
	sims := make([]float64, n)
	for i := range assign {
		assign[i] = -1
	}
	objective := 0.0
	for it := 0; it < maxKMeansIterations; it++ {
		changed := assignAll(vecs, cents, assign, sims)
		objective = 0
		for _, s := range sims {
			objective += s
		}
		if changed == 0 {
			break
		}
		cents = recompute(vecs, k, assign, sims)
	}
	return clustering{k: k, assign: assign, centroids: cents, objective: objective}
}

// assignAll puts each document with its most similar centroid (lowest
// index on ties) and returns how many moved.
func assignAll(vecs [][]float64, cents [][]float64, assign []int, sims []float64) int {
	moved := make([]bool, len(vecs))
	parallelFor(len(vecs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			bj, bs := 0, math.Inf(-1)
			for j, c := range cents {
				if s := floatsDot(vecs[i], c); s > bs {
					bj, bs = j, s
				}
			}
			moved[i] = assign[i] != bj
			assign[i] = bj
			sims[i] = bs
		}
	})
	total := 0
	for _, m := range moved {
		if m {
			total++
		}
	}
	return total
}

// recompute returns the normalised mean direction of each cluster. An
// emptied cluster takes the document least similar to its own centroid,
// so k stays k.
func recompute(vecs [][]float64, k int, assign []int, sims []float64) [][]float64 {
	dim := len(vecs[0])
	cents := make([][]float64, k)
	sizes := make([]int, k)
	for j := range cents {
		cents[j] = make([]float64, dim)
	}
	for i, v := range vecs {
		c := cents[assign[i]]
		sizes[assign[i]]++
		for t, x := range v {
			c[t] += x
		}
	}
	for j := range cents {
		if sizes[j] > 0 {
			continue
		}
		worst := -1
		for i := range vecs {
			if sizes[assign[i]] > 1 && (worst < 0 || sims[i] < sims[worst]) {
				worst = i
			}
		}
		if worst < 0 {
			continue
		}
		old := cents[assign[worst]]
		for t, x := range vecs[worst] {
			old[t] -= x
			cents[j][t] += x
		}
		sizes[assign[worst]]--
		sizes[j]++
		assign[worst] = j
		sims[worst] = 1
	}
	for _, c := range cents {
		normalize(c)
	}
	return cents
}

func normalize(c []float64) {
	s := 0.0
	for _, x := range c {
		s += x * x
	}
	if s == 0 {
		return
	}
	s = 1 / math.Sqrt(s)
	for i := range c {
		c[i] *= s
	}
}

func seedPlusPlus(vecs [][]float64, k int, rng *rand.Rand) [][]float64 {
	n := len(vecs)
	cents := make([][]float64, 0, k)
	dist := make([]float64, n)
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	next := rng.IntN(n)
	for len(cents) < k {
		c := append([]float64(nil), vecs[next]...)
		cents = append(cents, c)
		total := 0.0
		for i, v := range vecs {
			d := max(0, 1-floatsDot(v, c))
			if d < dist[i] {
				dist[i] = d
			}
			total += dist[i]
		}
		if total <= 0 {
			// Every document equals a chosen centre: any pick will do.
			next = rng.IntN(n)
			continue
		}
		x := rng.Float64() * total
		next = n - 1
		for i, d := range dist {
			x -= d
			if x < 0 {
				next = i
				break
			}
		}
	}
	return cents
}

// silhouette is the mean silhouette of a clustering with cosine distance,
// computed from a precomputed similarity matrix.
func silhouette(sim [][]float64, assign []int, k int) float64 {
	n := len(assign)
	sizes := make([]int, k)
	for _, a := range assign {
		sizes[a]++
	}
	total := 0.0
	sum := make([]float64, k)
	for i := range n {
		clear(sum)
		for j := range n {
			if j != i {
				sum[assign[j]] += 1 - sim[i][j]
			}
		}
		own := assign[i]
		if sizes[own] <= 1 {
			continue // silhouette 0 for singletons
		}
		a := sum[own] / float64(sizes[own]-1)
		b := math.Inf(1)
		for c := range k {
			if c != own && sizes[c] > 0 {
				b = min(b, sum[c]/float64(sizes[c]))
			}
		}
		if math.IsInf(b, 1) {
			continue
		}
		if m := max(a, b); m > 0 {
			total += (b - a) / m
		}
	}
	return total / float64(n)
}

// NMI is the normalised mutual information between two labellings of the
// same items, I(A;B) / ((H(A)+H(B))/2), in [0,1]; 1 when they are the same
// partition. Two single-cluster labellings count as identical.
func NMI(a, b []string) float64 {
	n := float64(len(a))
	if len(a) != len(b) || n == 0 {
		return 0
	}
	ca, cb := map[string]float64{}, map[string]float64{}
	joint := map[[2]string]float64{}
	for i := range a {
		ca[a[i]]++
		cb[b[i]]++
		joint[[2]string{a[i], b[i]}]++
	}
	entropy := func(m map[string]float64) float64 {
		h := 0.0
		for _, c := range m {
			p := c / n
			h -= p * math.Log(p)
		}
		return h
	}
	ha, hb := entropy(ca), entropy(cb)
	if ha == 0 && hb == 0 {
		return 1
	}
	mi := 0.0
	for key, c := range joint {
		p := c / n
		mi += p * math.Log(p/((ca[key[0]]/n)*(cb[key[1]]/n)))
	}
	return 2 * mi / (ha + hb)
}
