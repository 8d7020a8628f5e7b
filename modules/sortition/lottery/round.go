// SPDX-License-Identifier: AGPL-3.0-or-later

package lottery

import (
	"fmt"
	"math"
	"sort"
)

// Apportion rounds a probability distribution to integer counts summing to
// m (largest remainder method): panel j becomes count[j] of m equally likely
// lottery tickets, so the final draw is "pick a number from 0 to m−1". Each
// count differs from m·p[j] by less than one.
func Apportion(p []float64, m int) ([]int, error) {
	if m <= 0 {
		return nil, fmt.Errorf("apportion: m = %d", m)
	}
	var total float64
	for _, x := range p {
		if x < 0 || math.IsNaN(x) {
			return nil, fmt.Errorf("apportion: invalid probability %v", x)
		}
		total += x
	}
	if total <= 0 {
		return nil, fmt.Errorf("apportion: probabilities sum to %v", total)
	}
	counts := make([]int, len(p))
	rem := make([]float64, len(p))
	given := 0
	for j, x := range p {
		exact := x / total * float64(m)
		counts[j] = int(math.Floor(exact))
		rem[j] = exact - float64(counts[j])
		given += counts[j]
	}
	order := make([]int, len(p))
	for j := range order {
		order[j] = j
	}
	// ties broken by index so the rounding is reproducible
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for _, j := range order[:m-given] {
		counts[j]++
	}
	return counts, nil
}

// Marginals returns each person's selection probability in a lottery of
// equally likely panels (person indices 0..n−1).
func Marginals(panels [][]int, n int) []float64 {
	pi := make([]float64, n)
	if len(panels) == 0 {
		return pi
	}
	w := 1 / float64(len(panels))
	for _, p := range panels {
		for _, i := range p {
			pi[i] += w
		}
	}
	return pi
}

// Loss compares the selection probabilities before and after rounding.
type Loss struct {
	MinBefore   float64 `json:"min_before"`
	MinAfter    float64 `json:"min_after"`
	MaxDecrease float64 `json:"max_decrease"`
	MaxIncrease float64 `json:"max_increase"`
}

// CompareMarginals reports the rounding loss.
func CompareMarginals(before, after []float64) Loss {
	l := Loss{MinBefore: math.Inf(1), MinAfter: math.Inf(1)}
	for i := range before {
		l.MinBefore = math.Min(l.MinBefore, before[i])
		l.MinAfter = math.Min(l.MinAfter, after[i])
		l.MaxDecrease = math.Max(l.MaxDecrease, before[i]-after[i])
		l.MaxIncrease = math.Max(l.MaxIncrease, after[i]-before[i])
	}
	return l
}
