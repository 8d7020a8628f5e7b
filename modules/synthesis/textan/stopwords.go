// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed stopwords/*.txt
var stopwordFiles embed.FS

// stopSets holds, per supported language, the folded stop words of that
// language plus the domain words shared by all languages.
var stopSets = mustLoadStopSets()

func mustLoadStopSets() map[Lang]map[string]bool {
	domain := mustReadList("domain.txt")
	sets := make(map[Lang]map[string]bool)
	for _, lang := range Supported {
		set := make(map[string]bool)
		for _, w := range mustReadList(string(lang) + ".txt") {
			set[w] = true
		}
		for _, w := range domain {
			set[w] = true
		}
		sets[lang] = set
	}
	return sets
}

// mustReadList reads an embedded word list: words separated by white
// space, lines starting with # ignored. The lists are part of the binary,
// so a failure is a build defect and panics at start-up.
func mustReadList(name string) []string {
	data, err := stopwordFiles.ReadFile("stopwords/" + name)
	if err != nil {
		panic(fmt.Errorf("reading embedded word list %s: %w", name, err))
	}
	var words []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			words = append(words, Fold(w))
		}
	}
	return words
}

// IsStopWord reports whether the folded word is a stop word of lang (or a
// domain word such as "proposal"). Apostrophes are compared in their ASCII
// form.
func IsStopWord(lang Lang, folded string) bool {
	return stopSets[lang][strings.ReplaceAll(folded, "\u2019", "'")]
}
