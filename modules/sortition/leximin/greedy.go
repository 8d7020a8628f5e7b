// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// ErrGreedyStuck is returned when the greedy algorithm keeps reaching dead
// ends.
var ErrGreedyStuck = errors.New("greedy selection keeps reaching dead ends")

// GreedyResult holds selection probabilities of the greedy algorithm
// estimated by simulation.
type GreedyResult struct {
	Probabilities []float64
	Minimum       float64
	Draws         int
	// Restarts counts the dead ends over all draws.
	Restarts int
}

// greedyState is the bookkeeping of one greedy draw: for every value the
// volunteers still available who have it, kept as swap-remove lists so a
// uniform pick and a removal are O(1).
type greedyState struct {
	p        *Pool
	off      []int
	lists    [][]int // per flat value: available volunteers
	pos      [][]int // per category: position of volunteer in its value's list
	all      []int
	allPos   []int
	avail    []bool
	selected []int // per flat value
	homes    map[string][]int
}

func newGreedyState(p *Pool, households bool) *greedyState {
	g := &greedyState{p: p, off: p.valueOffsets()}
	g.lists = make([][]int, p.numValues())
	g.pos = make([][]int, len(p.Categories))
	for c := range g.pos {
		g.pos[c] = make([]int, len(p.Volunteers))
	}
	g.allPos = make([]int, len(p.Volunteers))
	g.avail = make([]bool, len(p.Volunteers))
	g.selected = make([]int, p.numValues())
	if households {
		g.homes = map[string][]int{}
		for i, v := range p.Volunteers {
			if v.Household != "" {
				g.homes[v.Household] = append(g.homes[v.Household], i)
			}
		}
	}
	return g
}

func (g *greedyState) reset() {
	for v := range g.lists {
		g.lists[v] = g.lists[v][:0]
	}
	g.all = g.all[:0]
	clear(g.selected)
	for i, vol := range g.p.Volunteers {
		g.avail[i] = true
		g.allPos[i] = len(g.all)
		g.all = append(g.all, i)
		for c, f := range vol.Features {
			fv := g.off[c] + f
			g.pos[c][i] = len(g.lists[fv])
			g.lists[fv] = append(g.lists[fv], i)
		}
	}
}

func (g *greedyState) remove(i int) {
	if !g.avail[i] {
		return
	}
	g.avail[i] = false
	last := g.all[len(g.all)-1]
	g.all[g.allPos[i]] = last
	g.allPos[last] = g.allPos[i]
	g.all = g.all[:len(g.all)-1]
	for c, f := range g.p.Volunteers[i].Features {
		fv := g.off[c] + f
		l := g.lists[fv]
		last := l[len(l)-1]
		l[g.pos[c][i]] = last
		g.pos[c][last] = g.pos[c][i]
		g.lists[fv] = l[:len(l)-1]
	}
}

// draw runs one greedy attempt; ok is false at a dead end.
func (g *greedyState) draw(k int, rng *rand.Rand, panel []int) ([]int, bool) {
	g.reset()
	panel = panel[:0]
	for len(panel) < k {
		// The most urgent value: the largest share of its remaining
		// available volunteers still needed to reach its lower quota.
		best, bestRatio := -1, 0.0
		for c, cat := range g.p.Categories {
			for f, q := range cat.Values {
				fv := g.off[c] + f
				need := q.Min - g.selected[fv]
				if need <= 0 {
					continue
				}
				avail := len(g.lists[fv])
				if avail < need {
					return panel, false
				}
				if r := float64(need) / float64(avail); r > bestRatio {
					best, bestRatio = fv, r
				}
			}
		}
		var from []int
		if best >= 0 {
			from = g.lists[best]
		} else {
			from = g.all
		}
		if len(from) == 0 {
			return panel, false
		}
		i := from[rng.IntN(len(from))]
		panel = append(panel, i)
		g.remove(i)
		vol := g.p.Volunteers[i]
		if g.homes != nil && vol.Household != "" {
			for _, h := range g.homes[vol.Household] {
				g.remove(h)
			}
		}
		for c, f := range vol.Features {
			fv := g.off[c] + f
			g.selected[fv]++
			if g.selected[fv] >= g.p.Categories[c].Values[f].Max {
				for len(g.lists[fv]) > 0 {
					g.remove(g.lists[fv][0])
				}
			}
		}
	}
	for c, cat := range g.p.Categories {
		for f, q := range cat.Values {
			if g.selected[g.off[c]+f] < q.Min {
				return panel, false
			}
		}
	}
	return panel, true
}

// maxGreedyRestarts bounds the dead ends tolerated for one panel.
const maxGreedyRestarts = 10000

// GreedyPanel draws one panel with the greedy ("legacy") algorithm used
// by sortition organisations before LEXIMIN: fill the panel one volunteer
// at a time, each drawn uniformly among the available volunteers having the
// value whose lower quota is most urgent (needed / still available); once
// every lower quota is met, draw uniformly among all available; drop the
// volunteers of a value whose upper quota is reached; restart on a dead
// end. It returns the panel and the number of restarts.
func GreedyPanel(p *Pool, k int, households bool, rng *rand.Rand) ([]int, int, error) {
	if err := Check(p, k, households); err != nil {
		return nil, 0, err
	}
	g := newGreedyState(p, households)
	panel := make([]int, 0, k)
	for restarts := 0; restarts < maxGreedyRestarts; restarts++ {
		var ok bool
		panel, ok = g.draw(k, rng, panel)
		if ok {
			return append([]int(nil), panel...), restarts, nil
		}
	}
	return nil, maxGreedyRestarts, ErrGreedyStuck
}

// Greedy estimates the greedy algorithm's selection probabilities from the
// given number of simulated draws, seeded for reproducibility.
func Greedy(p *Pool, k int, households bool, draws int, seed uint64) (*GreedyResult, error) {
	if err := Check(p, k, households); err != nil {
		return nil, err
	}
	if draws <= 0 {
		return nil, fmt.Errorf("greedy: %d draws", draws)
	}
	rng := rand.New(rand.NewPCG(seed, 0x9eed))
	g := newGreedyState(p, households)
	hits := make([]int, len(p.Volunteers))
	res := &GreedyResult{Draws: draws}
	panel := make([]int, 0, k)
	for d := 0; d < draws; d++ {
		ok := false
		for tries := 0; !ok; tries++ {
			if tries >= maxGreedyRestarts {
				return nil, fmt.Errorf("draw %d: %w", d+1, ErrGreedyStuck)
			}
			panel, ok = g.draw(k, rng, panel)
			if !ok {
				res.Restarts++
			}
		}
		for _, i := range panel {
			hits[i]++
		}
	}
	res.Probabilities = make([]float64, len(hits))
	res.Minimum = math.Inf(1)
	for i, h := range hits {
		res.Probabilities[i] = float64(h) / float64(draws)
		res.Minimum = math.Min(res.Minimum, res.Probabilities[i])
	}
	return res, nil
}
