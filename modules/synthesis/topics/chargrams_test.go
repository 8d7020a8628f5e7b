// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"math"
	"os"
	"slices"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/polder-civic/polder/modules/synthesis/textan"
)

// Character n-grams inside words (the subword features of fastText,
// Bojanowski et al. 2017; character n-gram TF-IDF for short texts): each
// content word, case- and accent-folded and wrapped in boundary marks
// ("<transport>"), gives its n-grams for n in charGramMin..charGramMax.
// Cognates then share features across languages (énergie and energy
// share "<ene", "ener", "nerg"; isolation and insulation "atio", "tion>")
// and inflections within one, where Snowball stems differ. The range is
// the usual one of the literature (3 to 5, fastText's default starts at 3
// too), not chosen on our data.
const (
	charGramMin = 3
	charGramMax = 5
)

// wordAndCharRepresentation concatenates the word vectors with the
// character n-gram TF-IDF vectors of the same texts (chargramTFIDF),
// each block L2-normalised and scaled by 1/√2: the cosine of two texts
// is then the mean of their word cosine and their character cosine. Equal
// weight because neither view is known to be better, and a single
// TF-IDF over both kinds of features would let the n-grams (about 3 per
// letter of every word) outweigh the stems by their number alone.
func wordAndCharRepresentation(in reprInput) ([]sparse, int, int) {
	chars, nchars := chargramTFIDF(in.tokens)
	out := make([]sparse, len(in.vecs))
	w := 1 / math.Sqrt2
	for i, v := range in.vecs {
		c := chars[i]
		if len(v.idx) == 0 || len(c.idx) == 0 {
			// One block alone is already a unit vector.
			s := sparse{idx: slices.Clone(v.idx), val: slices.Clone(v.val)}
			for k, t := range c.idx {
				s.idx = append(s.idx, int32(in.nterms)+t)
				s.val = append(s.val, c.val[k])
			}
			out[i] = s
			continue
		}
		s := sparse{idx: make([]int32, 0, len(v.idx)+len(c.idx)), val: make([]float64, 0, len(v.idx)+len(c.idx))}
		for k, t := range v.idx {
			s.idx = append(s.idx, t)
			s.val = append(s.val, w*v.val[k])
		}
		for k, t := range c.idx {
			s.idx = append(s.idx, int32(in.nterms)+t)
			s.val = append(s.val, w*c.val[k])
		}
		out[i] = s
		chars[i] = sparse{} // free as we go
	}
	return out, in.nterms + nchars, in.nterms
}

// chargramTFIDF builds the character n-gram vectors of texts given by
// their content tokens, with the rules of the word vectors (tfidf): each
// n-gram kept when in at least minDF and at most maxDFShare of the texts,
// weight (1 + ln tf) · (ln((1+n)/(1+df)) + 1), L2-normalised.
func chargramTFIDF(tokens [][]textan.Token) ([]sparse, int) {
	n := len(tokens)
	maxDF := int(math.Floor(maxDFShare * float64(n)))
	gramID := map[string]int32{}
	gramsOf := map[string][]int32{} // surface -> its n-gram ids
	fold := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	grams := func(surface string) []int32 {
		if g, ok := gramsOf[surface]; ok {
			return g
		}
		w, _, err := transform.String(fold, surface)
		if err != nil {
			w = surface
		}
		r := []rune("<" + w + ">")
		var ids []int32
		for size := charGramMin; size <= charGramMax; size++ {
			for s := 0; s+size <= len(r); s++ {
				g := string(r[s : s+size])
				id, ok := gramID[g]
				if !ok {
					id = int32(len(gramID))
					gramID[g] = id
				}
				ids = append(ids, id)
			}
		}
		gramsOf[surface] = ids
		return ids
	}
	// Per text: its distinct n-grams (sorted) and their counts.
	type bag struct {
		ids    []int32
		counts []int32
	}
	bags := make([]bag, n)
	tf := map[int32]int32{}
	var df []int32
	for d, toks := range tokens {
		clear(tf)
		for _, t := range toks {
			for _, g := range grams(t.Surface) {
				tf[g]++
			}
		}
		b := bag{ids: make([]int32, 0, len(tf))}
		for g := range tf {
			b.ids = append(b.ids, g)
		}
		slices.Sort(b.ids)
		b.counts = make([]int32, len(b.ids))
		for k, g := range b.ids {
			b.counts[k] = tf[g]
			for int(g) >= len(df) {
				df = append(df, 0)
			}
			df[g]++
		}
		bags[d] = b
	}
	// Kept n-grams are numbered in the order of their ids (first
	// appearance), so results do not depend on map order.
	keep := make([]int32, len(df))
	nkept := int32(0)
	var idf []float64
	for g, f := range df {
		if int(f) < minDF || int(f) > maxDF {
			keep[g] = -1
			continue
		}
		keep[g] = nkept
		nkept++
		idf = append(idf, math.Log(float64(1+n)/float64(1+f))+1)
	}
	vecs := make([]sparse, n)
	for d, b := range bags {
		v := sparse{idx: make([]int32, 0, len(b.ids)), val: make([]float64, 0, len(b.ids))}
		norm2 := 0.0
		for k, g := range b.ids {
			t := keep[g]
			if t < 0 {
				continue
			}
			x := (1 + math.Log(float64(b.counts[k]))) * idf[t]
			v.idx = append(v.idx, t)
			v.val = append(v.val, x)
			norm2 += x * x
		}
		if norm2 > 0 {
			s := math.Sqrt(norm2)
			for k := range v.val {
				v.val[k] /= s
			}
		}
		vecs[d] = v
		bags[d] = bag{}
	}
	return vecs, int(nkept)
}

// reprVariants replace the representation in BenchmarkKCriteria (the
// clustering stays the consensus tree cut by silhouette): "chars" adds
// the character n-gram block to the word vectors (README, "Character
// n-grams").
var reprVariants = []struct {
	name string
	repr func(reprInput) ([]sparse, int, int)
}{
	{"chars", wordAndCharRepresentation},
}

func toks(words ...string) []textan.Token {
	var out []textan.Token
	for _, w := range words {
		out = append(out, textan.Token{Stem: w, Surface: w})
	}
	return out
}

func TestCharGramsMeetAcrossLanguages(t *testing.T) {
	// Four texts so that a feature in 2 of them is inside [2, 50%].
	docs := [][]textan.Token{
		toks("énergie"), toks("energy"), toks("vélo"), toks("bicycle"),
	}
	vecs, n := chargramTFIDF(docs)
	if n == 0 {
		t.Fatal("no n-gram kept")
	}
	if s := vecs[0].dot(vecs[1]); s <= 0 {
		t.Errorf("énergie and energy share no kept n-gram (cosine %.3f)", s)
	}
	if s := vecs[0].dot(vecs[2]); s != 0 {
		t.Errorf("énergie and vélo share n-grams (cosine %.3f)", s)
	}
	for i, v := range vecs {
		if !slices.IsSorted(v.idx) {
			t.Errorf("text %d: ids not sorted: %v", i, v.idx)
		}
		if len(v.idx) > 0 {
			if nn := v.dot(v); nn < 1-1e-9 || nn > 1+1e-9 {
				t.Errorf("text %d: squared norm %.6f, want 1", i, nn)
			}
		}
	}
}

func TestWordAndCharRepresentationIsMeanOfCosines(t *testing.T) {
	docs := [][]textan.Token{
		toks("transport", "public"), toks("transports", "publics"), toks("vélo", "piste"), toks("velo", "route"),
	}
	// Stem ids: the pairs of texts share one stem each, so every text
	// keeps a word term (df 2 of 4).
	words := [][]int32{{0, 1}, {0, 2}, {3, 4}, {3, 5}}
	wv, voc := tfidf(words)
	cv, _ := chargramTFIDF(docs)
	rv, dim, split := wordAndCharRepresentation(reprInput{vecs: wv, nterms: len(voc.terms), tokens: docs})
	if split != len(voc.terms) || dim < split {
		t.Fatalf("dim %d, split %d, %d word terms", dim, split, len(voc.terms))
	}
	for i := range rv {
		for j := range rv {
			want := (wv[i].dot(wv[j]) + cv[i].dot(cv[j])) / 2
			if len(wv[i].idx) == 0 || len(cv[i].idx) == 0 {
				t.Fatalf("text %d lacks a block: words %v, chars %v", i, wv[i].idx, cv[i].idx)
			}
			if got := rv[i].dot(rv[j]); got < want-1e-9 || got > want+1e-9 {
				t.Errorf("texts %d, %d: cosine %.4f, want mean of word and char cosines %.4f", i, j, got, want)
			}
		}
	}
	// publics and public share no word term here, but character n-grams.
	if cv[0].dot(cv[1]) <= 0 || rv[0].dot(rv[1]) <= wv[0].dot(wv[1])/2 {
		t.Errorf("public and publics do not meet through their n-grams")
	}
}

// BenchmarkRepresentationCeiling reports the supervised leave-one-out
// placement of TestRepresentationSeparatesKnownThemes for each
// representation: share placed right and NMI.
func BenchmarkRepresentationCeiling(b *testing.B) {
	polis, kp := loadPolis(b)
	climate, kc := loadClimate(b)
	for _, r := range append([]struct {
		name string
		repr func(reprInput) ([]sparse, int, int)
	}{{"words", wordRepresentation}}, reprVariants...) {
		for _, ds := range []struct {
			name  string
			cs    []Contribution
			known map[string]string
		}{{"polis", polis, kp}, {"climate", climate, kc}} {
			b.Run(r.name+"/"+ds.name, func(b *testing.B) {
				for b.Loop() {
					right, _, _, nmi := supervisedCeiling(ds.cs, ds.known, r.repr)
					b.ReportMetric(right, "placed-right")
					b.ReportMetric(nmi, "NMI")
				}
			})
		}
	}
}

// BenchmarkBuildChars10k and BenchmarkBuildChars100k are BenchmarkBuild10k
// and BenchmarkBuild100k with the character n-gram block added.
func BenchmarkBuildChars10k(b *testing.B) {
	defer func() { representation = wordRepresentation }()
	representation = wordAndCharRepresentation
	benchmarkBuild(b, 10_000)
}

func BenchmarkBuildChars100k(b *testing.B) {
	if os.Getenv("POLDER_BIG_BENCH") != "1" {
		b.Skip("set POLDER_BIG_BENCH=1 to run the 100,000-contribution benchmark")
	}
	defer func() { representation = wordRepresentation }()
	representation = wordAndCharRepresentation
	benchmarkBuild(b, 100_000)
}

// The LSA caps its columns per feature block, so a dense second block
// cannot take the columns of the words.
func TestLSAColumnsCapEachBlock(t *testing.T) {
	const words, chars = lsaMaxTerms + 10, lsaMaxTerms + 20
	// Term 7 of each block is in both texts; every other term in none.
	v := sparse{idx: []int32{7, words + 7}, val: []float64{1, 1}}
	vecs := []sparse{v, v}
	col, ncol := lsaColumns(vecs, words+chars, words)
	if ncol != 2*lsaMaxTerms {
		t.Errorf("%d columns, want %d per block", ncol, lsaMaxTerms)
	}
	if col[7] < 0 || col[words+7] < 0 {
		t.Errorf("the frequent term of a block lost its column: %d, %d", col[7], col[words+7])
	}
	kept := 0
	for _, c := range col[:words] {
		if c >= 0 {
			kept++
		}
	}
	if kept != lsaMaxTerms {
		t.Errorf("word block keeps %d columns, want %d", kept, lsaMaxTerms)
	}
	// One block: the single cap of before.
	if _, n := lsaColumns(vecs, words+chars, words+chars); n != lsaMaxTerms {
		t.Errorf("one block: %d columns, want %d", n, lsaMaxTerms)
	}
	if _, n := lsaColumns(vecs, 100, 100); n != 100 {
		t.Errorf("small vocabulary: %d columns, want all 100", n)
	}
}
