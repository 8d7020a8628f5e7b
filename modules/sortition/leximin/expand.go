// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"fmt"
	"slices"
)

// Expand turns the type-level distribution into person-level panels:
// counts[j] copies of Panels[j] (for instance the M equally likely tickets
// of a rounded lottery). Inside each type, members are taken round-robin
// across all copies, so every member of a type appears in the same number
// of panels up to one; a panel never repeats a person because a panel
// takes at most as many members of a type as the type has.
func (r *Result) Expand(counts []int) ([][]int, error) {
	if len(counts) != len(r.Panels) {
		return nil, fmt.Errorf("expand: %d counts for %d panels", len(counts), len(r.Panels))
	}
	next := make([]int, len(r.TypeMembers))
	var out [][]int
	for j, c := range counts {
		for ; c > 0; c-- {
			panel := make([]int, 0, r.K)
			for t, m := range r.Panels[j].Counts {
				members := r.TypeMembers[t]
				for ; m > 0; m-- {
					panel = append(panel, members[next[t]])
					next[t] = (next[t] + 1) % len(members)
				}
			}
			slices.Sort(panel)
			out = append(out, panel)
		}
	}
	return out, nil
}
