// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import (
	"unicode"
	"unicode/utf8"
)

// Words splits text into words following the word-boundary rules of
// Unicode Standard Annex #29 that matter for Latin-script prose: a word is
// a run of letters and digits (with combining marks), and it continues
// across an apostrophe, a period or a colon between two letters
// ("l'eau", "e.g") and across a period or comma between two digits
// ("3.5", "1,000"). Hyphens, spaces and other punctuation separate words.
// Ideographs and other scripts without spaces form one word per
// character, as UAX #29 leaves them to dictionary segmentation.
func Words(text string) []string {
	var words []string
	start := -1
	var prev rune
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case isIdeographic(r):
			if start >= 0 {
				words = append(words, text[start:i])
				start = -1
			}
			words = append(words, text[i:i+size])
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case start >= 0 && isMid(prev, r) && i+size < len(text):
			next, _ := utf8.DecodeRuneInString(text[i+size:])
			if !continuesAcross(prev, r, next) {
				words = append(words, text[start:i])
				start = -1
			}
		default:
			if start >= 0 {
				words = append(words, text[start:i])
				start = -1
			}
		}
		prev = r
		i += size
	}
	if start >= 0 {
		words = append(words, text[start:])
	}
	return words
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

func isIdeographic(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// isMid reports whether r may join two parts of one word (UAX #29
// MidLetter, MidNum and MidNumLet classes, restricted to common marks).
func isMid(prev, r rune) bool {
	switch r {
	case '\'', '\u2019', '.', ':', ',', '\u00b7':
		return isWordRune(prev)
	}
	return false
}

// continuesAcross applies rules WB6/WB7 (letters) and WB11/WB12 (digits).
func continuesAcross(prev, mid, next rune) bool {
	switch {
	case unicode.IsLetter(prev) && unicode.IsLetter(next):
		return mid != ','
	case unicode.IsDigit(prev) && unicode.IsDigit(next):
		return mid == '.' || mid == ','
	}
	return false
}
