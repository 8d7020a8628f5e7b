// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/polder-civic/polder/modules/synthesis/textan"
)

// Sample size for choosing k: the silhouette needs all pairwise
// similarities, so it is computed on at most this many distinct texts.
const selectionSample = 1200

// themeDocs is the working state of one slice.
type themeDocs struct {
	in    Input
	prep  []prepared
	order []int // contribution indices, earliest first
	// group[r] lists the positions in order of the members of the
	// near-duplicate group represented by position r (reps only).
	group map[int][]int
	reps  []int // positions in order of the representatives
	vecs  []sparse
	// emb holds the LSA vector of each clustered rep (index into reps;
	// nil for reps without terms).
	emb   [][]float64
	voc   vocabulary
	stems []string // stem id -> stem
}

func buildTheme(ctx context.Context, in Input, prep []prepared, theme string, idxs []int, report func(Progress)) (ThemeSynthesis, string, error) {
	td := &themeDocs{in: in, prep: prep, order: slices.Clone(idxs)}
	cs := in.Contributions
	slices.SortStableFunc(td.order, func(a, b int) int {
		return cmp.Or(cs[a].Date.Compare(cs[b].Date), cmp.Compare(a, b))
	})
	ts := ThemeSynthesis{Theme: theme, Size: len(td.order), Topics: []Topic{}}

	report(Progress{Stage: "duplicates", Theme: theme, Total: len(td.order)})
	texts := make([]string, len(td.order))
	for p, i := range td.order {
		texts[p] = prep[i].shingle
	}
	repOf := nearDuplicateGroups(texts)
	for _, i := range td.order {
		// The shingle form is needed only for grouping: free it early.
		prep[i].shingle = ""
	}
	td.group = map[int][]int{}
	for p, r := range repOf {
		if int(r) == p {
			td.reps = append(td.reps, p)
		}
		td.group[int(r)] = append(td.group[int(r)], p)
	}
	ts.Voices = len(td.reps)
	for _, r := range td.reps {
		if g := td.group[r]; len(g) > 1 {
			ts.Duplicates = append(ts.Duplicates, DuplicateGroup{
				Representative: cs[td.order[r]].ID,
				Text:           cs[td.order[r]].Text,
				Size:           len(g),
				IDs:            td.ids([]int{r}),
			})
		}
	}
	slices.SortStableFunc(ts.Duplicates, func(a, b DuplicateGroup) int { return cmp.Compare(b.Size, a.Size) })
	if err := ctx.Err(); err != nil {
		return ts, "", fmt.Errorf("building synthesis of theme %q: %w", theme, err)
	}

	report(Progress{Stage: "vectors", Theme: theme, Total: len(td.reps)})
	stemID := map[string]int32{}
	docs := make([][]int32, len(td.reps))
	for d, r := range td.reps {
		toks := prep[td.order[r]].tokens
		seq := make([]int32, len(toks))
		for k, t := range toks {
			id, ok := stemID[t.Stem]
			if !ok {
				id = int32(len(td.stems))
				stemID[t.Stem] = id
				td.stems = append(td.stems, t.Stem)
			}
			seq[k] = id
		}
		docs[d] = seq
	}
	td.vecs, td.voc = tfidf(docs)

	// Only texts with at least one kept term can be placed in a topic.
	var live []int // indices into reps
	var other []int
	for d, v := range td.vecs {
		if len(v.idx) > 0 {
			live = append(live, d)
		} else {
			other = append(other, d)
		}
	}
	ts.Sessions, _ = td.sessionTotals()
	note := ""
	maxK := min(cmp.Or(in.MaxTopics, defaultMaxTopics), defaultMaxTopics, len(live)/minDocsPerTopic)
	minK := 2
	if maxK < 2 {
		note = fmt.Sprintf("Theme %q has %d distinct analysable contribution(s): at least %d are needed to find topics, so all are listed as other contributions.", theme, len(live), 2*minDocsPerTopic)
		all := make([]int, len(td.reps))
		for d := range all {
			all[d] = d
		}
		o := td.topic(all, nil, true)
		ts.Other = &o
		return ts, note, nil
	}

	liveVecs := make([]sparse, len(live))
	for j, d := range live {
		liveVecs[j] = td.vecs[d]
	}
	liveToks := make([][]textan.Token, len(live))
	for j, d := range live {
		liveToks[j] = prep[td.order[td.reps[d]]].tokens
	}
	rvecs, rdim, split := representation(reprInput{vecs: liveVecs, nterms: len(td.voc.terms), tokens: liveToks})
	rng := themeRNG(in.Seed, theme)
	emb := lsa(rvecs, rdim, split, rng)
	td.emb = make([][]float64, len(td.reps))
	for j, d := range live {
		td.emb[d] = emb[j]
	}
	runs := cmp.Or(in.Runs, consensusRuns(min(len(live), selectionSample)))
	liveCounts := make([][]int32, len(live))
	for j, d := range live {
		liveCounts[j] = td.voc.counts[d]
	}
	data := clusterInput{emb: emb, docs: liveVecs, counts: liveCounts, terms: td.voc.terms}
	cl, sil := clusterTopics(data, minK, maxK, runs, rng, func(done, total int) {
		report(Progress{Stage: "topics", Theme: theme, Done: done, Total: total})
	})
	k := cl.k
	ts.K, ts.Silhouette = k, sil
	if err := ctx.Err(); err != nil {
		return ts, "", fmt.Errorf("building synthesis of theme %q: %w", theme, err)
	}

	report(Progress{Stage: "labels", Theme: theme, Total: k})
	members := make([][]int, k)
	for j, c := range cl.assign {
		members[c] = append(members[c], live[j])
	}
	minVoices := max(3, len(live)/50)
	var kept []int
	for c := range k {
		if len(members[c]) >= minVoices {
			kept = append(kept, c)
		} else {
			other = append(other, members[c]...)
		}
	}
	labels := td.labels(members, kept)
	for n, c := range kept {
		t := td.topic(members[c], cl.centroids[c], false)
		t.Stems = labels[n]
		t.Terms = td.surfaces(labels[n])
		t.Label = joinLabel(t.Terms)
		ts.Topics = append(ts.Topics, t)
	}
	slices.SortStableFunc(ts.Topics, func(a, b Topic) int {
		return cmp.Or(cmp.Compare(b.Size, a.Size), cmp.Compare(b.Voices, a.Voices), cmp.Compare(a.Label, b.Label))
	})
	if len(other) > 0 {
		slices.Sort(other)
		o := td.topic(other, nil, true)
		ts.Other = &o
	}
	return ts, note, nil
}

// clusterTopics is the clustering step; a variable so that the quality
// benchmark can measure alternatives (kcriteria_test.go). Louvain
// communities of a nearest-neighbour graph and GSDMM (gsdmm_test.go),
// measured there, did worse on the climate fixture (README, "Choosing k"
// and "GSDMM").
var clusterTopics = consensusClusters

// clusterInput is what the clustering step sees of the analysable texts
// of a slice, index by index: the LSA vectors the consensus clusters, and
// the terms and counts that word-based models (GSDMM) need.
type clusterInput struct {
	emb    [][]float64 // LSA unit vectors
	docs   []sparse    // TF-IDF vectors, for their term ids
	counts [][]int32   // raw term counts, aligned with docs[i].idx
	terms  [][2]int32  // vocabulary: stem ids, second -1 for a unigram
}

// selectSample returns at most selectionSample of the vectors, drawn at
// random and kept in their order, with their indices (nil when all).
func selectSample(vecs [][]float64, rng *rand.Rand) ([][]float64, []int) {
	if len(vecs) <= selectionSample {
		return vecs, nil
	}
	perm := rng.Perm(len(vecs))[:selectionSample]
	slices.Sort(perm)
	sample := make([][]float64, len(perm))
	for j, i := range perm {
		sample[j] = vecs[i]
	}
	return sample, perm
}

// cosines returns the matrix of dot products of unit vectors.
func cosines(sample [][]float64) [][]float64 {
	n := len(sample)
	sim := make([][]float64, n)
	for i := range sim {
		sim[i] = make([]float64, n)
	}
	parallelFor(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j := range n {
				sim[i][j] = floatsDot(sample[i], sample[j])
			}
		}
	})
	return sim
}

// runK gives the range of k the consensus runs draw from, for a sample
// of n texts and the largest allowed number of topics: always maxK (a
// variable so that the quality benchmark can measure Fred & Jain's
// random k, kcriteria_test.go).
var runK = func(n, maxK int) (int, int) { return maxK, maxK }

// consensusClusters finds the topics of one slice: on a sample of at
// most selectionSample documents, it accumulates the evidence of many
// k-means runs, builds the average-linkage tree of the co-association,
// and cuts it at the k in minK..maxK with the best silhouette (cosine, on
// the LSA vectors). The centres of the cut's clusters that are not small
// leftovers then seed spherical k-means over all documents.
func consensusClusters(in clusterInput, minK, maxK, runs int, rng *rand.Rand, progress func(done, total int)) (clustering, float64) {
	vecs := in.emb
	sample, _ := selectSample(vecs, rng)
	n := len(sample)
	sim := cosines(sample)
	maxK = max(minK, min(maxK, n/minDocsPerTopic))
	// Every run partitions as finely as the topics may go (Fred & Jain
	// split into more clusters than expected); their votes average into
	// the co-association.
	lo, hi := runK(n, maxK)
	co := coAssociation(sample, lo, hi, runs, rng)
	progress(1, 3)
	for i := range co {
		for j := range co[i] {
			co[i][j] = 1 - co[i][j]
		}
	}
	merges := averageLinkage(co)
	progress(2, 3)
	bestK, bestS := chooseK(sample, sim, merges, minK, maxK, rng)
	labels := cutTree(n, merges, bestK)
	sizes := make([]int, bestK)
	for _, l := range labels {
		sizes[l]++
	}
	minSize := max(3, n/50)
	var cents [][]float64
	for c := range bestK {
		if sizes[c] < minSize {
			continue
		}
		cent := make([]float64, len(sample[0]))
		for i, l := range labels {
			if l == c {
				for t, x := range sample[i] {
					cent[t] += x
				}
			}
		}
		normalize(cent)
		cents = append(cents, cent)
	}
	if len(cents) == 0 {
		// Everything is a leftover: keep the largest cluster as the one
		// topic rather than none.
		big := slices.Index(sizes, slices.Max(sizes))
		cent := make([]float64, len(sample[0]))
		for i, l := range labels {
			if l == big {
				for t, x := range sample[i] {
					cent[t] += x
				}
			}
		}
		normalize(cent)
		cents = append(cents, cent)
	}
	progress(3, 3)
	return refine(vecs, cents), bestS
}

// refine runs spherical k-means over all documents from given centres.
func refine(vecs [][]float64, cents [][]float64) clustering {
	k := len(cents)
	assign := make([]int, len(vecs))
	for i := range assign {
		assign[i] = -1
	}
	sims := make([]float64, len(vecs))
	for it := 0; it < maxKMeansIterations; it++ {
		// Over all documents, stop once fewer than one in a thousand
		// moves: the last moves change no topic's size visibly.
		if assignAll(vecs, cents, assign, sims) <= len(vecs)/1000 {
			break
		}
		cents = recompute(vecs, k, assign, sims)
	}
	obj := 0.0
	for _, s := range sims {
		obj += s
	}
	return clustering{k: k, assign: assign, centroids: cents, objective: obj}
}
