// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import (
	"fmt"
	"math/rand/v2"
)

// GroupStability says how much one group of a result survives resampling.
type GroupStability struct {
	Group int
	// Jaccard is the mean over resamples of the best Jaccard similarity
	// between the group (its members drawn in the resample) and a group of
	// the resample's clustering: 1 when the group always comes back whole.
	Jaccard float64
	// Representative gives, for each of the group's representative
	// statements, the share of resamples in which it was again among the
	// representative statements of the matching group.
	Representative map[int64]float64
}

// Stability bootstraps a result's groups: rounds times it resamples the
// clustered participants with replacement, clusters the resample again
// (base clusters warm-started from res, groups at res's k from a cold start
// as in Compute) and recomputes the representative statements, then
// measures how often each group and each representative statement comes
// back. The map (PCA) is kept fixed: this measures the clustering's and the
// statistics' dependence on who took part, not the projection's. The cost
// is rounds full clusterings plus rounds passes over the votes.
func Stability(m *Matrix, res *Result, rounds int, opts Options) ([]GroupStability, error) {
	opts = opts.withDefaults()
	if len(res.Participants) != len(m.participants) {
		return nil, fmt.Errorf("stability: result has %d participants, matrix %d", len(res.Participants), len(m.participants))
	}
	k := len(res.Groups)
	out := make([]GroupStability, k)
	for g := range out {
		out[g] = GroupStability{Group: g, Representative: map[int64]float64{}}
		for _, r := range res.Groups[g].Representative {
			out[g].Representative[r.StatementID] = 0
		}
	}
	var rows []int
	for r, p := range res.Participants {
		if p.Clustered {
			rows = append(rows, r)
		}
	}
	if k < 2 || len(rows) < 2 || rounds <= 0 {
		for g := range out {
			out[g].Jaccard = 1
		}
		return out, nil
	}
	inMath := make([]bool, len(m.statements))
	for j, s := range m.statements {
		inMath[j] = s.inMath(opts.StrictModeration)
	}
	baseCentres := make([]Point, len(res.BaseClusters))
	for b, bc := range res.BaseClusters {
		baseCentres[b] = bc.Center
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0xb007))
	sample := make([]int, len(rows))
	points := make([]Point, len(rows))
	for round := 0; round < rounds; round++ {
		for i := range sample {
			sample[i] = rows[rng.IntN(len(rows))]
			points[i] = res.Participants[sample[i]].Point
		}
		nb := min(opts.BaseClusters, countDistinct(points, opts.BaseClusters))
		bc, ba := kmeans(points, nil, warmStart(points, nil, baseCentres, nb), baseKMeansIterations)
		sizes := make([]float64, len(bc))
		for _, a := range ba {
			sizes[a]++
		}
		if len(bc) < k {
			continue // too few distinct points to split k ways
		}
		_, ga := groupKMeans(bc, sizes, nil, k, rand.New(rand.NewPCG(opts.Seed+uint64(round)+1, uint64(k))), groupRestarts)
		groupOf := make(map[int]int, len(sample)) // row → resampled group
		for i, r := range sample {
			groupOf[r] = ga[ba[i]]
		}

		// Best-matching resampled group of each original group, by
		// Jaccard similarity over the participants drawn.
		inter := make([][]int, k)
		for g := range inter {
			inter[g] = make([]int, k)
		}
		origSize := make([]int, k)
		newSize := make([]int, k)
		for r, h := range groupOf {
			g := res.Participants[r].Group
			origSize[g]++
			newSize[h]++
			inter[g][h]++
		}
		match := make([]int, k)
		for g := 0; g < k; g++ {
			best, bj := -1, -1.0
			for h := 0; h < k; h++ {
				union := origSize[g] + newSize[h] - inter[g][h]
				j := 0.0
				if union > 0 {
					j = float64(inter[g][h]) / float64(union)
				}
				if j > bj {
					best, bj = h, j
				}
			}
			match[g] = best
			out[g].Jaccard += bj / float64(rounds)
		}

		// Representative statements of the resampled groups, counting
		// every draw of a participant.
		byGroup := make([][]Counts, k)
		for h := range byGroup {
			byGroup[h] = make([]Counts, len(m.statements))
		}
		for _, r := range sample {
			h := groupOf[r]
			for _, e := range m.rows[r] {
				add(&byGroup[h][e.col], e.vote)
			}
		}
		total := make([]Counts, len(m.statements))
		for h := range byGroup {
			for j, c := range byGroup[h] {
				total[j].Agree += c.Agree
				total[j].Disagree += c.Disagree
				total[j].Seen += c.Seen
			}
		}
		reps := make([]map[int64]bool, k)
		for h := 0; h < k; h++ {
			var stats []Repness
			for j, s := range m.statements {
				if inMath[j] {
					stats = append(stats, NewRepness(s.ID, byGroup[h][j], total[j].sub(byGroup[h][j])))
				}
			}
			reps[h] = map[int64]bool{}
			for _, r := range SelectRepresentative(stats) {
				reps[h][r.StatementID] = true
			}
		}
		for g := 0; g < k; g++ {
			for id := range out[g].Representative {
				if reps[match[g]][id] {
					out[g].Representative[id] += 1 / float64(rounds)
				}
			}
		}
	}
	return out, nil
}
