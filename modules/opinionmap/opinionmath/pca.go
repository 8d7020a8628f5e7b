// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import (
	"math"
	"math/rand/v2"
	"sync"
)

// PCA is the two-component projection of one run.
type PCA struct {
	// StatementIDs names the columns of Center and Components, so that a
	// later run with more statements can pad the warm start.
	StatementIDs []int64
	// Center is each column's mean over the participants who voted on it
	// (passes count as 0); 0 for columns left out of the math.
	Center []float64
	// Components are the two unit principal axes.
	Components [2][]float64
	// Eigenvalues are the variances along the components (sum of squares
	// of the centred matrix along each axis).
	Eigenvalues [2]float64
	// Iterations is the number of power iterations run.
	Iterations int
}

const (
	pcaMaxIterations = 100
	// pcaTolerance is the relative change of both eigenvalue estimates
	// below which the iteration stops.
	pcaTolerance = 1e-10
	// parallelChunks is fixed (not the number of CPUs) so that the order of
	// floating-point sums, hence the result, does not depend on the machine.
	parallelChunks = 8
)

// columnStats returns each column's mean over its voters.
func columnStats(m *Matrix, inMath []bool) (mean []float64) {
	nc := len(m.statements)
	sum := make([]float64, nc)
	cnt := make([]int, nc)
	for _, row := range m.rows {
		for _, e := range row {
			if inMath[e.col] {
				sum[e.col] += float64(e.vote)
				cnt[e.col]++
			}
		}
	}
	mean = make([]float64, nc)
	for j := range mean {
		if cnt[j] > 0 {
			mean[j] = sum[j] / float64(cnt[j])
		}
	}
	return mean
}

// chunkBounds splits n rows into parallelChunks contiguous ranges.
func chunkBounds(n int) [][2]int {
	out := make([][2]int, 0, parallelChunks)
	for c := 0; c < parallelChunks; c++ {
		lo, hi := n*c/parallelChunks, n*(c+1)/parallelChunks
		out = append(out, [2]int{lo, hi})
	}
	return out
}

// sequentialVotes is the number of votes under which gramApply does not
// start goroutines.
const sequentialVotes = 16384

// gramApply computes w_k = Xᵀ X v_k for both vectors in one pass over the
// rows, where X is the mean-imputed centred matrix: X_ij = vote − mean_j
// where i voted on j, and exactly 0 elsewhere (the imputed value is the
// mean itself). xs holds X's entries row by row, in the order of m's rows
// (0 for the votes on statements out of the math, which then add nothing:
// +0 plus ±0 is +0). Chunks run in parallel and are summed in a fixed
// order.
func gramApply(m *Matrix, xs [][]float64, nc int, v [2][]float64, bounds [][2]int, partial [][2][]float64) [2][]float64 {
	chunk := func(c int, lo, hi int) {
		w0, w1 := partial[c][0], partial[c][1]
		clear(w0)
		clear(w1)
		v0, v1 := v[0], v[1]
		for r := lo; r < hi; r++ {
			row, x := m.rows[r], xs[r]
			var s0, s1 float64
			for i, e := range row {
				s0 += x[i] * v0[e.col]
				s1 += x[i] * v1[e.col]
			}
			if s0 == 0 && s1 == 0 {
				continue
			}
			for i, e := range row {
				w0[e.col] += x[i] * s0
				w1[e.col] += x[i] * s1
			}
		}
	}
	// Small matrices run the same chunks one after the other, with the
	// same sums: below some 2,000 votes a chunk, starting goroutines costs
	// about what it saves (a 1 s replay multiplies small matrices tens of
	// thousands of times).
	if m.nnz < sequentialVotes {
		for c, b := range bounds {
			chunk(c, b[0], b[1])
		}
	} else {
		var wg sync.WaitGroup
		for c, b := range bounds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				chunk(c, b[0], b[1])
			}()
		}
		wg.Wait()
	}
	out := [2][]float64{make([]float64, nc), make([]float64, nc)}
	for c := range bounds {
		for k := 0; k < 2; k++ {
			for j, x := range partial[c][k] {
				out[k][j] += x
			}
		}
	}
	return out
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func normalize(a []float64) float64 {
	n := math.Sqrt(dot(a, a))
	if n > 0 {
		for i := range a {
			a[i] /= n
		}
	}
	return n
}

// orthogonalize removes from b its component along the unit vector a.
func orthogonalize(b, a []float64) {
	d := dot(a, b)
	for i := range b {
		b[i] -= d * a[i]
	}
}

// computePCA finds the two principal components of the mean-imputed,
// centred matrix by simultaneous power iteration on XᵀX: both vectors are
// multiplied in the same pass over the votes, then the second is
// orthogonalised against the first (which is deflating the first component
// out of it). The start vectors are the previous run's components (padded
// with zeros for new statements) or, on a cold start, pseudo-random vectors
// drawn from seed.
func computePCA(m *Matrix, inMath []bool, mean []float64, prev *PCA, seed uint64) PCA {
	nc := len(m.statements)
	ids := make([]int64, nc)
	for j, s := range m.statements {
		ids[j] = s.ID
	}
	res := PCA{StatementIDs: ids, Center: mean}

	var start [2][]float64
	if prev != nil {
		start = prev.padded(ids)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6f70696e696f6e))
	for k := 0; k < 2; k++ {
		if start[k] == nil {
			start[k] = make([]float64, nc)
		}
		for j := range start[k] {
			if !inMath[j] {
				start[k][j] = 0
			}
		}
		if dot(start[k], start[k]) == 0 {
			for j := range start[k] {
				if inMath[j] {
					start[k][j] = rng.Float64()*2 - 1
				}
			}
		}
	}
	v := start
	normalize(v[0])
	orthogonalize(v[1], v[0])
	if normalize(v[1]) == 0 {
		// The warm start gave two parallel vectors: restart the second.
		for j := range v[1] {
			if inMath[j] {
				v[1][j] = rng.Float64()*2 - 1
			}
		}
		orthogonalize(v[1], v[0])
		normalize(v[1])
	}

	// The centred entries are the same in every iteration: computed once
	// (8 bytes a vote), not in each pass.
	flat := make([]float64, 0, m.NumVotes())
	xs := make([][]float64, len(m.rows))
	for r, row := range m.rows {
		lo := len(flat)
		for _, e := range row {
			x := 0.0
			if inMath[e.col] {
				x = float64(e.vote) - mean[e.col]
			}
			flat = append(flat, x)
		}
		xs[r] = flat[lo:len(flat):len(flat)]
	}
	bounds := chunkBounds(len(m.rows))
	partial := make([][2][]float64, len(bounds))
	for c := range partial {
		partial[c] = [2][]float64{make([]float64, nc), make([]float64, nc)}
	}
	var lambda [2]float64
	for it := 1; it <= pcaMaxIterations; it++ {
		w := gramApply(m, xs, nc, v, bounds, partial)
		var next [2]float64
		next[0] = normalize(w[0])
		orthogonalize(w[1], w[0])
		next[1] = normalize(w[1])
		res.Iterations = it
		done := it > 1 && math.Abs(next[0]-lambda[0]) <= pcaTolerance*next[0] &&
			math.Abs(next[1]-lambda[1]) <= pcaTolerance*math.Max(next[1], 1e-300)
		lambda = next
		if next[0] == 0 {
			// No variance at all: keep zero components.
			w[0], w[1] = make([]float64, nc), make([]float64, nc)
			v = w
			break
		}
		v = w
		if done {
			break
		}
	}
	res.Components = v
	res.Eigenvalues = lambda
	fixSigns(&res, prev)
	return res
}

// padded returns the components re-indexed on ids (zeros for statements
// this PCA did not know).
func (p *PCA) padded(ids []int64) [2][]float64 {
	pos := make(map[int64]int, len(p.StatementIDs))
	for j, id := range p.StatementIDs {
		pos[id] = j
	}
	var out [2][]float64
	for k := 0; k < 2; k++ {
		out[k] = make([]float64, len(ids))
		if len(p.Components[k]) != len(p.StatementIDs) {
			continue
		}
		for j, id := range ids {
			if i, ok := pos[id]; ok {
				out[k][j] = p.Components[k][i]
			}
		}
	}
	return out
}

// fixSigns orients each component: along the previous run's component when
// there is one (so the map does not flip between runs), otherwise so that
// its largest entry in absolute value (lowest index on ties) is positive.
func fixSigns(p *PCA, prev *PCA) {
	var ref [2][]float64
	if prev != nil {
		ref = prev.padded(p.StatementIDs)
	}
	for k := 0; k < 2; k++ {
		c := p.Components[k]
		flip := false
		if ref[k] != nil && dot(ref[k], c) != 0 {
			flip = dot(ref[k], c) < 0
		} else {
			best := 0.0
			for _, x := range c {
				if math.Abs(x) > math.Abs(best) {
					best = x
				}
			}
			flip = best < 0
		}
		if flip {
			for j := range c {
				c[j] = -c[j]
			}
		}
	}
}

// project returns a participant's sparsity-aware position: the sum over the
// statements they voted on of (vote − centre) · component, scaled by
// sqrt(n_statements / max(n_votes, 1)) so that people who voted on few
// statements are not all squashed at the centre.
//
// Columns left out of the math are zeroed, not emptied: every participant
// holds a 0 there. They add nothing to the sums (their centre and
// components are 0) but they count in n_statements and in every
// participant's n_votes, which damps the scaling of conversations with many
// rejected statements. (This is also what Pol.is's zeroed columns do.)
func (p *PCA) project(m *Matrix, inMath []bool, colOf []int, nZeroed int, r int) (x, y float64, votes int) {
	for _, e := range m.rows[r] {
		if !inMath[e.col] {
			continue
		}
		j := colOf[e.col]
		votes++
		if j < 0 {
			continue
		}
		d := float64(e.vote) - p.Center[j]
		x += d * p.Components[0][j]
		y += d * p.Components[1][j]
	}
	scale := sparsityScale(len(m.statements), votes+nZeroed)

	return x * scale, y * scale, votes
}

// sparsityScale is sqrt(n_statements / max(n_votes, 1)).
func sparsityScale(nStatements, nVotes int) float64 {
	return math.Sqrt(float64(nStatements) / float64(max(nVotes, 1)))
}

// columnMap maps the matrix's columns onto this PCA's columns (−1 for
// statements it does not know, which then contribute nothing).
func (p *PCA) columnMap(m *Matrix) []int {
	pos := make(map[int64]int, len(p.StatementIDs))
	for j, id := range p.StatementIDs {
		pos[id] = j
	}
	out := make([]int, len(m.statements))
	for c, s := range m.statements {
		if j, ok := pos[s.ID]; ok {
			out[c] = j
		} else {
			out[c] = -1
		}
	}
	return out
}
