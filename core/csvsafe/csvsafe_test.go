// SPDX-License-Identifier: AGPL-3.0-or-later

package csvsafe

import "testing"

func TestCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"More buses", "More buses"},
		{"", ""},
		{"=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"},
		{"+33 6 12", "'+33 6 12"},
		{"-10% on tickets", "'-10% on tickets"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1", "'\r=1"},
		{"'quoted'", "'quoted'"},
		{"'=already", "''=already"},
		{"a=b", "a=b"},
	} {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzRoundTrip: whatever the text, reading back what Cell wrote gives it
// again, and what Cell writes never starts a formula.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "=1+1", "'=1", "''-x", "plain", "'", "@", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Cell(s)
		if Unescape(out) != s {
			t.Fatalf("Unescape(Cell(%q)) = %q", s, Unescape(out))
		}
		if out != "" && isTrigger(out[0]) {
			t.Fatalf("Cell(%q) = %q starts a formula", s, out)
		}
	})
}
