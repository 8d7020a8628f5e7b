// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadInput feeds the contributions file of "synthesis build"
// (CSV, or JSON with an optional opinion map) arbitrary bytes, seeded
// with the head of the climate contributions fixture in both formats.
// Reading must not panic, and every contribution read must carry the id
// and text its record had.
func FuzzReadInput(f *testing.F) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		f.Fatal(err)
	}
	if len(data) > 4000 {
		data = data[:bytes.LastIndexByte(data[:4000], '\n')+1]
	}
	f.Add(data, false)
	recs, _, err := parseCSV(data)
	if err != nil || len(recs) == 0 {
		f.Fatalf("the fixture's head does not parse: %v", err)
	}
	js, err := json.Marshal(recs)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(js, true)
	doc, err := json.Marshal(map[string]any{"contributions": recs, "opinion_map": map[string]any{"conversation": "c",
		"consensus": []map[string]any{{"id": "s1", "text": "Buses matter.", "agree_percent": 90.0, "votes": 30}}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc, true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		name := "in.csv"
		if isJSON {
			name = "in.json"
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		in, _, err := readInput(path)
		if err != nil {
			return
		}
		var recs []record
		if isJSON {
			recs, _, err = parseJSON(data)
		} else {
			recs, _, err = parseCSV(data)
		}
		if err != nil || len(recs) != len(in.Contributions) {
			t.Fatalf("read %d contributions, parsed %d records (%v)", len(in.Contributions), len(recs), err)
		}
		for i, r := range recs {
			if c := in.Contributions[i]; c.ID != string(r.ID) || c.Text != r.Text {
				t.Fatalf("contribution %d is %q %q, record %q %q", i, c.ID, c.Text, r.ID, r.Text)
			}
		}
	})
}
