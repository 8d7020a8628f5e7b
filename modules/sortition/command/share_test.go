// SPDX-License-Identifier: AGPL-3.0-or-later

package command_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/sortition/command"
	"github.com/polder-civic/polder/modules/sortition/lottery"
)

// A categories file with target shares is converted for --size: the
// record publishes the seat bounds, the panel keeps them, and the record
// verifies.
func TestSelectShareCategories(t *testing.T) {
	_, resp := smallArgs(t)
	dir := t.TempDir()
	cats := filepath.Join(dir, "shares.csv")
	// For 20 seats: 45% ±1 → 8..10, 55% ±1 → 10..12, 50% ±0 → 10..10.
	shares := "category,feature,share,tolerance\ngender,female,45%,1\ngender,male,0.55,1\nleaning,liberal,50%,0\nleaning,conservative,0.5,0\n"
	if err := os.WriteFile(cats, []byte(shares), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(dir, "record.json")
	var out bytes.Buffer
	args := []string{"select", "--categories", cats, "--respondents", resp, "--size", "20", "--seed", "dice 4 2 5", "--json", "--greedy-draws", "0", "--record", rec}
	if err := command.Run(context.Background(), args, &out); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	var r lottery.Record
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range r.Quotas {
		got = append(got, fmt.Sprintf("%s=%s:%d..%d", q.Category, q.Value, q.Min, q.Max))
	}
	want := "gender=female:8..10 gender=male:10..12 leaning=liberal:10..10 leaning=conservative:10..10"
	if strings.Join(got, " ") != want {
		t.Fatalf("record quotas %s, want %s", strings.Join(got, " "), want)
	}
	feat := map[string][]string{}
	for _, m := range r.Pool {
		feat[m.ID] = m.Features
	}
	counts := map[string]int{}
	for _, id := range r.Selected {
		for c, v := range feat[id] {
			counts[r.Categories[c]+"="+v]++
		}
	}
	if len(r.Selected) != 20 {
		t.Fatalf("%d selected, want 20", len(r.Selected))
	}
	for _, q := range r.Quotas {
		if n := counts[q.Category+"="+q.Value]; n < q.Min || n > q.Max {
			t.Errorf("%s=%s: %d on the panel, quota %d..%d", q.Category, q.Value, n, q.Min, q.Max)
		}
	}
	if err := command.Run(context.Background(), []string{"verify", rec}, &bytes.Buffer{}); err != nil {
		t.Fatalf("verify: %v", err)
	}

	// A share table error names the file and the row.
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("category,feature,share,tolerance\ngender,female,60%,1\ngender,male,0.55,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = command.Run(context.Background(), []string{"select", "--categories", bad, "--respondents", resp, "--size", "20"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "bad.csv line 3") || !strings.Contains(err.Error(), "over 100%") {
		t.Fatalf("shares over 100%%: %v", err)
	}
}
