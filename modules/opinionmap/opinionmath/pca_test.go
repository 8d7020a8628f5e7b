// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
	"github.com/polder-civic/polder/modules/opinionmap/polisdata"
)

// TestPCAAgainstDense compares the sparse power iteration with a dense
// eigen-decomposition (gonum) of the mean-imputed, centred matrix built
// explicitly, on a real conversation and on one with rejected statements.
func TestPCAAgainstDense(t *testing.T) {
	for _, name := range []string{"brexit-consensus", "scoop-hivemind.freshwater"} {
		t.Run(name, func(t *testing.T) {
			exp, err := polisdata.ReadDir(realdata.SharedData(t, "polis", name))
			if err != nil {
				t.Fatal(err)
			}
			m, err := exp.Matrix()
			if err != nil {
				t.Fatal(err)
			}
			res, err := opinionmath.Compute(m, nil, opinionmath.Options{})
			if err != nil {
				t.Fatal(err)
			}
			stmts := m.Statements()
			ps := m.Participants()
			nc := len(stmts)
			// Dense matrix: votes, missing entries imputed with the column
			// mean over voters, rejected columns all zero; then centred.
			x := mat.NewDense(len(ps), nc, nil)
			for j, s := range stmts {
				if s.Moderation == opinionmath.Rejected {
					continue
				}
				var sum float64
				n := 0
				for _, p := range ps {
					if v, ok := m.Vote(p, s.ID); ok {
						sum += float64(v)
						n++
					}
				}
				mean := 0.0
				if n > 0 {
					mean = sum / float64(n)
				}
				for i, p := range ps {
					if v, ok := m.Vote(p, s.ID); ok {
						x.Set(i, j, float64(v)-mean)
					}
				}
			}
			var cov mat.SymDense
			cov.SymOuterK(1, x.T())
			var eig mat.EigenSym
			if !eig.Factorize(&cov, true) {
				t.Fatal("eigen-decomposition failed")
			}
			vals := eig.Values(nil) // ascending
			var vecs mat.Dense
			eig.VectorsTo(&vecs)
			for k := 0; k < 2; k++ {
				want := vals[nc-1-k]
				if got := res.PCA.Eigenvalues[k]; math.Abs(got-want) > 1e-6*want {
					t.Errorf("eigenvalue %d = %.9g, dense %.9g", k, got, want)
				}
				var dot float64
				for j := 0; j < nc; j++ {
					dot += vecs.At(j, nc-1-k) * res.PCA.Components[k][j]
				}
				if math.Abs(math.Abs(dot)-1) > 1e-4 {
					t.Errorf("component %d: |cosine| with the dense eigenvector %.6f, want 1", k, math.Abs(dot))
				}
			}
		})
	}
}
