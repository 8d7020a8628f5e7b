// SPDX-License-Identifier: AGPL-3.0-or-later

package verify

import (
	"strings"
	"testing"
)

// FuzzCodeInput feeds what a participant types as an invitation code,
// seeded with generated codes as printed and as typed. Normalising is
// idempotent, ignores case, spaces and dashes, and the stored hash of a
// code typed loosely is the hash of the printed code.
func FuzzCodeInput(f *testing.F) {
	for range 3 {
		c := newCode()
		f.Add(c)
		f.Add(strings.ToLower(strings.ReplaceAll(c, "-", " ")))
	}
	f.Add("ǅ-ß-ﬀ")
	f.Fuzz(func(t *testing.T, typed string) {
		n := normaliseCode(typed)
		if normaliseCode(n) != n {
			t.Fatalf("normalising %q twice: %q then %q", typed, n, normaliseCode(n))
		}
		if strings.ContainsAny(n, "- \t") {
			t.Fatalf("normalised %q keeps a separator: %q", typed, n)
		}
		if codeHash(1, typed) != codeHash(1, n) {
			t.Fatalf("%q and its normal form %q hash apart", typed, n)
		}
		// Printed codes are ASCII: typed in lower case, one space between
		// symbols, they must match.
		if isASCII(n) {
			loose := strings.ToLower(strings.Join(strings.Split(n, ""), " "))
			if codeHash(1, loose) != codeHash(1, n) {
				t.Fatalf("%q typed as %q hashes apart", n, loose)
			}
		}
	})
}

// FuzzNormaliseIdentifier checks the published first step of the census
// procedure: idempotent, letters and digits only.
func FuzzNormaliseIdentifier(f *testing.F) {
	f.Add("12.345.678-A")
	f.Add("BE 850101 123 45")
	f.Add("İstanbul-ǅ")
	f.Fuzz(func(t *testing.T, id string) {
		n := NormaliseIdentifier(id)
		if NormaliseIdentifier(n) != n {
			t.Fatalf("normalising %q twice: %q then %q", id, n, NormaliseIdentifier(n))
		}
		if CensusDigest("s", id) != CensusDigest("s", n) {
			t.Fatalf("%q and %q digest apart", id, n)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
