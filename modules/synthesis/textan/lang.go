// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import (
	"strings"
)

// Lang is a language code (ISO 639-1) or Other.
type Lang string

// Languages the analysis supports; anything else is Other.
const (
	English Lang = "en"
	French  Lang = "fr"
	Dutch   Lang = "nl"
	Other   Lang = "other"
)

// Supported lists the languages with stop words and a stemmer, in a fixed
// order (used to break ties deterministically).
var Supported = []Lang{English, French, Dutch}

// ParseLang maps a user-given language tag ("fr", "fr-BE", "Dutch") to a
// supported language, or Other.
func ParseLang(tag string) Lang {
	t := strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(t, "-_"); i > 0 {
		t = t[:i]
	}
	switch t {
	case "en", "eng", "english":
		return English
	case "fr", "fra", "fre", "french", "français", "francais":
		return French
	case "nl", "nld", "dut", "dutch", "nederlands", "vlaams":
		return Dutch
	}
	return Other
}

// cue is the evidence one frequent word gives for each language that
// lists it: a word listed by several languages ("de", "la", "en") counts
// for each of them in proportion.
type cue struct {
	langs  []string
	weight float64
}

var detectCues, detectLangs = mustLoadCues()

func mustLoadCues() (map[string]cue, []string) {
	cues := make(map[string]cue)
	var langs []string
	for _, line := range mustReadLines("detect.txt") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		lang := fields[0]
		if !containsString(langs, lang) {
			langs = append(langs, lang)
		}
		for _, w := range fields[1:] {
			w = Fold(w)
			c := cues[w]
			if containsString(c.langs, lang) {
				continue
			}
			c.langs = append(c.langs, lang)
			cues[w] = c
		}
	}
	// The full stop-word lists of the supported languages are cues too:
	// short contributions often hold only one or two function words.
	for _, lang := range Supported {
		for w := range stopSets[lang] {
			c := cues[w]
			if !containsString(c.langs, string(lang)) {
				c.langs = append(c.langs, string(lang))
				cues[w] = c
			}
		}
	}
	for w, c := range cues {
		c.weight = 1 / float64(len(c.langs))
		cues[w] = c
	}
	return cues, langs
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// spellingCues are letter sequences typical of one language's spelling.
// They weigh less than a function word (orthoWeight per word) and decide
// short texts that hold no function word at all.
var spellingCues = []struct {
	lang  string
	parts []string
}{
	{"en", []string{"th", "wh", "ing", "ght", "ould", "oo", "ck"}},
	{"fr", []string{"é", "è", "ê", "à", "ç", "ù", "œ", "eau", "eux", "oi", "ou", "qu", "tion"}},
	{"nl", []string{"ij", "aa", "oe", "uu", "ui", "ee", "sch", "cht", "kk"}},
	{"de", []string{"ä", "ö", "ü", "ß", "sch", "ch", "ei", "ung", "tz"}},
	{"es", []string{"ñ", "á", "í", "ó", "ú", "ción", "ll"}},
	{"it", []string{"zione", "gli", "zz", "cch", "ità"}},
	{"pt", []string{"ã", "õ", "ção", "lh", "nh"}},
}

const orthoWeight = 0.25

func spellingScore(w string, scores map[string]float64) {
	for _, sc := range spellingCues {
		for _, p := range sc.parts {
			if strings.Contains(w, p) {
				scores[sc.lang] += orthoWeight
				break
			}
		}
	}
}

func mustReadLines(name string) []string {
	data, err := stopwordFiles.ReadFile("stopwords/" + name)
	if err != nil {
		panic(err)
	}
	var lines []string
	for _, line := range strings.Split(string(data), "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			lines = append(lines, t)
		}
	}
	return lines
}

// Detection is the outcome of DetectLanguage with the evidence behind it.
type Detection struct {
	Lang Lang
	// Ratio is the share of the text's words that are cue words of Lang.
	Ratio float64
	// Words is the number of words looked at.
	Words int
}

// minCueRatio is the share of cue evidence below which a text is not
// recognised. Prose has 30-50% function words, but titles may have none
// and then live on spelling cues (0.25 a word); text in a language
// without cue lists (Chinese) scores nothing. Set on the labelled
// sentences of lang_test.go (0.12 missed two English titles there).
const minCueRatio = 0.05

// DetectLanguage classifies a normalised text as English, French, Dutch or
// Other by the ratio of frequent function words of each language (the
// stop-word-ratio method); words that are no function word of any
// language add a small weight for spelling typical of a language, which
// decides short texts with no function word. Texts in German, Spanish, Italian and
// Portuguese have cue lists too, so that they come out as Other rather
// than as the closest supported language. Text with no words, or with too
// few cue words, is Other.
func DetectLanguage(text string) Detection {
	return DetectWords(Words(Fold(text)))
}

// DetectWords is DetectLanguage for the words of a folded text.
func DetectWords(words []string) Detection {
	scores := make(map[string]float64, len(detectLangs))
	letters := 0
	for _, w := range words {
		w = strings.ReplaceAll(w, "\u2019", "'")
		// French elided articles count as French cues.
		if i := strings.IndexByte(w, '\''); i > 0 && i <= 7 {
			if _, ok := frenchElisions[w[:i]]; ok {
				scores[string(French)] += 0.5
				w = w[i+1:]
			}
		}
		if c, ok := detectCues[w]; ok {
			for _, l := range c.langs {
				scores[l] += c.weight
			}
		} else {
			spellingScore(w, scores)
		}
		if hasLetter(w) {
			letters++
		}
	}
	if letters == 0 {
		return Detection{Lang: Other, Words: len(words)}
	}
	best, bestScore := "", 0.0
	for _, l := range detectLangs {
		if scores[l] > bestScore {
			best, bestScore = l, scores[l]
		}
	}
	ratio := bestScore / float64(letters)
	lang := ParseLang(best)
	if best == "" || ratio < minCueRatio {
		lang = Other
	}
	return Detection{Lang: lang, Ratio: ratio, Words: letters}
}

func hasLetter(w string) bool {
	for _, r := range w {
		if r >= 'a' && r <= 'z' || r > 127 {
			return true
		}
	}
	return false
}
