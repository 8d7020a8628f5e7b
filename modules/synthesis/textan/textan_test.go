// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import (
	"reflect"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"Markup", "<p>Plus de <b>vélos</b></p><br/>en ville", "Plus de vélos en ville"},
		{"URL", "See https://example.org/a?b=c and www.example.com now", "See and now"},
		{"Entities", "Tom &amp; Jerry &eacute;t&eacute;", "Tom & Jerry été"},
		// "e" followed by a combining acute accent becomes the single rune é.
		{"NFC", "cafe\u0301", "caf\u00e9"},
		{"MarkdownLink", "read [the plan](http://x.y/z) **now**", "read the plan now"},
		{"Spaces", "  a\t\tb\n\nc  ", "a b c"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Normalize(c.in); got != c.want {
				t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestFoldKeepsOriginalCaseOutOfAnalysis(t *testing.T) {
	if got := Fold("Énergie SOLAIRE Straße"); got != "énergie solaire strasse" {
		t.Errorf("Fold = %q", got)
	}
	if got := ShingleText("Hello,  WORLD!!! It's  <b>fine</b>."); got != "hello world it s fine" {
		t.Errorf("ShingleText = %q", got)
	}
}

func TestTruncate(t *testing.T) {
	s := strings.Repeat("mot ", 100)
	cut, ok := Truncate(s, 50)
	if !ok || len([]rune(cut)) > 50 || len(cut) < 45 {
		t.Errorf("Truncate cut=%q ok=%v", cut, ok)
	}
	if _, ok := Truncate("short", 50); ok {
		t.Error("short text reported as truncated")
	}
}

func TestWords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"l'eau, c'est la vie.", []string{"l'eau", "c'est", "la", "vie"}},
		{"pistes cyclables-sécurisées 3.5 km, 1,000 cars", []string{"pistes", "cyclables", "sécurisées", "3.5", "km", "1,000", "cars"}},
		{"don’t stop", []string{"don’t", "stop"}},
		{"end.'", []string{"end"}},
		{"Uber的出現", []string{"Uber", "的", "出", "現"}},
		{"", nil},
	}
	for _, c := range cases {
		if got := Words(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAnalyzeFrenchElision(t *testing.T) {
	a := NewAnalyzer()
	toks := a.Analyze("L'isolation des logements qu'on loue et l’énergie jusqu'aux quartiers", French)
	var surfaces []string
	for _, tk := range toks {
		surfaces = append(surfaces, tk.Surface)
	}
	want := []string{"isolation", "logements", "loue", "énergie", "quartiers"}
	if !reflect.DeepEqual(surfaces, want) {
		t.Errorf("surfaces = %q, want %q", surfaces, want)
	}
	// "on" is a stop word, "aux" too: the elided forms must not leak.
	for _, tk := range toks {
		if strings.Contains(tk.Surface, "'") {
			t.Errorf("apostrophe left in %q", tk.Surface)
		}
	}
}

// TestStemEachLanguage checks that each language reaches a real Snowball
// stemmer (inflected forms of one word meet, and the language matters).
func TestStemEachLanguage(t *testing.T) {
	groups := []struct {
		lang  Lang
		words []string
	}{
		{English, []string{"connection", "connections", "connected", "connecting"}},
		{English, []string{"housing", "houses", "house"}},
		{French, []string{"logement", "logements"}},
		{French, []string{"continua", "continuait", "continuant"}},
		{French, []string{"cyclable", "cyclables"}},
		{Dutch, []string{"gebouwen", "gebouw"}},
		{Dutch, []string{"woningen", "woning"}},
		{Dutch, []string{"lichamelijk", "lichamelijke"}},
	}
	for _, g := range groups {
		first := Stem(g.lang, g.words[0])
		for _, w := range g.words[1:] {
			if s := Stem(g.lang, w); s != first {
				t.Errorf("%s: Stem(%q)=%q but Stem(%q)=%q", g.lang, w, s, g.words[0], first)
			}
		}
		if first == g.words[0] && len(g.words[0]) > 5 {
			t.Errorf("%s: %q not stemmed", g.lang, g.words[0])
		}
	}
	// Reference pairs from the Snowball project's published vocabularies.
	refs := []struct {
		lang      Lang
		word, out string
	}{
		{English, "generously", "generous"},
		{French, "abandonnée", "abandon"},
		{Dutch, "aanbevelingen", "aanbevel"},
		{Dutch, "opgelost", "opgelost"},
		{Other, "wasser", "wasser"},
	}
	for _, r := range refs {
		if got := Stem(r.lang, r.word); got != r.out {
			t.Errorf("%s Stem(%q) = %q, want %q", r.lang, r.word, got, r.out)
		}
	}
}

func TestStopWords(t *testing.T) {
	for _, c := range []struct {
		lang Lang
		w    string
		stop bool
	}{
		{English, "the", true}, {English, "shouldn't", true}, {English, "bicycle", false},
		{French, "nous", true}, {French, "être", true}, {French, "vélo", false},
		{Dutch, "het", true}, {Dutch, "fiets", false},
		{Dutch, "voorstel", true}, {English, "proposal", true},
	} {
		if got := IsStopWord(c.lang, Fold(c.w)); got != c.stop {
			t.Errorf("IsStopWord(%s,%q) = %v", c.lang, c.w, got)
		}
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"fr-BE": French, "NL": Dutch, "english": English, "de": Other, "": Other} {
		if got := ParseLang(in); got != want {
			t.Errorf("ParseLang(%q) = %s, want %s", in, got, want)
		}
	}
}
