// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/polder-civic/polder/modules/synthesis/textan"
)

// Method is the method in three sentences, shown on every synthesis page.
const Method = "Near-identical contributions (MinHash over character 5-grams, confirmed at Jaccard ≥ 0.8) are grouped and count as one voice with their number of copies. " +
	"The distinct texts are analysed per language (stop words removed, Snowball stems and frequent word pairs, French and Dutch words found in the FreeDict bilingual dictionaries counted as their first English translation so that languages meet), weighted by TF-IDF, reduced by latent semantic analysis and clustered by accumulating the votes of many spherical k-means runs, the number of topics chosen by silhouette; contributions that fit no topic are listed as other contributions. " +
	"Each label lists the topic's most distinctive words and word pairs (class-based TF-IDF), a pair taking the place of its own word and each quote is a verbatim contribution close to the topic centre, diversified and preferring supported ones."

// prepared is a contribution after normalisation and analysis.
type prepared struct {
	shingle   string
	lang      textan.Lang
	tokens    []textan.Token
	truncated bool
	leftOut   string // reason, empty when analysed
}

// Build computes the synthesis of the input's contributions, theme by
// theme. It returns an error only for input that cannot be read as given
// (missing or repeated ids) or when ctx is cancelled; empty, tiny or
// unanalysable input gives a synthesis whose notes say why it has no
// topics.
func Build(ctx context.Context, in Input) (*Synthesis, error) {
	if err := validate(in.Contributions); err != nil {
		return nil, err
	}
	syn := &Synthesis{
		Contributions: len(in.Contributions),
		OpinionMap:    in.OpinionMap,
		Method:        Method,
		Seed:          in.Seed,
		Themes:        []ThemeSynthesis{},
	}
	if len(in.Contributions) == 0 {
		syn.Notes = append(syn.Notes, "No contributions were given: there is nothing to synthesise.")
		return syn, nil
	}
	report := func(p Progress) {
		if in.Progress != nil {
			in.Progress(p)
		}
	}
	maxRunes := cmp.Or(in.MaxAnalysisRunes, defaultMaxAnalysisRunes)

	report(Progress{Stage: "analyse", Done: 0, Total: len(in.Contributions)})
	prep := prepareAll(in.Contributions, maxRunes, in.StopWords)
	report(Progress{Stage: "analyse", Done: len(in.Contributions), Total: len(in.Contributions)})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("building synthesis: %w", err)
	}

	truncated := 0
	langCount := map[string]int{}
	byTheme := map[string][]int{}
	for i, p := range prep {
		if p.truncated {
			truncated++
		}
		if p.leftOut != "" {
			syn.LeftOut = append(syn.LeftOut, LeftOut{ID: in.Contributions[i].ID, Reason: p.leftOut})
			continue
		}
		langCount[string(p.lang)]++
		t := in.Contributions[i].Theme
		byTheme[t] = append(byTheme[t], i)
		syn.Analysed++
	}
	syn.Languages = sharesOf(langCount, syn.Analysed, nil)
	if truncated > 0 {
		syn.Notes = append(syn.Notes, fmt.Sprintf("%d contribution(s) longer than %d characters were analysed on their first %d characters only; quotes and lists keep the full text.", truncated, maxRunes, maxRunes))
	}
	if len(syn.LeftOut) > 0 {
		syn.Notes = append(syn.Notes, fmt.Sprintf("%d contribution(s) were left out of the analysis (listed with the reason).", len(syn.LeftOut)))
	}
	themes := make([]string, 0, len(byTheme))
	for t := range byTheme {
		themes = append(themes, t)
	}
	slices.Sort(themes)
	for _, theme := range themes {
		ts, note, err := buildTheme(ctx, in, prep, theme, byTheme[theme], report)
		if err != nil {
			return nil, err
		}
		if note != "" {
			syn.Notes = append(syn.Notes, note)
		}
		for _, g := range ts.Duplicates {
			syn.DuplicateGroups++
			syn.DuplicateContributions += g.Size
		}
		syn.Themes = append(syn.Themes, ts)
	}
	if syn.Analysed == 0 {
		syn.Notes = append(syn.Notes, "No contribution could be analysed: topics need texts in French, Dutch or English.")
	}
	return syn, nil
}

func validate(cs []Contribution) error {
	seen := make(map[string]int, len(cs))
	for i, c := range cs {
		if strings.TrimSpace(c.ID) == "" {
			return fmt.Errorf("%w: contribution %d has no id", ErrInvalidInput, i+1)
		}
		if j, ok := seen[c.ID]; ok {
			return fmt.Errorf("%w: id %q is used by contributions %d and %d", ErrInvalidInput, c.ID, j+1, i+1)
		}
		seen[c.ID] = i
	}
	return nil
}

// prepareAll normalises, detects the language of and analyses every
// contribution, in parallel (one Analyzer per worker).
func prepareAll(cs []Contribution, maxRunes int, extraStop []string) []prepared {
	stop := make(map[string]bool, len(extraStop))
	for _, w := range extraStop {
		for _, x := range textan.Words(textan.Fold(w)) {
			stop[x] = true
		}
	}
	out := make([]prepared, len(cs))
	parallelFor(len(cs), func(lo, hi int) {
		an := textan.NewAnalyzer()
		for i := lo; i < hi; i++ {
			out[i] = prepareOne(an, cs[i], maxRunes, stop)
		}
	})
	return out
}

func prepareOne(an *textan.Analyzer, c Contribution, maxRunes int, stop map[string]bool) prepared {
	var p prepared
	text, cut := textan.Truncate(c.Text, maxRunes*2) // markup may halve on stripping
	norm := textan.Normalize(text)
	norm, cut2 := textan.Truncate(norm, maxRunes)
	p.truncated = cut || cut2
	if norm == "" {
		p.leftOut = "empty text"
		return p
	}
	// Fold and cut into words once: detection, shingles and analysis
	// all work on the folded text.
	folded := textan.Fold(norm)
	words := textan.Words(folded)
	if c.Language != "" {
		p.lang = textan.ParseLang(c.Language)
		if p.lang == textan.Other {
			p.leftOut = fmt.Sprintf("unsupported language %q", c.Language)
			return p
		}
	} else {
		p.lang = textan.DetectWords(words).Lang
		if p.lang == textan.Other {
			p.leftOut = "language not recognised as French, Dutch or English"
			return p
		}
	}
	p.shingle = textan.ShingleForm(folded)
	toks := an.AnalyzeWords(words, p.lang)
	if len(stop) > 0 {
		kept := toks[:0]
		for _, t := range toks {
			if !stop[t.Surface] {
				kept = append(kept, t)
			}
		}
		toks = kept
	}
	if pivotTokens != nil {
		toks = pivotTokens(p.lang, toks)
	}
	p.tokens = toks
	return p
}

// pivotTokens maps French and Dutch stems to English ones so that a
// subject's texts meet across languages (README, "Bilingual
// dictionaries"); a variable so that the quality benchmark can measure
// without it.
var pivotTokens = textan.ToEnglish

// themeRNG derives the random stream of one theme from the seed and the
// theme's name, so that adding a theme does not change another's topics.
func themeRNG(seed uint64, theme string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(theme))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

func sharesOf(counts map[string]int, total int, order []string) []Share {
	if order == nil {
		for k := range counts {
			order = append(order, k)
		}
		slices.SortFunc(order, func(a, b string) int {
			return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
		})
	}
	out := make([]Share, 0, len(order))
	for _, k := range order {
		s := Share{Key: k, Count: counts[k]}
		if total > 0 {
			s.Share = float64(s.Count) / float64(total)
		}
		out = append(out, s)
	}
	return out
}
