// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"math"
	"slices"

	"github.com/polder-civic/polder/modules/synthesis/textan"
)

// sparse is an L2-normalised vector over term ids, sorted by id.
type sparse struct {
	idx []int32
	val []float64
}

func (a sparse) dot(b sparse) float64 {
	i, j, s := 0, 0, 0.0
	for i < len(a.idx) && j < len(b.idx) {
		switch {
		case a.idx[i] == b.idx[j]:
			s += a.val[i] * b.val[j]
			i++
			j++
		case a.idx[i] < b.idx[j]:
			i++
		default:
			j++
		}
	}
	return s
}

// vocabulary holds the kept terms: a unigram is one stem id, a bigram two
// adjacent stem ids.
type vocabulary struct {
	terms [][2]int32 // second is -1 for a unigram
	// counts[d] holds the raw counts of the terms of document d, in the
	// order of its vector's idx (kept terms only), used for labels.
	counts [][]int32
}

// Document frequency bounds of the spec: a term in fewer than minDF
// documents says nothing about a topic; one in more than maxDFShare of
// them says nothing to tell topics apart.
const (
	minDF      = 2
	maxDFShare = 0.5
)

// tfidf builds the vectors of documents given as sequences of stem ids:
// unigrams and bigrams of adjacent stems, each kept when its document
// frequency lies in [minDF, maxDFShare·n]; weight (1 + ln tf) · idf with
// the smoothed idf ln((1+n)/(1+df)) + 1; each vector L2-normalised.
func tfidf(docs [][]int32) ([]sparse, vocabulary) {
	n := len(docs)
	maxDF := int(math.Floor(maxDFShare * float64(n)))
	uniDF := make(map[int32]int)
	biDF := make(map[uint64]int32)
	seenU := make(map[int32]bool)
	seenB := make(map[uint64]bool)
	for _, d := range docs {
		clear(seenU)
		clear(seenB)
		for i, s := range d {
			if !seenU[s] {
				seenU[s] = true
				uniDF[s]++
			}
			if i > 0 && d[i-1] != s {
				k := pairKey(d[i-1], s)
				if !seenB[k] {
					seenB[k] = true
					biDF[k]++
				}
			}
		}
	}
	termOf := make(map[uint64]int32)
	var voc vocabulary
	var df []int
	// Term ids are given in order of first appearance so that results do
	// not depend on map iteration order.
	add := func(k uint64, t [2]int32, f int) {
		// Bigram frequencies are stored as int32 to halve the map.
		if f < minDF || f > maxDF {
			return
		}
		if _, ok := termOf[k]; ok {
			return
		}
		termOf[k] = int32(len(voc.terms))
		voc.terms = append(voc.terms, t)
		df = append(df, f)
	}
	for _, d := range docs {
		for i, s := range d {
			add(unigramKey(s), [2]int32{s, -1}, uniDF[s])
			if i > 0 && d[i-1] != s {
				add(pairKey(d[i-1], s), [2]int32{d[i-1], s}, int(biDF[pairKey(d[i-1], s)]))
			}
		}
	}
	idf := make([]float64, len(df))
	for t, f := range df {
		idf[t] = math.Log(float64(1+n)/float64(1+f)) + 1
	}
	vecs := make([]sparse, n)
	voc.counts = make([][]int32, n)
	tf := make(map[int32]int32)
	for di, d := range docs {
		clear(tf)
		for i, s := range d {
			if t, ok := termOf[unigramKey(s)]; ok {
				tf[t]++
			}
			if i > 0 && d[i-1] != s {
				if t, ok := termOf[pairKey(d[i-1], s)]; ok {
					tf[t]++
				}
			}
		}
		v := sparse{idx: make([]int32, 0, len(tf)), val: make([]float64, 0, len(tf))}
		for t := range tf {
			v.idx = append(v.idx, t)
		}
		slices.Sort(v.idx)
		counts := make([]int32, len(v.idx))
		norm := 0.0
		for k, t := range v.idx {
			counts[k] = tf[t]
			w := (1 + math.Log(float64(tf[t]))) * idf[t]
			v.val = append(v.val, w)
			norm += w * w
		}
		if norm > 0 {
			norm = math.Sqrt(norm)
			for k := range v.val {
				v.val[k] /= norm
			}
		}
		vecs[di] = v
		voc.counts[di] = counts
	}
	return vecs, voc
}

// unigramKey and pairKey share one key space: unigram keys have all ones
// in the high half, which no stem id pair can produce.
func unigramKey(s int32) uint64 { return 0xffffffff00000000 | uint64(uint32(s)) }
func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// reprInput is what the representation step sees of the analysable texts
// of a slice: their word TF-IDF vectors (stems and bigrams, over nterms
// terms) and their content tokens, index by index.
type reprInput struct {
	vecs   []sparse
	nterms int
	tokens [][]textan.Token
}

// representation returns the vectors the latent semantic analysis
// reduces, the number of their dimensions, and the first dimension of a
// second feature block (nterms when there is none), so that the LSA caps
// its columns per block. A variable so that the quality benchmark can
// measure alternatives: word and character n-gram vectors
// (chargrams_test.go) did not raise both labelled sets (README,
// "Character n-grams").
var representation = wordRepresentation

// wordRepresentation is the TF-IDF of stems and bigrams alone.
func wordRepresentation(in reprInput) ([]sparse, int, int) {
	return in.vecs, in.nterms, in.nterms
}
