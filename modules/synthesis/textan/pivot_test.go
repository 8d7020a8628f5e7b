// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import "testing"

func TestToEnglishMeetsAcrossLanguages(t *testing.T) {
	an := NewAnalyzer()
	stem := func(word string, lang Lang) string {
		t.Helper()
		toks := ToEnglish(lang, an.Analyze(word, lang))
		if len(toks) != 1 {
			t.Fatalf("%q (%s): %d tokens, want 1", word, lang, len(toks))
		}
		return toks[0].Stem
	}
	for _, c := range []struct {
		word    string
		lang    Lang
		english string
	}{
		{"vélo", French, "bike"},         // bike|cycle|bicycle: the first
		{"fiets", Dutch, "bike"},         // the same first translation
		{"chauffage", French, "heating"}, // heating
		{"verwarming", Dutch, "heating"}, // heating|heater
		{"trein", Dutch, "train"},
		{"voitures", French, "vehicle"}, // plural of voiture: vehicle|car
	} {
		if got, want := stem(c.word, c.lang), stem(c.english, English); got != want {
			t.Errorf("%q (%s) has stem %q, want %q, the stem of %q", c.word, c.lang, got, want, c.english)
		}
	}
	// English tokens, and words the dictionaries lack, keep their stem.
	if got := stem("heating", English); got != Stem(English, "heating") {
		t.Errorf("English stem changed to %q", got)
	}
	if got, want := stem("xyzzyplouf", French), an.Analyze("xyzzyplouf", French)[0].Stem; got != want {
		t.Errorf("unknown word: stem %q, want %q", got, want)
	}
	// The surface stays as written: labels show the contributors' words.
	if toks := ToEnglish(French, an.Analyze("vélos", French)); toks[0].Surface != "vélos" {
		t.Errorf("surface %q, want vélos", toks[0].Surface)
	}
}

// The embedded tables load: a parse or embed fault would leave a language
// with few or no mapped stems and the pipeline would silently split by
// language again.
func TestDictionariesLoad(t *testing.T) {
	for lang, least := range map[Lang]int{French: 5000, Dutch: 15000} {
		if n := len(pivotStems()[lang]); n < least {
			t.Errorf("%s: %d stems mapped to English, want at least %d", lang, n, least)
		}
	}
	if m := pivotStems()[English]; m != nil {
		t.Errorf("English is mapped to itself through %d entries", len(m))
	}
}
