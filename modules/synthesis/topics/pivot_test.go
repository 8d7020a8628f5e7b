// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/polder-civic/polder/modules/synthesis/textan"
)

// The quality benchmarks measure the pipeline without the bilingual
// dictionaries and with every translation instead of the first, by
// environment (README, "Bilingual dictionaries"):
//
//	POLDER_PIVOT=none  no mapping: French and Dutch keep their own stems
//	POLDER_PIVOT=all   each mapped word counts as all its translations
func init() {
	switch os.Getenv("POLDER_PIVOT") {
	case "none":
		pivotTokens = nil
	case "all":
		pivotTokens = allTranslations
	}
}

var allTranslationsTable = sync.OnceValue(func() map[textan.Lang]map[string][]string {
	an := textan.NewAnalyzer()
	out := map[textan.Lang]map[string][]string{}
	for lang, file := range map[textan.Lang]string{textan.French: "fra-eng.tsv", textan.Dutch: "nld-eng.tsv"} {
		f, err := os.Open(filepath.Join("..", "textan", "dictionaries", file))
		if err != nil {
			panic(err)
		}
		m := map[string][]string{}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			head, ts, _ := strings.Cut(sc.Text(), "\t")
			src := an.Analyze(head, lang)
			if len(textan.Words(textan.Fold(head))) != 1 || len(src) != 1 {
				continue
			}
			for tr := range strings.SplitSeq(ts, "|") {
				for _, e := range an.Analyze(tr, textan.English) {
					if !slices.Contains(m[src[0].Stem], e.Stem) {
						m[src[0].Stem] = append(m[src[0].Stem], e.Stem)
					}
				}
			}
		}
		f.Close()
		out[lang] = m
	}
	return out
})

// allTranslations replaces each mapped French or Dutch token by one token
// per English stem of any of its translations.
func allTranslations(lang textan.Lang, toks []textan.Token) []textan.Token {
	m := allTranslationsTable()[lang]
	if m == nil {
		return toks
	}
	var out []textan.Token
	for _, t := range toks {
		es := m[t.Stem]
		if len(es) == 0 {
			out = append(out, t)
			continue
		}
		for _, e := range es {
			out = append(out, textan.Token{Stem: e, Surface: t.Surface})
		}
	}
	return out
}
