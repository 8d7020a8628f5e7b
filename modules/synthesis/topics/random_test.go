// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestRandomInputsNeverPanic builds syntheses of many small random inputs
// (tiny vocabularies, repeated texts, empty texts, mixed themes) and
// checks that every contribution is accounted for once.
func TestRandomInputsNeverPanic(t *testing.T) {
	vocab := []string{"bus", "tram", "the", "de", "vélo", "fiets", "trees", "arbres", "<b>", "http://x.y", "!!", "123", "park", "parc", "noise", "bruit"}
	rng := rand.New(rand.NewPCG(1, 2))
	rounds := 150
	if testing.Short() {
		rounds = 40
	}
	clustered := 0
	for round := range rounds {
		n := rng.IntN(120)
		var cs []Contribution
		for i := range n {
			words := make([]string, rng.IntN(12))
			for w := range words {
				words[w] = vocab[rng.IntN(len(vocab))]
			}
			cs = append(cs, Contribution{
				ID:       fmt.Sprintf("r%d", i),
				Text:     strings.Join(words, " "),
				Theme:    []string{"", "a", "b"}[rng.IntN(3)],
				Session:  []string{"", "s1", "s2"}[rng.IntN(3)],
				Language: []string{"", "", "", "en", "fr", "nl", "xx"}[rng.IntN(7)],
				Supports: rng.IntN(5),
			})
		}
		syn, err := Build(context.Background(), Input{Contributions: cs, Seed: uint64(round)})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, th := range syn.Themes {
			if len(th.Topics) > 0 {
				clustered++
			}
		}
		seen := map[string]bool{}
		for _, l := range syn.LeftOut {
			seen[l.ID] = true
		}
		for _, th := range syn.Themes {
			for _, tp := range append(th.Topics, otherOrEmpty(th)...) {
				if tp.Size != len(tp.IDs) {
					t.Fatalf("round %d: size %d, %d ids", round, tp.Size, len(tp.IDs))
				}
				for _, id := range tp.IDs {
					if seen[id] {
						t.Fatalf("round %d: %s listed twice", round, id)
					}
					seen[id] = true
				}
			}
		}
		if len(seen) != n {
			t.Fatalf("round %d: %d of %d contributions accounted for", round, len(seen), n)
		}
	}
	t.Logf("%d rounds, %d themes clustered into topics", rounds, clustered)
	if clustered == 0 {
		t.Error("no random input reached the clustering")
	}
}
