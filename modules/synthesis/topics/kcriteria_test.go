// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"
)

// Criteria for choosing k measured against the silhouette in
// BenchmarkKCriteria. They replace chooseK only inside the benchmark; each
// receives the sample's LSA vectors and the consensus tree built from them.
var kCriteria = []struct {
	name   string
	choose func(sample, sim [][]float64, merges []merge, minK, maxK int, rng *rand.Rand) (int, float64)
}{
	{"silhouette", silhouetteK},
	{"lifetime", lifetimeK},
	{"lifetime-big", bigLifetimeK},
	{"lange-kmeans", langeKMeansK},
	{"lange-consensus", langeConsensusK},
	{"pac", pacK},
	{"gap", gapK},
	// Not a criterion: the number of known labels of the set, to show
	// what a perfect choice of k gives on the same consensus tree.
	{"known-k", func(sample, _ [][]float64, merges []merge, minK, maxK int, _ *rand.Rand) (int, float64) {
		return max(minK, min(maxK, knownK)), 0
	}},
}

// knownK is the number of known labels of the set being measured.
var knownK int

// lifetimeK is Fred & Jain's own rule for evidence accumulation: the k
// whose cut holds over the widest range of heights of the tree.
func lifetimeK(sample, _ [][]float64, merges []merge, minK, maxK int, _ *rand.Rand) (int, float64) {
	n := len(sample)
	bestK, bestL := minK, math.Inf(-1)
	for k := minK; k <= maxK; k++ {
		// k clusters after n-k merges: the cut holds from the height
		// of the last merge applied to that of the next.
		lo := 0.0
		if n-k-1 >= 0 {
			lo = merges[n-k-1].height
		}
		if l := merges[n-k].height - lo; l > bestL {
			bestK, bestL = k, l
		}
	}
	return bestK, 0
}

// bigLifetimeK is the lifetime rule counting only clusters that become
// topics (at least max(3, n/50) members), since smaller ones are
// leftovers listed as other contributions.
func bigLifetimeK(sample, _ [][]float64, merges []merge, minK, maxK int, _ *rand.Rand) (int, float64) {
	n := len(sample)
	minSize := max(3, n/50)
	life := make([]float64, maxK+1)
	for c := 2; c <= n; c++ {
		big := bigClusters(cutTree(n, merges, c), c, minSize)
		if big > maxK {
			break
		}
		lo := 0.0
		if n-c-1 >= 0 {
			lo = merges[n-c-1].height
		}
		life[big] += merges[n-c].height - lo
	}
	best := minK
	for k := minK; k <= maxK; k++ {
		if life[k] > life[best] {
			best = k
		}
	}
	return best, 0
}

func bigClusters(labels []int, k, minSize int) int {
	sizes := make([]int, k)
	for _, l := range labels {
		sizes[l]++
	}
	big := 0
	for _, s := range sizes {
		if s >= minSize {
			big++
		}
	}
	return big
}

// stabilitySplits is the number of random halvings per k in the
// stability criteria.
const stabilitySplits = 20

// langeKMeansK is the instability of Lange, Roth, Braun & Buhmann
// (Neural Computation 2004) for spherical k-means: split the sample in
// two halves, cluster each, label the second half by the first half's
// nearest centre, count the disagreement with the second half's own
// clustering under the best matching of labels, and divide by the same
// figure for random labellings with k labels; the k with the lowest
// normalised instability wins.
func langeKMeansK(sample, _ [][]float64, _ []merge, minK, maxK int, rng *rand.Rand) (int, float64) {
	best, bs := minK, math.Inf(1)
	for k := minK; k <= maxK; k++ {
		d, dr := 0.0, 0.0
		for range stabilitySplits {
			va, vb := halves(sample, rng)
			ca := kmeansOnce(va, k, rng)
			cb := kmeansOnce(vb, k, rng)
			d += 1 - matchedAgreement(nearest(vb, ca.centroids), cb.assign, k)
			dr += randomDisagreement(len(vb), k, rng)
		}
		if s := d / dr; s < bs {
			best, bs = k, s
		}
	}
	return best, 0
}

// langeConsensusK is the same instability for the method itself: each
// half gets its own consensus tree (100 runs), both are cut at each k.
func langeConsensusK(sample, _ [][]float64, _ []merge, minK, maxK int, rng *rand.Rand) (int, float64) {
	half := len(sample) / 2
	hk := max(minK, min(maxK, half/minDocsPerTopic))
	inst := make([]float64, hk+1)
	rnd := make([]float64, hk+1)
	tree := func(x [][]float64) []merge {
		co := coAssociation(x, hk, hk, 100, rng)
		for i := range co {
			for j := range co[i] {
				co[i][j] = 1 - co[i][j]
			}
		}
		return averageLinkage(co)
	}
	for range 5 {
		va, vb := halves(sample, rng)
		ta, tb := tree(va), tree(vb)
		for k := minK; k <= hk; k++ {
			la := cutTree(len(va), ta, k)
			lb := cutTree(len(vb), tb, k)
			inst[k] += 1 - matchedAgreement(nearest(vb, centres(va, la, k)), lb, k)
			rnd[k] += randomDisagreement(len(vb), k, rng)
		}
	}
	best, bs := minK, math.Inf(1)
	for k := minK; k <= hk; k++ {
		if s := inst[k] / rnd[k]; s < bs {
			best, bs = k, s
		}
	}
	return best, 0
}

// pacK is consensus clustering (Monti, Tamayo, Mesirov & Golub 2003) with
// the proportion of ambiguous clustering (Şenbabaoğlu, Michailidis & Li
// 2014): per k, k-means on 25 random 80% subsamples; the consensus of a
// pair is the share of the runs holding both that put them together; the
// k with the fewest pairs of consensus in (0.1, 0.9) wins.
func pacK(sample, _ [][]float64, _ []merge, minK, maxK int, rng *rand.Rand) (int, float64) {
	n := len(sample)
	best, bs := minK, math.Inf(1)
	same := make([]float32, n*n)
	both := make([]float32, n*n)
	for k := minK; k <= maxK; k++ {
		clear(same)
		clear(both)
		members := make([][]int, k)
		for range 25 {
			idx := rng.Perm(n)[:n*8/10]
			cl := kmeansOnce(subset(sample, idx), k, rng)
			for x := range idx {
				for y := range x {
					i, j := max(idx[x], idx[y]), min(idx[x], idx[y])
					both[i*n+j]++
				}
			}
			for c := range members {
				members[c] = members[c][:0]
			}
			for x, a := range cl.assign {
				members[a] = append(members[a], idx[x])
			}
			for _, m := range members {
				for x, i := range m {
					for _, j := range m[:x] {
						same[max(i, j)*n+min(i, j)]++
					}
				}
			}
		}
		amb, tot := 0, 0
		for i := range n {
			for j := range i {
				if both[i*n+j] == 0 {
					continue
				}
				tot++
				if c := same[i*n+j] / both[i*n+j]; c > 0.1 && c < 0.9 {
					amb++
				}
			}
		}
		if s := float64(amb) / float64(tot); s < bs {
			best, bs = k, s
		}
	}
	return best, 0
}

// gapK is the gap statistic (Tibshirani, Walther & Hastie 2001) with its
// one-standard-error rule; the reference data are uniform in the box of
// the LSA (principal) coordinates, projected on the sphere, and W_k is the
// sum of cosine distances to the own centre (best of 3 k-means runs).
func gapK(sample, _ [][]float64, _ []merge, minK, maxK int, rng *rand.Rand) (int, float64) {
	n, dim := len(sample), len(sample[0])
	lo := make([]float64, dim)
	hi := make([]float64, dim)
	for t := range dim {
		lo[t], hi[t] = math.Inf(1), math.Inf(-1)
	}
	for _, v := range sample {
		for t, x := range v {
			lo[t], hi[t] = min(lo[t], x), max(hi[t], x)
		}
	}
	const refs = 10
	ref := make([][][]float64, refs)
	for b := range ref {
		ref[b] = make([][]float64, n)
		for i := range n {
			v := make([]float64, dim)
			for t := range v {
				v[t] = lo[t] + rng.Float64()*(hi[t]-lo[t])
			}
			normalize(v)
			ref[b][i] = v
		}
	}
	logW := func(x [][]float64, k int) float64 {
		best := math.Inf(-1)
		for range 3 {
			best = max(best, kmeansOnce(x, k, rng).objective)
		}
		return math.Log(float64(len(x)) - best)
	}
	gap := make([]float64, maxK+2)
	sd := make([]float64, maxK+2)
	for k := minK; k <= maxK+1 && k <= n/2; k++ {
		lw := logW(sample, k)
		ls := make([]float64, refs)
		mean := 0.0
		for b := range refs {
			ls[b] = logW(ref[b], k)
			mean += ls[b]
		}
		mean /= refs
		v := 0.0
		for _, x := range ls {
			v += (x - mean) * (x - mean)
		}
		gap[k] = mean - lw
		sd[k] = math.Sqrt(v/refs) * math.Sqrt(1+1.0/refs)
	}
	for k := minK; k <= maxK; k++ {
		if gap[k] >= gap[k+1]-sd[k+1] {
			return k, 0
		}
	}
	return maxK, 0
}

func subset(vecs [][]float64, idx []int) [][]float64 {
	out := make([][]float64, len(idx))
	for j, i := range idx {
		out[j] = vecs[i]
	}
	return out
}

func halves(vecs [][]float64, rng *rand.Rand) ([][]float64, [][]float64) {
	perm := rng.Perm(len(vecs))
	h := len(vecs) / 2
	return subset(vecs, perm[:h]), subset(vecs, perm[h:])
}

func centres(vecs [][]float64, labels []int, k int) [][]float64 {
	cents := make([][]float64, k)
	for c := range cents {
		cents[c] = make([]float64, len(vecs[0]))
	}
	for i, l := range labels {
		for t, x := range vecs[i] {
			cents[l][t] += x
		}
	}
	for _, c := range cents {
		normalize(c)
	}
	return cents
}

func nearest(vecs, cents [][]float64) []int {
	out := make([]int, len(vecs))
	for i, v := range vecs {
		bs := math.Inf(-1)
		for j, c := range cents {
			if s := floatsDot(v, c); s > bs {
				out[i], bs = j, s
			}
		}
	}
	return out
}

func randomDisagreement(n, k int, rng *rand.Rand) float64 {
	a, b := make([]int, n), make([]int, n)
	for i := range a {
		a[i], b[i] = rng.IntN(k), rng.IntN(k)
	}
	return 1 - matchedAgreement(a, b, k)
}

// matchedAgreement is the share of items on which two labellings in
// [0,k) agree under the best one-to-one matching of their labels.
func matchedAgreement(x, y []int, k int) float64 {
	cost := make([][]float64, k)
	for i := range cost {
		cost[i] = make([]float64, k)
	}
	for i := range x {
		cost[x[i]][y[i]]--
	}
	return -hungarian(cost) / float64(len(x))
}

// hungarian returns the least total cost of a one-to-one assignment of
// the rows of a square matrix to its columns (Kuhn–Munkres with
// potentials, O(k³)).
func hungarian(cost [][]float64) float64 {
	n := len(cost)
	u, v := make([]float64, n+1), make([]float64, n+1)
	p, way := make([]int, n+1), make([]int, n+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		minv := make([]float64, n+1)
		used := make([]bool, n+1)
		for j := range minv {
			minv[j] = math.Inf(1)
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				if cur := cost[i0-1][j-1] - u[i0] - v[j]; cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	total := 0.0
	for j := 1; j <= n; j++ {
		total += cost[p[j]-1][j-1]
	}
	return total
}

func TestMatchedAgreement(t *testing.T) {
	// The same partition under other label names agrees fully.
	if got := matchedAgreement([]int{0, 0, 1, 1, 2, 2}, []int{2, 2, 0, 0, 1, 1}, 3); got != 1 {
		t.Errorf("relabelled partition: agreement %.3f, want 1", got)
	}
	// Best matching 0→1, 1→0, 2→2 gets 4 of 6 right.
	if got := matchedAgreement([]int{0, 0, 1, 1, 2, 2}, []int{1, 1, 0, 2, 0, 2}, 3); math.Abs(got-4.0/6) > 1e-12 {
		t.Errorf("agreement %.3f, want %.3f", got, 4.0/6)
	}
	if got := hungarian([][]float64{{4, 1, 3}, {2, 0, 5}, {3, 2, 2}}); got != 5 {
		t.Errorf("assignment cost %.0f, want 5", got)
	}
}

// synthMix makes n texts of words words, each drawn from the words of
// the fixture contributions of one known topic in one language (80%) and
// from the whole fixture (20%); the known label is topic and language.
func synthMix(tb testing.TB, n, words int, seed uint64) ([]Contribution, map[string]string) {
	pools, keys, all := climateWords(tb)
	rng := rand.New(rand.NewPCG(seed, 99))
	var cs []Contribution
	lab := map[string]string{}
	for i := range n {
		k := keys[rng.IntN(len(keys))]
		p := pools[k]
		var b []string
		for range words {
			if rng.IntN(5) == 0 {
				b = append(b, all[rng.IntN(len(all))])
			} else {
				b = append(b, p[rng.IntN(len(p))])
			}
		}
		id := fmt.Sprintf("s%d", i)
		cs = append(cs, Contribution{ID: id, Text: strings.Join(b, " "), Language: k.lang})
		lab[id] = k.topic + "/" + k.lang
	}
	return cs, lab
}

// BenchmarkKCriteria measures each criterion for k, each clustering
// step put in place of the consensus tree (graphVariants, dmmVariants),
// and each representation put in place of the word vectors (reprVariants),
// on every labelled set, seeds 1-5: mean and lowest NMI against the known
// labels, mean purity, and mean and lowest NMI between runs of
// consecutive seeds (for the 15 Pol.is pairs, over all pairs and seeds).
// The figures are in the README, "Choosing k", "GSDMM" and "Character
// n-grams".
func BenchmarkKCriteria(b *testing.B) {
	polis, kp := loadPolis(b)
	climate, kc := loadClimate(b)
	for i := range climate {
		climate[i].Theme = ""
	}
	synth, ks := synthMix(b, 1000, 12, 1)
	dutch, kd := dutchContributions()
	type set struct {
		name  string
		mixes [][]Contribution
		known map[string]string
	}
	var pairs [][]Contribution
	convs := polisConversations[:6]
	for i := range convs {
		for j := i + 1; j < len(convs); j++ {
			pairs = append(pairs, mixOf(polis, kp, convs[i], convs[j]))
		}
	}
	sets := []set{
		{"polis", [][]Contribution{polis}, kp},
		{"climate", [][]Contribution{climate}, kc},
		{"synthetic", [][]Contribution{synth}, ks},
		{"dutch", [][]Contribution{dutch}, kd},
		{"polis-pairs", pairs, kp},
	}
	defer func() {
		chooseK, clusterTopics, representation = silhouetteK, consensusClusters, wordRepresentation
	}()
	type variant struct {
		name    string
		choose  func(sample, sim [][]float64, merges []merge, minK, maxK int, rng *rand.Rand) (int, float64)
		cluster func(in clusterInput, minK, maxK, runs int, rng *rand.Rand, progress func(done, total int)) (clustering, float64)
		repr    func(reprInput) ([]sparse, int, int)
	}
	var variants []variant
	for _, c := range kCriteria {
		variants = append(variants, variant{c.name, c.choose, consensusClusters, wordRepresentation})
	}
	for _, g := range graphVariants {
		variants = append(variants, variant{g.name, silhouetteK, g.cluster, wordRepresentation})
	}
	for _, g := range dmmVariants {
		variants = append(variants, variant{g.name, silhouetteK, dmmClusters(g.set), wordRepresentation})
	}
	// Fred & Jain's own recipe: runs with k drawn from [√n/2, √n], cut
	// by the lifetime criterion (or the silhouette).
	for _, v := range []struct {
		name   string
		choose func(sample, sim [][]float64, merges []merge, minK, maxK int, rng *rand.Rand) (int, float64)
	}{{"eac-sqrt-lifetime", lifetimeK}, {"eac-sqrt-silhouette", silhouetteK}} {
		variants = append(variants, variant{v.name, v.choose, func(in clusterInput, minK, maxK, runs int, rng *rand.Rand, progress func(done, total int)) (clustering, float64) {
			defer func(old func(n, maxK int) (int, int)) { runK = old }(runK)
			runK = func(n, maxK int) (int, int) {
				hi := min(maxK, max(2, int(math.Sqrt(float64(n)))))
				return max(2, min(hi, int(math.Ceil(math.Sqrt(float64(n))/2)))), hi
			}
			return consensusClusters(in, minK, maxK, runs, rng, progress)
		}, wordRepresentation})
	}
	for _, r := range reprVariants {
		variants = append(variants, variant{r.name, silhouetteK, consensusClusters, r.repr})
	}
	for _, crit := range variants {
		for _, s := range sets {
			b.Run(crit.name+"/"+s.name, func(b *testing.B) {
				chooseK, clusterTopics, representation = crit.choose, crit.cluster, crit.repr
				knownK = 2 // a pair of conversations
				if s.name != "polis-pairs" {
					labels := map[string]bool{}
					for _, c := range s.mixes[0] {
						labels[s.known[c.ID]] = true
					}
					// vTaiwan's Chinese statements are left out.
					knownK = len(labels) - map[bool]int{true: 1}[s.name == "polis"]
				}
				for b.Loop() {
					sum, low, pur, ssum, slow, ks := 0.0, 1.0, 0.0, 0.0, 1.0, 0
					tsum := 0.0
					runs, pairs := 0, 0
					for _, cs := range s.mixes {
						var prev map[string]string
						for seed := uint64(1); seed <= 5; seed++ {
							syn, err := Build(context.Background(), Input{Contributions: cs, Seed: seed})
							if err != nil {
								b.Fatal(err)
							}
							got := topicLabels(b, syn)
							nmi, _ := nmiAgainst(got, s.known)
							tnmi, _ := nmiAgainst(got, subjectOnly(s.known))
							tsum += tnmi
							sum += nmi
							low = min(low, nmi)
							pur += purity(got, s.known)
							ks += syn.Themes[0].K
							runs++
							if prev != nil {
								x := pairedNMI(prev, got)
								ssum += x
								slow = min(slow, x)
								pairs++
							}
							prev = got
						}
					}
					b.ReportMetric(sum/float64(runs), "NMI-known-mean")
					b.ReportMetric(low, "NMI-known-min")
					if s.name == "synthetic" {
						b.ReportMetric(tsum/float64(runs), "NMI-subject-mean")
					}
					b.ReportMetric(pur/float64(runs), "purity-mean")
					b.ReportMetric(ssum/float64(pairs), "NMI-seeds-mean")
					b.ReportMetric(slow, "NMI-seeds-min")
					b.ReportMetric(float64(ks)/float64(runs), "k-mean")
				}
			})
		}
	}
}

// graphVariants replace the whole clustering step in BenchmarkKCriteria:
// nearest-neighbour graph and Louvain communities, with 15 neighbours
// (the default of UMAP, BERTopic and Seurat) and 10 and 30 around it,
// resolution 1 (standard modularity).
var graphVariants = []struct {
	name    string
	cluster func(in clusterInput, minK, maxK, runs int, rng *rand.Rand, progress func(done, total int)) (clustering, float64)
}{
	{"graph15-refine", graphClusters(15, 1, true)},
	{"graph15-nearest", graphClusters(15, 1, false)},
	{"graph10-refine", graphClusters(10, 1, true)},
	{"graph30-refine", graphClusters(30, 1, true)},
	{"graph10-nearest", graphClusters(10, 1, false)},
	{"graph30-nearest", graphClusters(30, 1, false)},
}

// graphClusters is the clustering of modern short-text topic pipelines
// in place of the consensus tree: on the same sample, the symmetrised
// graph of each text's neighbours nearest nearest texts (cosine of the
// LSA vectors as edge weight, non-positive ones dropped), split into
// communities by Louvain modularity at the given resolution (gonum's
// community.Modularize); the number of topics comes out of modularity.
// Communities of fewer than max(3, n/50) texts are leftovers; at most
// maxK of the others are kept, the largest. With refineAll the kept
// communities' centres seed spherical k-means over all texts, as the
// consensus tree's do; otherwise sampled texts keep their community
// (leftovers stay apart and become other contributions) and the others
// go to the nearest kept centre.
func graphClusters(nearest int, resolution float64, refineAll bool) func(in clusterInput, minK, maxK, runs int, rng *rand.Rand, progress func(done, total int)) (clustering, float64) {
	return communityClusters(func(sim [][]float64, rng *rand.Rand) [][]int {
		return louvainCommunities(sim, nearest, resolution, rng)
	}, refineAll)
}

// communityClusters turns communities of the sample's similarity graph
// (found by communities) into topics, as graphClusters describes.
func communityClusters(communities func(sim [][]float64, rng *rand.Rand) [][]int, refineAll bool) func(in clusterInput, minK, maxK, runs int, rng *rand.Rand, progress func(done, total int)) (clustering, float64) {
	return func(in clusterInput, minK, maxK, _ int, rng *rand.Rand, progress func(done, total int)) (clustering, float64) {
		vecs := in.emb
		sample, picked := selectSample(vecs, rng)
		n := len(sample)
		sim := cosines(sample)
		comms := communities(sim, rng)
		progress(1, 2)
		slices.SortStableFunc(comms, func(a, b []int) int { return cmp.Compare(len(b), len(a)) })
		minSize := max(3, n/50)
		maxK = max(minK, min(maxK, n/minDocsPerTopic))
		var keptC, small [][]int
		for _, c := range comms {
			if len(c) >= minSize && len(keptC) < maxK {
				keptC = append(keptC, c)
			} else if len(c) < minSize {
				small = append(small, c)
			}
		}
		if len(keptC) == 0 {
			keptC, small = comms[:1], nil
		}
		mean := func(c []int) []float64 {
			cent := make([]float64, len(sample[0]))
			for _, i := range c {
				for t, x := range sample[i] {
					cent[t] += x
				}
			}
			normalize(cent)
			return cent
		}
		var cents [][]float64
		for _, c := range keptC {
			cents = append(cents, mean(c))
		}
		progress(2, 2)
		var cl clustering
		if refineAll {
			cl = refine(vecs, cents)
		} else {
			k := len(keptC)
			cl = clustering{k: k, assign: make([]int, len(vecs)), centroids: cents}
			sims := make([]float64, len(vecs))
			for i := range cl.assign {
				cl.assign[i] = -1
			}
			assignAll(vecs, cents, cl.assign, sims)
			// Sampled texts keep their own community; with no subsample,
			// sample index i is vecs index i.
			at := func(i int) int {
				if picked == nil {
					return i
				}
				return picked[i]
			}
			for c, m := range keptC {
				for _, i := range m {
					cl.assign[at(i)] = c
				}
			}
			for _, m := range small {
				cl.centroids = append(cl.centroids, mean(m))
				for _, i := range m {
					cl.assign[at(i)] = cl.k
				}
				cl.k++
			}
		}
		lab := make([]int, n)
		for i := range lab {
			if picked == nil {
				lab[i] = cl.assign[i]
			} else {
				lab[i] = cl.assign[picked[i]]
			}
		}
		return cl, silhouette(sim, lab, cl.k)
	}
}

// louvainCommunities builds the symmetrised nearest-neighbour graph of a
// similarity matrix and returns its Louvain communities as lists of
// indices, each sorted, in order of their first index.
func louvainCommunities(sim [][]float64, nearest int, resolution float64, rng *rand.Rand) [][]int {
	g := knnGraph(sim, nearest)
	red := community.Modularize(g, resolution, rand.NewPCG(rng.Uint64(), rng.Uint64()))
	return communityLists(red.Communities())
}

// knnGraph is the symmetrised nearest-neighbour graph of a similarity
// matrix, weighted by the (positive) similarity.
func knnGraph(sim [][]float64, nearest int) *simple.WeightedUndirectedGraph {
	n := len(sim)
	nearest = min(nearest, n-1)
	g := simple.NewWeightedUndirectedGraph(0, 0)
	for i := range n {
		g.AddNode(simple.Node(int64(i)))
	}
	idx := make([]int, n)
	for i := range n {
		for j := range idx {
			idx[j] = j
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(sim[i][b], sim[i][a]) })
		got := 0
		for _, j := range idx {
			if got == nearest {
				break
			}
			if j == i {
				continue
			}
			got++
			if w := sim[i][j]; w > 0 && !g.HasEdgeBetween(int64(i), int64(j)) {
				g.SetWeightedEdge(g.NewWeightedEdge(simple.Node(int64(i)), simple.Node(int64(j)), w))
			}
		}
	}
	return g
}

// communityLists gives communities as sorted index lists, in order of
// their first index.
func communityLists(comms [][]graph.Node) [][]int {
	var out [][]int
	for _, c := range comms {
		m := make([]int, len(c))
		for x, v := range c {
			m[x] = int(v.ID())
		}
		slices.Sort(m)
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b []int) int { return cmp.Compare(a[0], b[0]) })
	return out
}

func TestLouvainCommunitiesSplitsTwoGroups(t *testing.T) {
	// Two groups of 20 unit vectors around two orthogonal directions,
	// with small distinct perturbations: the 19 nearest neighbours of each
	// are its own group, the graph is two disjoint cliques, and modularity
	// must return exactly the two groups (any split of a clique or union
	// of the two lowers it).
	rng := rand.New(rand.NewPCG(1, 2))
	var vecs [][]float64
	for g := range 2 {
		for range 20 {
			v := make([]float64, 4)
			v[g] = 1
			v[2] = 0.1 * rng.Float64()
			v[3] = 0.1 * rng.Float64()
			normalize(v)
			vecs = append(vecs, v)
		}
	}
	comms := louvainCommunities(cosines(vecs), 19, 1, rng)
	if len(comms) != 2 || len(comms[0]) != 20 || comms[0][0] != 0 || comms[1][0] != 20 {
		t.Fatalf("communities %v, want 0-19 and 20-39", comms)
	}
	for c, m := range comms {
		for _, i := range m {
			if i/20 != c {
				t.Fatalf("text %d in community %d", i, c)
			}
		}
	}
}

// subjectOnly drops the language from the synthetic set's labels
// ("topic/lang"): with French and Dutch mapped to English stems, texts
// of one subject in two languages are meant to meet.
func subjectOnly(known map[string]string) map[string]string {
	out := make(map[string]string, len(known))
	for id, k := range known {
		subject, _, _ := strings.Cut(k, "/")
		out[id] = subject
	}
	return out
}
