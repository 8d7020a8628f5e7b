// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"strconv"
	"strings"
)

// personType is a class of interchangeable volunteers: same feature values
// and no household link to anyone else in the pool. In the LEXIMIN optimum
// interchangeable volunteers get the same probability (averaging a solution
// over permutations inside a type keeps it feasible and cannot lower the
// leximin order), so the LP only needs one variable per type.
type personType struct {
	features  []int
	members   []int // volunteer indices
	household int   // index into household list, or -1
}

// groupTypes partitions the pool into types. Volunteers who share a
// household with another pool member are kept as singleton types when
// households are enforced, because the household constraint tells them
// apart from their feature twins.
func groupTypes(p *Pool, households bool) (types []personType, householdOf []int, nHouseholds int) {
	homeCount := map[string]int{}
	if households {
		for _, v := range p.Volunteers {
			if v.Household != "" {
				homeCount[v.Household]++
			}
		}
	}
	homeIndex := map[string]int{}
	byKey := map[string]int{}
	for i, v := range p.Volunteers {
		if households && homeCount[v.Household] > 1 {
			h, ok := homeIndex[v.Household]
			if !ok {
				h = len(homeIndex)
				homeIndex[v.Household] = h
			}
			types = append(types, personType{features: v.Features, members: []int{i}, household: h})
			continue
		}
		key := featureKey(v.Features)
		t, ok := byKey[key]
		if !ok {
			t = len(types)
			byKey[key] = t
			types = append(types, personType{features: v.Features, household: -1})
		}
		types[t].members = append(types[t].members, i)
	}
	householdOf = make([]int, len(types))
	for t := range types {
		householdOf[t] = types[t].household
	}
	return types, householdOf, len(homeIndex)
}

func featureKey(f []int) string {
	var b strings.Builder
	for i, x := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(x))
	}
	return b.String()
}
