// SPDX-License-Identifier: AGPL-3.0-or-later

// Package csvsafe keeps the text of exported CSV files from running as
// formulas when a spreadsheet opens them. Excel, LibreOffice and Google
// Sheets read a cell starting with =, +, -, @, a tab or a carriage return
// as a formula (OWASP, "CSV Injection"): a contribution written as
// =HYPERLINK(...) would become a live link in an organiser's spreadsheet.
// Such a cell gets a leading apostrophe, which spreadsheets show as
// text; Unescape takes it off again when a file is read back.
package csvsafe

// triggers start a formula in a spreadsheet cell.
const triggers = "=+-@\t\r"

// needsQuote reports whether s would be read as a formula, or would be
// mistaken for an escaped one by Unescape (so that Unescape(Cell(s)) == s
// for every s).
func needsQuote(s string) bool {
	for len(s) > 0 {
		switch c := s[0]; {
		case c == '\'':
			s = s[1:]
		case isTrigger(c):
			return true
		default:
			return false
		}
	}
	return false
}

func isTrigger(c byte) bool {
	for i := range len(triggers) {
		if triggers[i] == c {
			return true
		}
	}
	return false
}

// Cell returns s as it should be written to a CSV cell of free text.
func Cell(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

// Unescape returns the text Cell was given, for importers reading a
// file this package wrote (a file written otherwise reads unchanged
// unless a cell starts with apostrophes before a formula character).
func Unescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && needsQuote(s[1:]) {
		return s[1:]
	}
	return s
}
