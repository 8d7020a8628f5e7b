// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import (
	"bufio"
	"embed"
	"fmt"
	"strings"
	"sync"
)

// The FreeDict French-English and Dutch-English dictionaries, reduced to
// single-word entries by gendict (dictionaries/README.md).
//
//go:embed dictionaries/fra-eng.tsv dictionaries/nld-eng.tsv
var dictionaryFiles embed.FS

var dictionaryFile = map[Lang]string{
	French: "dictionaries/fra-eng.tsv",
	Dutch:  "dictionaries/nld-eng.tsv",
}

// pivotStems maps, per source language, a stem to the English stem of its
// first translation; built once on first use.
var pivotStems = sync.OnceValue(func() map[Lang]map[string]string {
	an := NewAnalyzer()
	out := make(map[Lang]map[string]string, len(dictionaryFile))
	for lang, name := range dictionaryFile {
		f, err := dictionaryFiles.Open(name)
		if err != nil {
			panic(fmt.Sprintf("textan: embedded dictionary %s: %v", name, err)) // embedded at build time
		}
		m := map[string]string{}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			head, translations, _ := strings.Cut(sc.Text(), "\t")
			if len(Words(Fold(head))) != 1 {
				continue // "d‐trein": one word for the dictionary, two here
			}
			src := an.Analyze(head, lang)
			if len(src) != 1 {
				continue // a stop word or a number
			}
			if _, ok := m[src[0].Stem]; ok {
				continue // an earlier headword with the same stem came first
			}
			for tr := range strings.SplitSeq(translations, "|") {
				if en := an.Analyze(tr, English); len(en) > 0 {
					m[src[0].Stem] = en[0].Stem
					break
				}
			}
		}
		f.Close()
		out[lang] = m
	}
	return out
})

// ToEnglish replaces, in place, the stem of each French or Dutch token
// found in the bilingual dictionary by the English stem of its first
// translation, so that texts on one subject in different languages share
// terms: "vélo" meets "bike", its first translation, though not "bicycle";
// one sense, the first listed, is taken. The surface form stays as written.
// Tokens of English texts, and words the dictionary lacks, keep their
// stem; French-English cognates already meet there (stems are compared
// without diacritics). It returns toks.
func ToEnglish(lang Lang, toks []Token) []Token {
	m := pivotStems()[lang]
	if m == nil {
		return toks
	}
	for i, t := range toks {
		if en, ok := m[t.Stem]; ok {
			toks[i].Stem = en
		}
	}
	return toks
}
