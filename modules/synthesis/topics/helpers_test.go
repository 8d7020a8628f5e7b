// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"encoding/csv"
	"os"
	"strconv"
	"testing"
	"time"
)

// loadClimate reads the labelled climate-convention fixture; known maps
// each id to its known topic. The theme is cleared so that all
// contributions form one slice, as the topics have to be found, not read.
func loadClimate(t testing.TB) ([]Contribution, map[string]string) {
	t.Helper()
	f, err := os.Open("testdata/climate_contributions.csv")
	if err != nil {
		t.Fatalf("opening fixture: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("reading fixture: %v", err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var cs []Contribution
	known := map[string]string{}
	for _, r := range rows[1:] {
		date, err := time.Parse(time.RFC3339, r[col["date"]])
		if err != nil {
			t.Fatalf("fixture date %q: %v", r[col["date"]], err)
		}
		supports, _ := strconv.Atoi(r[col["supports"]])
		cs = append(cs, Contribution{
			ID:         r[col["id"]],
			Text:       r[col["text"]],
			Theme:      r[col["theme"]],
			Session:    r[col["session"]],
			Date:       date,
			AuthorType: r[col["author_type"]],
			Supports:   supports,
			Language:   r[col["language"]],
		})
		known[r[col["id"]]] = r[col["known_topic"]]
	}
	return cs, known
}

// pairedNMI is the NMI between two labellings over the ids both hold.
func pairedNMI(a, b map[string]string) float64 {
	var x, y []string
	for id, la := range a {
		if lb, ok := b[id]; ok {
			x = append(x, la)
			y = append(y, lb)
		}
	}
	return NMI(x, y)
}
