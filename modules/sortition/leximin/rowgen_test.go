// SPDX-License-Identifier: AGPL-3.0-or-later

package leximin

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Row generation (starting the master LP with only some type rows) must
// not change the result: force a tiny starting set on pools with many
// types and compare with the all-rows computation.
func TestRowGenerationSameResult(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for inst := 0; inst < 4; inst++ {
		p := &Pool{}
		for c := 0; c < 3; c++ {
			cat := Category{Name: fmt.Sprint("c", c)}
			for v := 0; v < 3; v++ {
				cat.Values = append(cat.Values, Quota{Value: fmt.Sprint("v", v), Min: 1, Max: 4})
			}
			p.Categories = append(p.Categories, cat)
		}
		for i := 0; i < 60; i++ {
			v := Volunteer{ID: fmt.Sprint(i)}
			for c := 0; c < 3; c++ {
				v.Features = append(v.Features, min(2, rng.IntN(4)))
			}
			p.Volunteers = append(p.Volunteers, v)
		}
		k := 8
		full, err := Solve(context.Background(), p, k, Options{})
		if err != nil {
			t.Fatal(err)
		}
		saved := initialActiveRows
		initialActiveRows = 2
		part, err := Solve(context.Background(), p, k, Options{})
		initialActiveRows = saved
		if err != nil {
			t.Fatal(err)
		}
		for i := range full.Probabilities {
			if math.Abs(full.Probabilities[i]-part.Probabilities[i]) > 1e-6 {
				t.Fatalf("instance %d volunteer %d: %v with all rows, %v with row generation", inst, i, full.Probabilities[i], part.Probabilities[i])
			}
		}
		t.Logf("instance %d: %d types, min %.4f, stages %d", inst, len(full.TypeMembers), full.Minimum, full.Stages)
	}
}
