// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

// AdjustedRandIndex compares two labelings of the same items (Hubert and
// Arabie's correction for chance of the Rand index): 1 for identical
// partitions up to renaming, about 0 for independent ones. Labels are
// arbitrary integers; a and b must have the same length.
func AdjustedRandIndex(a, b []int) float64 {
	n := len(a)
	if n != len(b) {
		panic("AdjustedRandIndex: labelings of different lengths")
	}
	if n < 2 {
		return 1
	}
	type pair struct{ x, y int }
	cells := map[pair]int{}
	rows := map[int]int{}
	cols := map[int]int{}
	for i := range a {
		cells[pair{a[i], b[i]}]++
		rows[a[i]]++
		cols[b[i]]++
	}
	choose2 := func(k int) float64 { return float64(k) * float64(k-1) / 2 }
	var index, sumA, sumB float64
	for _, c := range cells {
		index += choose2(c)
	}
	for _, c := range rows {
		sumA += choose2(c)
	}
	for _, c := range cols {
		sumB += choose2(c)
	}
	expected := sumA * sumB / choose2(n)
	maxIndex := (sumA + sumB) / 2
	if maxIndex == expected {
		// Both partitions trivial (all one cluster or all singletons).
		return 1
	}
	return (index - expected) / (maxIndex - expected)
}
