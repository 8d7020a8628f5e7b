// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"fmt"
	"strings"
)

// InfeasibleError says that no panel meets the quotas and names the
// conflicting constraints.
type InfeasibleError struct {
	Conflicts []string
}

func (e *InfeasibleError) Error() string {
	return "no panel meets the quotas: " + strings.Join(e.Conflicts, "; ")
}

// Check looks for reasons why no panel of size k can meet the quotas,
// using counting arguments only (no LP): the panel is larger than the pool,
// a value has fewer volunteers than its lower quota, the lower quotas of a
// category add up to more than k, or its upper quotas (capped by the
// volunteers available) add up to less than k. With households, the number
// of distinct households bounds the panel size. It returns nil when none of
// these holds; the quotas may still conflict across categories, which Solve
// detects with the integer programme and reports by category pair.
func Check(p *Pool, k int, households bool) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("invalid pool: %w", err)
	}
	c := Counts{Size: len(p.Volunteers), Values: make([][]int, len(p.Categories)), Households: -1}
	for i := range c.Values {
		c.Values[i] = make([]int, len(p.Categories[i].Values))
	}
	for _, v := range p.Volunteers {
		for i, f := range v.Features {
			c.Values[i][f]++
		}
	}
	if households {
		homes := map[string]bool{}
		c.Households = 0
		for _, v := range p.Volunteers {
			if v.Household == "" {
				c.Households++
			} else if !homes[v.Household] {
				homes[v.Household] = true
				c.Households++
			}
		}
	}
	return CheckCounts(p.Categories, k, c)
}

// Counts is what the counting diagnosis needs to know of a pool, so that
// a caller holding the pool in a database can count there.
type Counts struct {
	Size int // volunteers
	// Values[c][f] is the number of volunteers with value f of category c.
	Values [][]int
	// Households is the number of distinct households (a volunteer
	// without one counts as their own), or -1 when the household rule is
	// off.
	Households int
}

// CheckCounts is Check on counts: the same conflicts, in the same order
// and words.
func CheckCounts(cats []Category, k int, c Counts) error {
	var conflicts []string
	if k <= 0 {
		conflicts = append(conflicts, fmt.Sprintf("panel size %d is not positive", k))
	}
	if k > c.Size {
		conflicts = append(conflicts, fmt.Sprintf("panel size %d is larger than the pool (%d volunteers)", k, c.Size))
	}
	for ci, cat := range cats {
		sumMin, sumMax := 0, 0
		for f, q := range cat.Values {
			n := 0
			if ci < len(c.Values) && f < len(c.Values[ci]) {
				n = c.Values[ci][f]
			}
			if n < q.Min {
				conflicts = append(conflicts, fmt.Sprintf("%s=%s needs at least %d members but only %d volunteers have it", cat.Name, q.Value, q.Min, n))
			}
			sumMin += q.Min
			sumMax += min(q.Max, n)
		}
		if sumMin > k {
			conflicts = append(conflicts, fmt.Sprintf("the lower quotas of %s add up to %d, more than the panel size %d", cat.Name, sumMin, k))
		}
		if sumMax < k {
			conflicts = append(conflicts, fmt.Sprintf("the upper quotas of %s (capped by the volunteers available) add up to %d, less than the panel size %d", cat.Name, sumMax, k))
		}
	}
	if c.Households >= 0 && c.Households < k {
		conflicts = append(conflicts, fmt.Sprintf("only %d distinct households for a panel of %d with one member per household", c.Households, k))
	}
	if len(conflicts) > 0 {
		return &InfeasibleError{Conflicts: conflicts}
	}
	return nil
}

// diagnoseJoint is called when the counting checks pass but the integer
// programme finds no panel: it retries the programme with the quotas of
// each pair of categories only, and names the pairs that already conflict.
func diagnoseJoint(p *Pool, k int, households bool) *InfeasibleError {
	var conflicts []string
	for a := 0; a < len(p.Categories); a++ {
		for b := a + 1; b < len(p.Categories); b++ {
			sub := relaxedPool(p, a, b)
			pr := newPricer(sub, k, households)
			if _, ok := pr.feasiblePanel(); !ok {
				conflicts = append(conflicts, fmt.Sprintf("the quotas of %s and %s cannot be met together", p.Categories[a].Name, p.Categories[b].Name))
			}
		}
	}
	if len(conflicts) == 0 {
		conflicts = append(conflicts, "the quotas of three or more categories cannot be met together (each pair alone can)")
	}
	return &InfeasibleError{Conflicts: conflicts}
}

// relaxedPool keeps the quotas of categories a and b and relaxes the others
// to 0..k.
func relaxedPool(p *Pool, a, b int) *Pool {
	q := &Pool{Volunteers: p.Volunteers}
	for c, cat := range p.Categories {
		if c == a || c == b {
			q.Categories = append(q.Categories, cat)
			continue
		}
		loose := Category{Name: cat.Name}
		for _, v := range cat.Values {
			loose.Values = append(loose.Values, Quota{Value: v.Value, Min: 0, Max: len(p.Volunteers)})
		}
		q.Categories = append(q.Categories, loose)
	}
	return q
}
