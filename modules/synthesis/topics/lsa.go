// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Latent semantic analysis: the TF-IDF vectors of short contributions
// share few terms, so cosine between them is mostly zero and k-means
// splits on accidents of wording. Projecting them on the leading singular
// directions of the document-term matrix (terms that occur together) and
// re-normalising is the classic remedy; it raised the NMI of the Pol.is
// known-label test from about 0.35 to the figures in the README.
const (
	lsaDims        = 100
	lsaOversample  = 10
	lsaPowerPasses = 2
	// lsaMaxTerms caps the columns of the decomposition to the most
	// frequent terms: the sketch matrices are terms × 110, and rare terms
	// barely move the leading directions. At 100,000 contributions the
	// kept vocabulary (with bigrams) passes 500,000 terms.
	lsaMaxTerms = 50000
)

// lsa returns unit vectors of dimension at most lsaDims: the documents
// projected on the top singular directions of the matrix whose rows are
// vecs (dim features, a second block from split on: see lsaColumns),
// found by randomised SVD (Halko, Martinsson & Tropp 2011): a
// Gaussian sketch, power passes (subspace iteration), and the
// eigen-decomposition of the small matrix B·Bᵀ where B = Qᵀ·A.
func lsa(vecs []sparse, dim, split int, rng *rand.Rand) [][]float64 {
	n := len(vecs)
	col, ncol := lsaColumns(vecs, dim, split)
	r := min(lsaDims, ncol, n)
	l := min(r+lsaOversample, ncol, n)
	if r < 2 {
		return denseRows(vecs, dim)
	}
	omega := mat.NewDense(ncol, l, nil)
	for i := range ncol {
		for j := range l {
			omega.Set(i, j, rng.NormFloat64())
		}
	}
	y := mulSparse(vecs, col, omega)
	// Subspace iteration: only the document side is re-orthonormalised,
	// so that a single terms × l matrix is alive at a time.
	for range lsaPowerPasses {
		q := orthonormal(y)
		y = mulSparse(vecs, col, mulSparseT(vecs, col, q, ncol))
	}
	q := orthonormal(y)                  // n × l
	bt := mulSparseT(vecs, col, q, ncol) // terms × l, Bᵀ
	bbt := gram(bt)                      // l × l
	var eig mat.EigenSym
	if !eig.Factorize(bbt, true) {
		return denseRows(vecs, dim)
	}
	vals := eig.Values(nil) // ascending
	var u mat.Dense
	eig.VectorsTo(&u)
	// X = Q·U_r·S_r, columns for the r largest eigenvalues.
	proj := mat.NewDense(l, r, nil)
	for c := range r {
		src := l - 1 - c
		s := math.Sqrt(max(vals[src], 0))
		for i := range l {
			proj.Set(i, c, u.At(i, src)*s)
		}
	}
	var x mat.Dense
	x.Mul(q, proj)
	out := make([][]float64, n)
	for i := range n {
		row := make([]float64, r)
		mat.Row(row, i, &x)
		normalize(row)
		out[i] = row
	}
	return out
}

// lsaColumns maps term ids to the columns of the decomposition: in each
// block of features (ids below split, ids from split on), the
// lsaMaxTerms terms in most documents (ties: lower id), -1 for the rest.
// Capping per block keeps a second, denser block (character n-grams)
// from crowding the words out of the columns.
func lsaColumns(vecs []sparse, dim, split int) ([]int32, int) {
	col := make([]int32, dim)
	if split >= dim && dim <= lsaMaxTerms || split < dim && split <= lsaMaxTerms && dim-split <= lsaMaxTerms {
		for t := range col {
			col[t] = int32(t)
		}
		return col, dim
	}
	df := make([]int, dim)
	for _, v := range vecs {
		for _, t := range v.idx {
			df[t]++
		}
	}
	for t := range col {
		col[t] = -1
	}
	ncol := 0
	for _, b := range [][2]int{{0, min(split, dim)}, {min(split, dim), dim}} {
		order := make([]int, 0, b[1]-b[0])
		for t := b[0]; t < b[1]; t++ {
			order = append(order, t)
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(df[b], df[a]) })
		kept := order[:min(len(order), lsaMaxTerms)]
		slices.Sort(kept)
		for _, t := range kept {
			col[t] = int32(ncol)
			ncol++
		}
	}
	return col, ncol
}

// mulSparse returns A·M for A given by rows (n × terms, columns mapped by
// col) and M columns × l.
func mulSparse(vecs []sparse, col []int32, m *mat.Dense) *mat.Dense {
	_, l := m.Dims()
	out := mat.NewDense(len(vecs), l, nil)
	raw := m.RawMatrix()
	parallelFor(len(vecs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := out.RawRowView(i)
			v := vecs[i]
			for p, t := range v.idx {
				c := int(col[t])
				if c < 0 {
					continue
				}
				floats.AddScaled(row, v.val[p], raw.Data[c*raw.Stride:c*raw.Stride+l])
			}
		}
	})
	return out
}

// mulSparseT returns Aᵀ·M (columns × l) for A as in mulSparse and M n × l.
func mulSparseT(vecs []sparse, col []int32, m *mat.Dense, ncol int) *mat.Dense {
	_, l := m.Dims()
	out := mat.NewDense(ncol, l, nil)
	raw := out.RawMatrix()
	for i, v := range vecs {
		src := m.RawRowView(i)
		for p, t := range v.idx {
			c := int(col[t])
			if c < 0 {
				continue
			}
			floats.AddScaled(raw.Data[c*raw.Stride:c*raw.Stride+l], v.val[p], src)
		}
	}
	return out
}

// orthonormal returns an orthonormal basis of the columns of y (thin,
// n × l; gonum's QR would build the full n × n Q). It uses Cholesky QR
// twice (Fukaya et al. 2014): R from the Cholesky factor of yᵀy, then
// Q = y·R⁻¹, repeated once to restore orthogonality lost to rounding; the
// products run on gonum's blocked BLAS. If yᵀy is not positive definite
// (rank-deficient y), it falls back to modified Gram-Schmidt.
func orthonormal(y *mat.Dense) *mat.Dense {
	q := y
	for range 2 {
		next, ok := choleskyQR(q)
		if !ok {
			return gramSchmidt(y)
		}
		q = next
	}
	return q
}

func choleskyQR(y *mat.Dense) (*mat.Dense, bool) {
	_, cols := y.Dims()
	g := gram(y)
	var chol mat.Cholesky
	if !chol.Factorize(g) {
		return nil, false
	}
	var r mat.TriDense
	chol.UTo(&r)
	// Q = y·R⁻¹, computed as the solution of Rᵀ·Qᵀ = yᵀ.
	var rinv mat.TriDense
	if err := rinv.InverseTri(&r); err != nil {
		return nil, false
	}
	q := mat.NewDense(y.RawMatrix().Rows, cols, nil)
	q.Mul(y, &rinv)
	return q, true
}

// gramSchmidt orthonormalises the columns of y by modified Gram-Schmidt
// applied twice; columns that vanish are left zero.
func gramSchmidt(y *mat.Dense) *mat.Dense {
	rows, cols := y.Dims()
	c := make([][]float64, cols)
	for j := range cols {
		c[j] = make([]float64, rows)
		mat.Col(c[j], j, y)
	}
	for range 2 {
		for j := range cols {
			for k := range j {
				floats.AddScaled(c[j], -floatsDot(c[j], c[k]), c[k])
			}
			if floatsDot(c[j], c[j]) < 1e-20 {
				clear(c[j])
				continue
			}
			normalize(c[j])
		}
	}
	out := mat.NewDense(rows, cols, nil)
	for j := range cols {
		out.SetCol(j, c[j])
	}
	return out
}

// gram returns yᵀ·y as a symmetric matrix, summing the outer product of
// each row (contiguous reads; gonum's products with a transposed
// operand took a second here for a 10,000 × 110 matrix).
func gram(y *mat.Dense) *mat.SymDense {
	rows, cols := y.Dims()
	acc := make([][]float64, cols)
	for a := range acc {
		acc[a] = make([]float64, cols)
	}
	for i := range rows {
		r := y.RawRowView(i)
		for a, x := range r {
			if x != 0 {
				floats.AddScaled(acc[a][a:], x, r[a:])
			}
		}
	}
	s := mat.NewSymDense(cols, nil)
	for a := range cols {
		for b := a; b < cols; b++ {
			s.SetSym(a, b, acc[a][b])
		}
	}
	return s
}

// floatsDot is the dot product of two equal-length vectors (SIMD in gonum).
func floatsDot(a, b []float64) float64 {
	return floats.Dot(a, b)
}

// denseRows is the fall-back when there is nothing to reduce.
func denseRows(vecs []sparse, dim int) [][]float64 {
	out := make([][]float64, len(vecs))
	for i, v := range vecs {
		row := make([]float64, dim)
		for p, t := range v.idx {
			row[t] = v.val[p]
		}
		out[i] = row
	}
	return out
}
