// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Token is one content word of a text after analysis.
type Token struct {
	// Stem is the Snowball stem, the unit of counting.
	Stem string
	// Surface is the folded word as written (after elision removal), used
	// to show a stem as a readable word.
	Surface string
}

// frenchElisions are the French words that lose their vowel before another
// vowel and are written joined with an apostrophe: l'eau, qu'il, jusqu'au.
var frenchElisions = map[string]struct{}{
	"l": {}, "d": {}, "j": {}, "m": {}, "n": {}, "s": {}, "t": {}, "c": {},
	"qu": {}, "jusqu": {}, "lorsqu": {}, "puisqu": {}, "quoiqu": {},
}

// Analyzer turns texts into content tokens. It caches stems, since a
// collection uses a small vocabulary many times; it is not safe for
// concurrent use (give each goroutine its own).
type Analyzer struct {
	cache map[Lang]map[string]string
}

// NewAnalyzer returns an Analyzer with an empty stem cache.
func NewAnalyzer() *Analyzer {
	return &Analyzer{cache: make(map[Lang]map[string]string)}
}

// maxWordRunes drops "words" that are really pasted codes or hashes.
const maxWordRunes = 40

// Analyze returns the content tokens of a normalised text in lang: words on
// Unicode boundaries, folded, French elisions removed, stop words, numbers
// and one-letter words dropped, the rest stemmed.
func (a *Analyzer) Analyze(text string, lang Lang) []Token {
	return a.AnalyzeWords(Words(Fold(text)), lang)
}

// AnalyzeWords is Analyze for the words of a folded text.
func (a *Analyzer) AnalyzeWords(words []string, lang Lang) []Token {
	tokens := make([]Token, 0, len(words))
	for _, w := range words {
		w = strings.ReplaceAll(w, "\u2019", "'")
		w = stripElision(lang, w)
		if !keepWord(lang, w) {
			continue
		}
		tokens = append(tokens, Token{Stem: a.stem(lang, w), Surface: w})
	}
	return tokens
}

func (a *Analyzer) stem(lang Lang, w string) string {
	m := a.cache[lang]
	if m == nil {
		m = make(map[string]string)
		a.cache[lang] = m
	}
	if s, ok := m[w]; ok {
		return s
	}
	s := Stem(lang, w)
	if s == "" {
		s = w
	}
	// Stems are compared without diacritics: accents are often omitted
	// in typed text ("electricite"), and French and English stems then
	// meet where the words are cognates (électricité and electricity
	// both give "electr", climat and climate "climat").
	s = stripMarks(s)
	m[w] = s
	return s
}

// stripElision removes a leading French elided word (l', qu', jusqu') and,
// in English, a trailing possessive 's.
func stripElision(lang Lang, w string) string {
	i := strings.IndexByte(w, '\'')
	if i < 0 {
		return w
	}
	switch lang {
	case French:
		if _, ok := frenchElisions[w[:i]]; ok {
			return w[i+1:]
		}
	case English:
		if strings.HasSuffix(w, "'s") {
			return w[:len(w)-2]
		}
	}
	return w
}

func keepWord(lang Lang, w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < 2 || len(w) > maxWordRunes*4 || len([]rune(w)) > maxWordRunes {
		return false
	}
	return !IsStopWord(lang, w)
}

// stripMarks removes combining marks after canonical decomposition
// (é → e, ï → i); letters such as ß or ø are kept.
func stripMarks(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}
