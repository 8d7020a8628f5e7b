// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"slices"
	"testing"
)

func TestPickLabel(t *testing.T) {
	stems := []string{"ban", "advertis", "suv", "highest", "product", "car", "heavi"}
	uni := func(s int32) [2]int32 { return [2]int32{s, -1} }
	pair := func(a, b int32) [2]int32 { return [2]int32{a, b} }
	terms := [][2]int32{uni(0), uni(1), pair(1, 2), uni(3), uni(4), pair(5, 6), uni(2), uni(5), pair(0, 1), uni(6)}
	for _, c := range []struct {
		name string
		cand []int
		want []string
	}{
		// The pair takes the place of its word shown before it; its other
		// word is not shown again; the label fills up to four terms.
		{"pair replaces its word", []int{0, 1, 2, 3, 6, 4}, []string{"ban", "advertis suv", "highest", "product"}},
		// A pair of two words already shown adds no word: skipped.
		{"pair of two shown words", []int{0, 1, 3, 8, 4}, []string{"ban", "advertis", "highest", "product"}},
		// A word whose pair is shown is skipped.
		{"word of a shown pair", []int{5, 7, 9, 0, 3, 4}, []string{"car heavi", "ban", "highest", "product"}},
		// Four terms at most, in order.
		{"four at most", []int{0, 3, 4, 7, 9}, []string{"ban", "highest", "product", "car"}},
	} {
		if got := pickLabel(c.cand, terms, stems); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
