// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"hash/fnv"
	"slices"
)

// Near-duplicate detection: MinHash signatures over character 5-gram
// shingles, banded LSH to find candidate pairs, exact Jaccard to confirm.
//
// With 16 bands of 4 rows, a pair with Jaccard s becomes a candidate with
// probability 1-(1-s^4)^16: 0.9998 at s = 0.8, 0.64 at s = 0.5, 0.05 at
// s = 0.2; candidates are always checked exactly, so false candidates
// only cost time.
const (
	shingleRunes = 5
	lshBands     = 16
	lshRows      = 4
	minHashes    = lshBands * lshRows
	// maxLeaders bounds the exact comparisons per LSH bucket: each member
	// is compared with at most this many earlier distinct members.
	maxLeaders = 32
)

// minHashParams are fixed (not the user seed): duplicate groups must not
// change with the clustering seed.
var minHashParams = func() (a, b [minHashes]uint64) {
	state := uint64(0x9e3779b97f4a7c15)
	for i := range minHashes {
		a[i] = splitmix(&state) | 1
		b[i] = splitmix(&state)
	}
	return
}

func splitmix(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	z := *state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func mix64(x uint64) uint64 {
	x = (x ^ (x >> 33)) * 0xff51afd7ed558ccd
	x = (x ^ (x >> 33)) * 0xc4ceb9fe1a85ec53
	return x ^ (x >> 33)
}

// shingles returns the sorted, distinct 32-bit hashes of the character
// 5-grams of s (already in shingle form). Texts shorter than five
// characters are one shingle.
func shingles(s string) []uint32 {
	runes := []rune(s)
	if len(runes) == 0 {
		return nil
	}
	var out []uint32
	if len(runes) < shingleRunes {
		return []uint32{hashRunes(runes)}
	}
	out = make([]uint32, 0, len(runes)-shingleRunes+1)
	for i := 0; i+shingleRunes <= len(runes); i++ {
		out = append(out, hashRunes(runes[i:i+shingleRunes]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func hashRunes(rs []rune) uint32 {
	h := fnv.New32a()
	var buf [4]byte
	for _, r := range rs {
		buf[0], buf[1], buf[2], buf[3] = byte(r), byte(r>>8), byte(r>>16), byte(r>>24)
		h.Write(buf[:])
	}
	return h.Sum32()
}

// jaccard of two sorted sets.
func jaccard(a, b []uint32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// unionFind joins documents into groups; the root of a group is always
// its smallest index, i.e. its earliest member when indices are in date
// order.
type unionFind []int32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = int32(i)
	}
	return u
}

func (u unionFind) find(x int32) int32 {
	for u[x] != x {
		u[x] = u[u[x]]
		x = u[x]
	}
	return x
}

func (u unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	u[rb] = ra
}

// nearDuplicateGroups returns, for texts in shingle form listed in date
// order, the index of each text's group representative (its earliest
// member). Identical texts are joined first without hashing.
func nearDuplicateGroups(texts []string) []int32 {
	n := len(texts)
	uf := newUnionFind(n)
	first := make(map[string]int32, n)
	var distinct []int32
	for i, t := range texts {
		if j, ok := first[t]; ok {
			uf.union(j, int32(i))
			continue
		}
		first[t] = int32(i)
		distinct = append(distinct, int32(i))
	}

	sets := make([][]uint32, n)
	sigs := make([][minHashes]uint64, len(distinct))
	a, b := minHashParams()
	parallelFor(len(distinct), func(lo, hi int) {
		for d := lo; d < hi; d++ {
			i := distinct[d]
			sets[i] = shingles(texts[i])
			sig := &sigs[d]
			for h := range sig {
				sig[h] = ^uint64(0)
			}
			for _, s := range sets[i] {
				x := mix64(uint64(s))
				for h := range minHashes {
					if v := x*a[h] + b[h]; v < sig[h] {
						sig[h] = v
					}
				}
			}
		}
	})

	for band := range lshBands {
		buckets := make(map[uint64][]int32, len(distinct))
		var order []uint64
		for d, i := range distinct {
			key := uint64(band) * 0x9e3779b97f4a7c15
			for r := range lshRows {
				key = mix64(key ^ sigs[d][band*lshRows+r])
			}
			if _, ok := buckets[key]; !ok {
				order = append(order, key)
			}
			buckets[key] = append(buckets[key], i)
		}
		for _, key := range order {
			members := buckets[key]
			if len(members) < 2 {
				continue
			}
			var leaders []int32
			for _, m := range members {
				joined := false
				for _, l := range leaders {
					if uf.find(l) == uf.find(m) {
						joined = true
						break
					}
					if jaccard(sets[l], sets[m]) >= duplicateJaccard {
						uf.union(l, m)
						joined = true
						break
					}
				}
				if !joined && len(leaders) < maxLeaders {
					leaders = append(leaders, m)
				}
			}
		}
	}
	reps := make([]int32, n)
	for i := range reps {
		reps[i] = uf.find(int32(i))
	}
	return reps
}
