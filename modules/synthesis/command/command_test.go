// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixture = "../topics/testdata/climate_contributions.csv"

func TestBuildText(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"build", "--input", fixture, "--seed", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"Synthesis of 157 contributions", "== Theme climat", "share per session", "«", "Time taken:"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	t.Logf("text output (first lines):\n%s", firstLines(s, 25))
}

func TestBuildJSONListsEveryID(t *testing.T) {
	var out bytes.Buffer
	// Flags after the positional file name are accepted too.
	if err := Run(context.Background(), []string{"build", fixture, "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Contributions int `json:"contributions"`
		Themes        []struct {
			Topics []struct {
				Size int      `json:"size"`
				IDs  []string `json:"ids"`
			} `json:"topics"`
			Other *struct {
				IDs []string `json:"ids"`
			} `json:"other"`
		} `json:"themes"`
		ElapsedMS *int64 `json:"elapsed_ms"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	n := 0
	for _, th := range got.Themes {
		for _, tp := range th.Topics {
			if tp.Size != len(tp.IDs) {
				t.Errorf("topic size %d, %d ids", tp.Size, len(tp.IDs))
			}
			n += len(tp.IDs)
		}
		if th.Other != nil {
			n += len(th.Other.IDs)
		}
	}
	if n != got.Contributions || got.ElapsedMS == nil {
		t.Errorf("%d ids listed for %d contributions; elapsed %v", n, got.Contributions, got.ElapsedMS)
	}
}

func TestBuildJSONInputWithDuplicates(t *testing.T) {
	dir := t.TempDir()
	var recs []map[string]any
	for i := range 30 {
		text := "Please stop the ring road widening and fund buses and cycle lanes instead!"
		if i%3 == 0 {
			text = strings.ToUpper(text[:1]) + strings.ToLower(text[1:]) + "."
		}
		recs = append(recs, map[string]any{"id": "d" + string(rune('a'+i)), "text": text, "theme": "mobility", "session": "s1", "date": "2025-01-02"})
	}
	data, _ := json.Marshal(map[string]any{"contributions": recs, "opinion_map": map[string]any{"conversation": "c", "consensus": []map[string]any{{"id": "s1", "text": "Buses matter.", "agree_percent": 90.0, "votes": 30}}}})
	path := filepath.Join(dir, "in.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"build", "--input", path}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Duplicate ×30") || !strings.Contains(out.String(), "Consensus [s1]") {
		t.Errorf("duplicates or opinion map missing:\n%s", out.String())
	}
}

func TestUsageAndErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		ok   bool
	}{
		{"Help", []string{"-h"}, true},
		{"BuildHelp", []string{"build", "-h"}, true},
		{"NoSubcommand", nil, false},
		{"Unknown", []string{"frobnicate"}, false},
		{"NoInput", []string{"build"}, false},
		{"BadFlag", []string{"build", "--nope"}, false},
		{"MissingFile", []string{"build", "--input", "does-not-exist.csv"}, false},
		{"BadExtension", []string{"build", "--input", "command.go"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Run(context.Background(), c.args, &out)
			if c.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if (c.name == "NoSubcommand" || c.name == "Unknown") && !errors.Is(err, ErrUsage) {
				t.Errorf("err = %v, want ErrUsage", err)
			}
			if c.ok && !strings.Contains(out.String(), "usage:") {
				t.Errorf("no usage printed")
			}
		})
	}
}

func TestCSVMissingColumn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(path, []byte("id,theme\n1,hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), []string{"build", "--input", path}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `missing column "text"`) {
		t.Errorf("err = %v", err)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
