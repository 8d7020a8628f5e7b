// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"math"
	"math/rand/v2"
)

// chooseK picks the number of topics: the cut of the consensus tree in
// minK..maxK with the best silhouette (cosine, on the LSA vectors of the
// sample), returned with that silhouette. It is a variable so that the
// quality benchmark can measure other criteria on the same tree; the
// stability criteria measured there (Lange et al. 2004, Monti et al.
// 2003 / PAC, the gap statistic, Fred & Jain's lifetime) picked worse k
// on every labelled set (README, "Choosing k").
var chooseK = silhouetteK

func silhouetteK(sample, sim [][]float64, merges []merge, minK, maxK int, _ *rand.Rand) (int, float64) {
	n := len(sample)
	bestK, bestS := minK, math.Inf(-1)
	for k := minK; k <= maxK; k++ {
		if s := silhouette(sim, cutTree(n, merges, k), k); s > bestS {
			bestK, bestS = k, s
		}
	}
	return bestK, bestS
}
