// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import "math/rand/v2"

// unknownPriority is the weight of a statement the last run did not see.
const unknownPriority = 1

// NextStatement draws the next statement to show a participant: one they
// have not voted on, routable (not rejected; accepted only under strict
// moderation), with probability proportional to its priority in the last
// result (unknownPriority for statements newer than it). It returns false
// when nothing is left to show. The draw depends only on rng's state.
func NextStatement(m *Matrix, last *Result, participant int64, rng *rand.Rand, opts Options) (int64, bool) {
	var voted []entry
	if r, ok := m.partIndex[participant]; ok {
		voted = m.rows[r]
	}
	k := 0
	return pickNext(m.statements, func(j int, _ int64) bool {
		// voted is sorted by column: walk it alongside.
		for k < len(voted) && int(voted[k].col) < j {
			k++
		}
		return k < len(voted) && int(voted[k].col) == j
	}, last, rng, opts)
}

// NextStatementOf is NextStatement for one participant without a matrix:
// the statements in matrix order and the participant's votes by
// statement id. The same statements, votes and rng state draw the same
// statement as NextStatement. It is the vote path's: building a matrix
// for each vote allocates more than the draw costs.
func NextStatementOf[V any](statements []Statement, votes map[int64]V, last *Result, rng *rand.Rand, opts Options) (int64, bool) {
	return pickNext(statements, func(_ int, id int64) bool {
		_, ok := votes[id]
		return ok
	}, last, rng, opts)
}

// pickNext draws among the statements not voted on (voted is called once
// per statement, in order) and routable.
func pickNext(statements []Statement, voted func(j int, id int64) bool, last *Result, rng *rand.Rand, opts Options) (int64, bool) {
	prio := map[int64]float64{}
	if last != nil {
		for _, st := range last.Statements {
			prio[st.ID] = st.Priority
		}
	}
	ids := make([]int64, 0, len(statements))
	weights := make([]float64, 0, len(statements))
	for j, s := range statements {
		if voted(j, s.ID) {
			continue
		}
		if !s.routable(opts.StrictModeration) {
			continue
		}
		w, ok := prio[s.ID]
		if !ok {
			w = unknownPriority
			if s.Meta {
				w = metaPriority
			}
		}
		ids = append(ids, s.ID)
		weights = append(weights, w)
	}
	i, ok := WeightedPick(weights, rng)
	if !ok {
		return 0, false
	}
	return ids[i], true
}

// WeightedPick returns an index drawn with probability proportional to its
// weight (negative weights count as 0). When every weight is 0 it draws
// uniformly; it returns false only for an empty slice.
func WeightedPick(weights []float64, rng *rand.Rand) (int, bool) {
	if len(weights) == 0 {
		return 0, false
	}
	var total float64
	for _, w := range weights {
		if w > 0 {
			total += w
		}
	}
	if total == 0 {
		return rng.IntN(len(weights)), true
	}
	x := rng.Float64() * total
	last := 0
	for i, w := range weights {
		if w <= 0 {
			continue
		}
		last = i
		if x < w {
			return i, true
		}
		x -= w
	}
	return last, true
}
