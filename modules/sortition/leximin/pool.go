// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"fmt"
)

// Quota is the lower and upper bound on how many panel members have one
// value of a category.
type Quota struct {
	Value string
	Min   int
	Max   int
}

// Category is a feature (gender, age band, ...) with the quota of each of
// its values.
type Category struct {
	Name   string
	Values []Quota
}

// Volunteer is one pool member. Features[c] indexes Categories[c].Values.
// Household, when not empty, links volunteers of which at most one may sit
// on a panel (only enforced when Options.Households is set).
type Volunteer struct {
	ID        string
	Features  []int
	Household string
}

// Pool is the set of volunteers with the quota table.
type Pool struct {
	Categories []Category
	Volunteers []Volunteer
}

// Validate checks the pool's internal consistency (indices in range,
// bounds ordered); it does not decide feasibility, see Check.
func (p *Pool) Validate() error {
	if len(p.Categories) == 0 {
		return fmt.Errorf("pool has no categories")
	}
	for _, c := range p.Categories {
		if len(c.Values) == 0 {
			return fmt.Errorf("category %q has no values", c.Name)
		}
		for _, q := range c.Values {
			if q.Min < 0 || q.Max < q.Min {
				return fmt.Errorf("quota %s=%s: min %d and max %d are not 0 ≤ min ≤ max", c.Name, q.Value, q.Min, q.Max)
			}
		}
	}
	for i, v := range p.Volunteers {
		if len(v.Features) != len(p.Categories) {
			return fmt.Errorf("volunteer %d (%s) has %d features, want %d", i+1, v.ID, len(v.Features), len(p.Categories))
		}
		for c, f := range v.Features {
			if f < 0 || f >= len(p.Categories[c].Values) {
				return fmt.Errorf("volunteer %d (%s): value index %d out of range for category %q", i+1, v.ID, f, p.Categories[c].Name)
			}
		}
	}
	return nil
}

// numValues returns the number of (category, value) pairs; valueIndex maps
// a pair to a flat index used for quota rows.
func (p *Pool) numValues() int {
	n := 0
	for _, c := range p.Categories {
		n += len(c.Values)
	}
	return n
}

func (p *Pool) valueOffsets() []int {
	off := make([]int, len(p.Categories))
	n := 0
	for i, c := range p.Categories {
		off[i] = n
		n += len(c.Values)
	}
	return off
}

// Panel reports whether the given volunteer indices form a feasible panel
// of size k: right size, no repeats, every quota met and, when households
// is set, at most one member per household.
func (p *Pool) Panel(members []int, k int, households bool) error {
	if len(members) != k {
		return fmt.Errorf("panel has %d members, want %d", len(members), k)
	}
	seen := make(map[int]bool, k)
	homes := make(map[string]bool)
	counts := make([][]int, len(p.Categories))
	for c := range counts {
		counts[c] = make([]int, len(p.Categories[c].Values))
	}
	for _, m := range members {
		if m < 0 || m >= len(p.Volunteers) {
			return fmt.Errorf("member index %d out of range", m)
		}
		if seen[m] {
			return fmt.Errorf("volunteer %s appears twice", p.Volunteers[m].ID)
		}
		seen[m] = true
		v := p.Volunteers[m]
		if households && v.Household != "" {
			if homes[v.Household] {
				return fmt.Errorf("two members share household %q", v.Household)
			}
			homes[v.Household] = true
		}
		for c, f := range v.Features {
			counts[c][f]++
		}
	}
	for c, cat := range p.Categories {
		for f, q := range cat.Values {
			if n := counts[c][f]; n < q.Min || n > q.Max {
				return fmt.Errorf("quota %s=%s: %d members, want %d..%d", cat.Name, q.Value, n, q.Min, q.Max)
			}
		}
	}
	return nil
}
