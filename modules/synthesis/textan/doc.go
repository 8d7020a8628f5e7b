// SPDX-License-Identifier: AGPL-3.0-or-later

// Package textan prepares contribution texts for analysis: it normalises
// them (markup and URLs stripped, Unicode NFC, case folded for analysis
// only), detects their language (French, Dutch, English, or "other"),
// cuts them into words on Unicode word boundaries, removes stop words and
// French elisions, and stems the remaining words with the Snowball
// algorithm of the language.
//
// The package is pure: no I/O beyond its embedded word lists, and the same
// text always gives the same tokens. Quotes shown to people never come from
// here: the original text is kept by the caller.
//
// Stemmers: English and French come from github.com/kljensen/snowball; its
// latest release (v0.10.0) has no Dutch, so Dutch comes from
// github.com/blevesearch/snowballstem, which is generated from the Snowball
// project's own algorithm definitions. The stop-word lists in stopwords/
// were written for Polder.
package textan
