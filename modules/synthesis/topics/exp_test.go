// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
	"fmt"
	"testing"
)

func TestExpK(t *testing.T) {
	cs, known := loadPolis(t)
	lsaDimsVar = 40
	syn, _ := Build(context.Background(), Input{Contributions: cs, Seed: 1, MaxTopics: 6})
	convs := polisConversations[:6]
	for _, tp := range append(syn.Themes[0].Topics, *syn.Themes[0].Other) {
		row := ""
		for _, c := range convs {
			n := 0
			for _, id := range tp.IDs {
				if known[id] == c {
					n++
				}
			}
			row += fmt.Sprintf("%5d", n)
		}
		t.Logf("%s   %s", row, tp.Label)
	}
}
