// SPDX-License-Identifier: AGPL-3.0-or-later

package command_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/sortition/command"
)

func smallArgs(t *testing.T) (string, string) {
	dir := realdata.SharedData(t, "sortition", "citizensassemblies-replication", "example_small_20")
	return filepath.Join(dir, "categories.csv"), filepath.Join(dir, "respondents.csv")
}

type report struct {
	Minimum       float64  `json:"minimum_probability"`
	Support       int      `json:"panels_in_support"`
	GreedyMinimum float64  `json:"greedy_minimum_probability"`
	Panel         []string `json:"panel"`
	Index         int      `json:"index"`
	Probabilities []struct {
		ID      string  `json:"id"`
		Leximin float64 `json:"leximin"`
	} `json:"probabilities"`
}

func runSelect(t *testing.T, extra ...string) (report, string) {
	t.Helper()
	cats, resp := smallArgs(t)
	rec := filepath.Join(t.TempDir(), "record.json")
	args := append([]string{"select", "--categories", cats, "--respondents", resp, "--size", "20", "--json", "--greedy-draws", "2000", "--record", rec}, extra...)
	var out bytes.Buffer
	if err := command.Run(context.Background(), args, &out); err != nil {
		t.Fatal(err)
	}
	var r report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("decoding %s: %v", out.String(), err)
	}
	return r, rec
}

func TestSelectJSONAndVerify(t *testing.T) {
	r, rec := runSelect(t, "--secret", "s3cret", "--public", "lottery 2026-11-24 7 12 33")
	if math.Abs(r.Minimum-0.1) > 1e-6 || len(r.Panel) != 20 || len(r.Probabilities) != 200 {
		t.Fatalf("minimum %v, panel %d, probabilities %d", r.Minimum, len(r.Panel), len(r.Probabilities))
	}
	if r.Probabilities[0].ID != "1" || r.Probabilities[199].ID != "200" {
		t.Fatalf("ids %q..%q, want row numbers", r.Probabilities[0].ID, r.Probabilities[199].ID)
	}
	if r.GreedyMinimum >= r.Minimum {
		t.Errorf("greedy minimum %v not below leximin %v", r.GreedyMinimum, r.Minimum)
	}
	// same inputs → same panel
	r2, _ := runSelect(t, "--secret", "s3cret", "--public", "lottery 2026-11-24 7 12 33")
	if strings.Join(r.Panel, ",") != strings.Join(r2.Panel, ",") {
		t.Fatal("same inputs, different panels")
	}
	var out bytes.Buffer
	if err := command.Run(context.Background(), []string{"verify", rec}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Record verified") || !strings.Contains(out.String(), "Time taken") {
		t.Fatalf("verify output: %s", out.String())
	}
	// the verified panel is the record's selected panel
	var recJSON struct {
		Index    int      `json:"index"`
		Selected []string `json:"selected"`
	}
	raw, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &recJSON); err != nil {
		t.Fatal(err)
	}
	if recJSON.Index != r.Index || !strings.Contains(out.String(), strings.Join(recJSON.Selected, " ")) {
		t.Fatalf("verify printed %s, record index %d selected %v", out.String(), recJSON.Index, recJSON.Selected)
	}
	// tamper: change the revealed secret
	bad := bytes.Replace(raw, []byte(`"s3cret"`), []byte(`"s3cres"`), 1)
	badPath := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badPath, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := command.Run(context.Background(), []string{"verify", badPath}, &bytes.Buffer{}); err == nil {
		t.Fatal("tampered record verified")
	}
}

func TestSelectText(t *testing.T) {
	cats, resp := smallArgs(t)
	var out bytes.Buffer
	// flags after the subcommand in any order, seed from dice
	err := command.Run(context.Background(), []string{"select", "--size", "20", "--seed", "dice 3 1 6", "--categories", cats, "--respondents", resp, "--greedy-draws", "1000"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"LEXIMIN: minimum probability 0.100000", "panels in support", "Greedy baseline (1000 simulated draws)", "Panel (20 members)", "Selection probabilities", "Time taken"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q", w)
		}
	}
}

func TestUsageAndErrors(t *testing.T) {
	var out bytes.Buffer
	if err := command.Run(context.Background(), []string{"frobnicate"}, &out); !errors.Is(err, command.ErrUsage) || !strings.Contains(out.String(), "usage:") {
		t.Fatalf("unknown subcommand: %v, output %q", err, out.String())
	}
	if err := command.Run(context.Background(), []string{"-h"}, &out); err != nil {
		t.Fatal(err)
	}
	cats, resp := smallArgs(t)
	err := command.Run(context.Background(), []string{"select", "--categories", cats, "--respondents", resp, "--size", "500"}, &out)
	if err == nil || !strings.Contains(err.Error(), "larger than the pool") {
		t.Fatalf("panel larger than pool: %v", err)
	}
	badCSV := filepath.Join(t.TempDir(), "r.csv")
	if err := os.WriteFile(badCSV, []byte("gender,leaning\nfemale,liberal\nfemale,green\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = command.Run(context.Background(), []string{"select", "--categories", cats, "--respondents", badCSV, "--size", "1"}, &out)
	if err == nil || !strings.Contains(err.Error(), `line 3, column "leaning": unknown value "green"`) {
		t.Fatalf("bad CSV: %v", err)
	}
	var c bytes.Buffer
	if err := command.Run(context.Background(), []string{"commit", "--secret", "abc"}, &c); err != nil || !strings.HasPrefix(c.String(), "ba7816bf") {
		t.Fatalf("commit: %v %q", err, c.String())
	}
}
