// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import (
	"html"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

var (
	// Tags of HTML/XML markup, including comments; the editor of the
	// platform stores rich text as HTML.
	tagPattern = regexp.MustCompile(`(?s)<!--.*?-->|<[a-zA-Z/!][^<>]*>`)
	// URLs and bare www. addresses carry no topic and break shingles.
	urlPattern = regexp.MustCompile(`(?i)\b(?:https?://|ftp://|www\.)[^\s<>"]+`)
	// Markdown links keep their text: [text](target) becomes text.
	mdLinkPattern = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	// Markdown emphasis, heading and code markers.
	mdMarkPattern = regexp.MustCompile("(?m)^#{1,6}\\s+|[*_`~]{1,3}")
)

// Normalize returns text with markup and URLs removed, HTML entities
// decoded, Unicode in NFC form and runs of white space collapsed to one
// space. Case is kept: the result is still fit to show.
func Normalize(text string) string {
	// The patterns are only run when their trigger character is present:
	// most contributions are plain text, and regexp is the slowest step.
	s := text
	if strings.Contains(s, "](") {
		s = mdLinkPattern.ReplaceAllString(s, "$1")
	}
	if strings.IndexByte(s, '<') >= 0 {
		s = tagPattern.ReplaceAllString(s, " ")
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	if strings.Contains(s, "://") || strings.Contains(s, "www.") || strings.Contains(s, "WWW.") {
		s = urlPattern.ReplaceAllString(s, " ")
	}
	if strings.ContainsAny(s, "*_`~#") {
		s = mdMarkPattern.ReplaceAllString(s, " ")
	}
	s = norm.NFC.String(s)
	return collapseSpace(s)
}

// collapseSpace trims the text and turns every run of white space (and
// control characters) into one ASCII space.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Fold returns the case-folded form of an already normalised text, for
// comparison and analysis only. Full Unicode case folding is used (not
// just lower-casing) so that, for example, "STRASSE" and "straße" meet.
func Fold(text string) string {
	// A Caser keeps state, so each call gets its own.
	return norm.NFC.String(cases.Fold().String(text))
}

// ShingleText returns the form of a text used for near-duplicate
// detection: normalised, folded, with every run of characters that are
// neither letters nor digits turned into one space. Punctuation and case
// edits therefore do not count as differences.
func ShingleText(text string) string {
	return ShingleForm(Fold(Normalize(text)))
}

// ShingleForm is ShingleText for a text already normalised and folded.
func ShingleForm(f string) string {
	var b strings.Builder
	b.Grow(len(f))
	gap := false
	for _, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if gap && b.Len() > 0 {
				b.WriteByte(' ')
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	return b.String()
}

// Truncate cuts text to at most maxRunes runes, at a word boundary when one
// lies in the last tenth, and reports whether it cut anything.
func Truncate(text string, maxRunes int) (string, bool) {
	if maxRunes <= 0 {
		return text, false
	}
	count := 0
	for i := range text {
		if count == maxRunes {
			cut := text[:i]
			if j := strings.LastIndexFunc(cut, unicode.IsSpace); j > len(cut)*9/10 {
				cut = cut[:j]
			}
			return cut, true
		}
		count++
	}
	return text, false
}
