// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// GSDMM (Yin & Wang, "A Dirichlet multinomial mixture model-based
// approach for short text clustering", KDD 2014): each text is drawn from
// one of K clusters, each cluster a multinomial over words with a
// Dirichlet(β) prior, cluster shares with a Dirichlet(α) prior. Collapsed
// Gibbs sampling moves one text at a time to a cluster drawn with
// probability
//
//	(m_k + α) · Π_w Π_{j<c_w} (n_k^w + β + j) / Π_{i<N_d} (n_k + Vβ + i)
//
// (m_k texts and n_k words in cluster k, n_k^w of them word w; the text
// has N_d words, c_w of them w; V words in the vocabulary): a text joins
// clusters that are large ("movie group process": tables with more
// students) and that share its words. Clusters that empty seldom refill,
// so K is an upper bound and the number of clusters comes out of the
// sampling. Measured against evidence accumulation over k-means in
// BenchmarkKCriteria (README, "GSDMM").

// The paper's hyperparameters (α = β = 0.1, used for all its data sets)
// and the number of sweeps over the texts: the authors' published code
// runs 10, common ports 30; on the pooled Pol.is statements the joint
// likelihood stops rising after about 10, so 30 is past convergence.
const (
	dmmAlpha  = 0.1
	dmmBeta   = 0.1
	dmmSweeps = 30
)

// dmmDoc is a text as the mixture sees it: distinct local word ids, their
// counts, and the number of words.
type dmmDoc struct {
	w, c []int32
	n    int
}

// dmmCorpus builds the bags of words of the texts idx (indices into in),
// over the unigram terms (and the bigram terms with bigrams), with word
// ids local to these texts. local maps every term id of the slice to its
// local id, or -1 when none of these texts holds it.
func dmmCorpus(in clusterInput, idx []int, bigrams bool) (docs []dmmDoc, local []int32, v int) {
	local = make([]int32, len(in.terms))
	for t := range local {
		local[t] = -1
	}
	docs = make([]dmmDoc, len(idx))
	for j, i := range idx {
		var d dmmDoc
		for k, t := range in.docs[i].idx {
			if in.terms[t][1] >= 0 && !bigrams {
				continue
			}
			if local[t] < 0 {
				local[t] = int32(v)
				v++
			}
			d.w = append(d.w, local[t])
			d.c = append(d.c, in.counts[i][k])
			d.n += int(in.counts[i][k])
		}
		docs[j] = d
	}
	return docs, local, v
}

// bagOf is dmmCorpus for one more text, with the words the sample does
// not hold counted in its length only: they weigh the same in every
// cluster except through the cluster's size, as in the predictive
// probability.
func bagOf(in clusterInput, i int, local []int32, bigrams bool) dmmDoc {
	var d dmmDoc
	for k, t := range in.docs[i].idx {
		if in.terms[t][1] >= 0 && !bigrams {
			continue
		}
		d.n += int(in.counts[i][k])
		if local[t] >= 0 {
			d.w = append(d.w, local[t])
			d.c = append(d.c, in.counts[i][k])
		}
	}
	return d
}

// dmm is the state of one Gibbs chain.
type dmm struct {
	k, v  int
	docs  []dmmDoc
	z     []int
	m, n  []int   // texts and words per cluster
	nw    []int32 // words per cluster and word, row-major k × v
	cumB  []float64
	cumVB []float64
}

func newDMM(docs []dmmDoc, k, v int) *dmm {
	s := &dmm{k: k, v: v, docs: docs, z: make([]int, len(docs)),
		m: make([]int, k), n: make([]int, k), nw: make([]int32, k*v)}
	total := 0
	for _, d := range docs {
		total += d.n
	}
	s.tables(total + 1)
	return s
}

// tables makes the log-factorial-like sums the scores need up to n:
// cumB[j] = Σ_{i<j} ln(β+i) = ln Γ(β+j) − ln Γ(β), and cumVB likewise
// with Vβ, so that a product over j of (count + β + j) is a difference.
func (s *dmm) tables(n int) {
	if len(s.cumB) > n {
		return
	}
	vb := float64(s.v) * dmmBeta
	s.cumB = make([]float64, n+1)
	s.cumVB = make([]float64, n+1)
	for j := 1; j <= n; j++ {
		s.cumB[j] = s.cumB[j-1] + math.Log(dmmBeta+float64(j-1))
		s.cumVB[j] = s.cumVB[j-1] + math.Log(vb+float64(j-1))
	}
}

func (s *dmm) add(i, c, sign int) {
	d := s.docs[i]
	s.m[c] += sign
	s.n[c] += sign * d.n
	row := s.nw[c*s.v : (c+1)*s.v]
	for x, w := range d.w {
		row[w] += int32(sign) * d.c[x]
	}
}

// score is the log of the (unnormalised) probability that text d joins
// cluster c, d not counted in c.
func (s *dmm) score(d dmmDoc, c int) float64 {
	row := s.nw[c*s.v : (c+1)*s.v]
	l := math.Log(float64(s.m[c])+dmmAlpha) - (s.cumVB[s.n[c]+d.n] - s.cumVB[s.n[c]])
	for x, w := range d.w {
		a := int(row[w])
		l += s.cumB[a+int(d.c[x])] - s.cumB[a]
	}
	return l
}

// run draws a random start (each text in a uniformly drawn cluster, the
// paper's initialisation) and sweeps sweeps times over the texts in order.
func (s *dmm) run(sweeps int, rng *rand.Rand) {
	for i := range s.docs {
		s.z[i] = rng.IntN(s.k)
		s.add(i, s.z[i], 1)
	}
	p := make([]float64, s.k)
	for range sweeps {
		for i, d := range s.docs {
			s.add(i, s.z[i], -1)
			hi := math.Inf(-1)
			for c := range s.k {
				p[c] = s.score(d, c)
				hi = max(hi, p[c])
			}
			total := 0.0
			for c := range p {
				p[c] = math.Exp(p[c] - hi)
				total += p[c]
			}
			u := rng.Float64() * total
			pick := s.k - 1
			for c, x := range p {
				u -= x
				if u < 0 {
					pick = c
					break
				}
			}
			s.z[i] = pick
			s.add(i, pick, 1)
		}
	}
}

// logJoint is ln p(texts, z) up to a constant of the data set and K: the
// collapsed Dirichlet–multinomial likelihood of the cluster shares and of
// the words in each cluster.
func (s *dmm) logJoint() float64 {
	la, _ := math.Lgamma(dmmAlpha)
	l := 0.0
	for c := range s.k {
		g, _ := math.Lgamma(float64(s.m[c]) + dmmAlpha)
		l += g - la - s.cumVB[s.n[c]]
		for _, x := range s.nw[c*s.v : (c+1)*s.v] {
			l += s.cumB[x]
		}
	}
	return l
}

// dmmSettings are the variants of the GSDMM clustering step measured in
// BenchmarkKCriteria.
type dmmSettings struct {
	chains     int  // independent chains from their own random starts
	consensus  bool // co-association of the chains cut at majority; else the chain of highest likelihood
	silhouette bool // with consensus: the tree cut by chooseK (silhouette) instead of at majority
	kmeansRuns int  // with consensus: this many spherical k-means runs (k = maxK, LSA vectors) vote too
	reassign   bool // texts of small clusters go to the most probable kept cluster; else they stay apart (other contributions)
	refine     bool // kept clusters' LSA centres seed spherical k-means over all texts
	bigrams    bool // bigram terms are words of the mixture too
}

// dmmClusters is the clustering step by GSDMM on the sample of at most
// selectionSample texts with K = maxK, the largest number of topics the
// slice may have, so the clusters that survive are the topics. Clusters
// of fewer than max(3, n/50) texts are leftovers; texts outside the
// sample go to the most probable kept cluster given its words.
func dmmClusters(set dmmSettings) func(in clusterInput, minK, maxK, runs int, rng *rand.Rand, progress func(done, total int)) (clustering, float64) {
	return func(in clusterInput, minK, maxK, _ int, rng *rand.Rand, progress func(done, total int)) (clustering, float64) {
		all := len(in.emb)
		sample, picked := selectSample(in.emb, rng)
		n := len(sample)
		idx := picked
		if idx == nil {
			idx = make([]int, n)
			for i := range idx {
				idx[i] = i
			}
		}
		maxK = max(minK, min(maxK, n/minDocsPerTopic))
		docs, local, v := dmmCorpus(in, idx, set.bigrams)
		chains := make([]*dmm, set.chains)
		seeds := make([][2]uint64, set.chains)
		for c := range seeds {
			seeds[c] = [2]uint64{rng.Uint64(), rng.Uint64()}
		}
		for c := range chains {
			chains[c] = newDMM(docs, maxK, v)
			chains[c].run(dmmSweeps, rand.New(rand.NewPCG(seeds[c][0], seeds[c][1])))
			progress(c+1, set.chains+1)
		}
		var labels []int
		if set.consensus {
			var co [][]float64
			if set.kmeansRuns > 0 {
				co = coAssociation(sample, maxK, maxK, set.kmeansRuns, rng)
				for i := range co {
					for j := range i {
						co[i][j] *= float64(set.kmeansRuns)
					}
				}
			} else {
				co = make([][]float64, n)
				for i := range co {
					co[i] = make([]float64, n)
				}
			}
			for _, ch := range chains {
				for i := range n {
					for j := range i {
						if ch.z[i] == ch.z[j] {
							co[i][j]++
						}
					}
				}
			}
			for i := range n {
				co[i][i] = 0
				for j := range i {
					d := 1 - co[i][j]/float64(len(chains)+set.kmeansRuns)
					co[i][j], co[j][i] = d, d
				}
			}
			merges := averageLinkage(co)
			// Majority vote: join the texts most chains put together.
			joined := 0
			for _, m := range merges {
				if m.height < 0.5 {
					joined++
				}
			}
			cut := max(1, min(maxK, n-joined))
			if set.silhouette {
				cut, _ = chooseK(sample, cosines(sample), merges, minK, maxK, rng)
			}
			labels = cutTree(n, merges, cut)
		} else {
			best, bl := 0, math.Inf(-1)
			for c, ch := range chains {
				if l := ch.logJoint(); l > bl {
					best, bl = c, l
				}
			}
			labels = slices.Clone(chains[best].z)
		}
		// Clusters numbered by first text, counted.
		ids := map[int]int{}
		for i, l := range labels {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			labels[i] = id
		}
		k := len(ids)
		sizes := make([]int, k)
		for _, l := range labels {
			sizes[l]++
		}
		minSize := max(3, n/50)
		keep := make([]int, k) // new cluster number, -1 for a leftover
		kk := 0
		for c := range k {
			keep[c] = -1
			if sizes[c] >= minSize {
				keep[c] = kk
				kk++
			}
		}
		if kk == 0 {
			keep[slices.Index(sizes, slices.Max(sizes))] = 0
			kk = 1
		}
		// Leftovers either stay clusters of their own (listed as other
		// contributions by the caller) or are dissolved.
		final := kk
		if !set.reassign {
			for c := range k {
				if keep[c] < 0 {
					keep[c] = final
					final++
				}
			}
		}
		model := newDMM(docs, final, v)
		assign := make([]int, all)
		for i := range assign {
			assign[i] = -1
		}
		for i, l := range labels {
			if keep[l] >= 0 {
				assign[idx[i]] = keep[l]
				model.z[i] = keep[l]
				model.add(i, keep[l], 1)
			}
		}
		// The rest (outside the sample, or in a dissolved cluster) go to
		// their most probable kept cluster given the kept clusters' words.
		var rest []int
		for i, a := range assign {
			if a < 0 {
				rest = append(rest, i)
			}
		}
		bags := make([]dmmDoc, len(rest))
		longest := 0
		for r, i := range rest {
			bags[r] = bagOf(in, i, local, set.bigrams)
			longest = max(longest, bags[r].n)
		}
		total := 0
		for _, x := range model.n {
			total += x
		}
		model.tables(total + longest + 1)
		parallelFor(len(rest), func(lo, hi int) {
			for r := lo; r < hi; r++ {
				bc, bs := 0, math.Inf(-1)
				for c := range kk {
					if s := model.score(bags[r], c); s > bs {
						bc, bs = c, s
					}
				}
				assign[rest[r]] = bc
			}
		})
		cents := make([][]float64, final)
		for c := range cents {
			cents[c] = make([]float64, len(in.emb[0]))
		}
		for i, a := range assign {
			for t, x := range in.emb[i] {
				cents[a][t] += x
			}
		}
		for _, c := range cents {
			normalize(c)
		}
		cl := clustering{k: final, assign: assign, centroids: cents}
		if set.refine {
			cl = refine(in.emb, cents[:kk])
		}
		progress(set.chains+1, set.chains+1)
		lab := make([]int, n)
		for i := range lab {
			lab[i] = cl.assign[idx[i]]
		}
		return cl, silhouette(cosines(sample), lab, cl.k)
	}
}

// dmmVariants replace the whole clustering step in BenchmarkKCriteria by
// GSDMM with the paper's α = β = 0.1 and K = the largest number of
// topics allowed.
var dmmVariants = []struct {
	name string
	set  dmmSettings
}{
	{"gsdmm-single", dmmSettings{chains: 1, reassign: true}},
	{"gsdmm-best10", dmmSettings{chains: 10, reassign: true}},
	{"gsdmm-best10-other", dmmSettings{chains: 10}},
	{"gsdmm-best10-bigrams", dmmSettings{chains: 10, reassign: true, bigrams: true}},
	{"gsdmm-best10-refine", dmmSettings{chains: 10, reassign: true, refine: true}},
	{"gsdmm-consensus20", dmmSettings{chains: 20, consensus: true, reassign: true}},
	{"gsdmm-consensus50", dmmSettings{chains: 50, consensus: true, reassign: true}},
	{"gsdmm-consensus20-silhouette", dmmSettings{chains: 20, consensus: true, silhouette: true, reassign: true}},
	{"gsdmm-consensus50-silhouette", dmmSettings{chains: 50, consensus: true, silhouette: true, reassign: true}},
	{"gsdmm-consensus200", dmmSettings{chains: 200, consensus: true, reassign: true}},
	{"gsdmm-consensus200-silhouette", dmmSettings{chains: 200, consensus: true, silhouette: true, reassign: true}},
	{"gsdmm-consensus200-refine", dmmSettings{chains: 200, consensus: true, reassign: true, refine: true}},
	{"gsdmm100-kmeans100-silhouette-refine", dmmSettings{chains: 100, kmeansRuns: 100, consensus: true, silhouette: true, reassign: true, refine: true}},
	{"gsdmm100-kmeans100-refine", dmmSettings{chains: 100, kmeansRuns: 100, consensus: true, reassign: true, refine: true}},
}

func TestDMMSeparatesTwoVocabularies(t *testing.T) {
	// Two groups of 30 texts, each of 6 words drawn from its own
	// vocabulary of 10 words: the mixture must find exactly the groups.
	rng := rand.New(rand.NewPCG(4, 4))
	var docs []dmmDoc
	for g := range 2 {
		for range 30 {
			counts := map[int32]int32{}
			for range 6 {
				counts[int32(10*g+rng.IntN(10))]++
			}
			var d dmmDoc
			for w := range int32(20) {
				if c := counts[w]; c > 0 {
					d.w = append(d.w, w)
					d.c = append(d.c, c)
					d.n += int(c)
				}
			}
			docs = append(docs, d)
		}
	}
	s := newDMM(docs, 8, 20)
	s.run(dmmSweeps, rng)
	for i := range docs {
		if want := s.z[(i/30)*30]; s.z[i] != want {
			t.Fatalf("text %d in cluster %d, its group's first in %d", i, s.z[i], want)
		}
	}
	if s.z[0] == s.z[30] {
		t.Fatal("both groups in one cluster")
	}
}
