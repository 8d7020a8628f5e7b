// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
)

func TestOutcomeText(t *testing.T) {
	file := realdata.SharedData(t, "pabulib", "Netherlands_Assen_2024.pb")
	var out bytes.Buffer
	// Flags after the file, as the brief's usage line shows.
	if err := Run(context.Background(), []string{"outcome", file, "--rule", "mes", "--comparison"}, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	t.Log("\n" + s)
	for _, want := range []string{
		"share per voter: 1190 → 2033",
		"funded 9 projects: 3, 9, 2, 11, 13, 14, 5, 6, 12",
		"total cost 76700 of 100000",
		"comparison:",
		"time taken:",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestOutcomeJSONGreedyDecimal(t *testing.T) {
	file := realdata.SharedData(t, "pabulib", "Poland_Warszawa_2019_Przyczolek_Grochowski.pb")
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"outcome", "--json", file, "--rule=greedy"}, &out); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Budget    string   `json:"budget"`
		Funded    []string `json:"funded"`
		TotalCost string   `json:"total_cost"`
		Seconds   float64  `json:"seconds"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	// The budget has decimals: money is printed in currency units.
	if rep.Budget != "114339.91" || len(rep.Funded) == 0 || rep.Seconds <= 0 {
		t.Fatalf("%+v", rep)
	}
}

func TestUsageAndErrors(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"-h"}, &out); err != nil || !strings.Contains(out.String(), "usage:") {
		t.Fatalf("help: %v %q", err, out.String())
	}
	if err := Run(context.Background(), []string{"frobnicate"}, &out); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
	if err := Run(context.Background(), []string{"outcome"}, &out); err == nil {
		t.Fatal("missing file accepted")
	}
	if err := Run(context.Background(), []string{"outcome", "x.pb", "--utility", "joy"}, &out); err == nil {
		t.Fatal("unknown utility accepted")
	}
	err := Run(context.Background(), []string{"outcome", "/nonexistent/x.pb"}, &out)
	if err == nil || !strings.Contains(err.Error(), "x.pb") {
		t.Fatalf("missing file error %v", err)
	}
}

func TestOutcomeCumulative(t *testing.T) {
	file := realdata.SharedData(t, "pabulib", "Switzerland_Zurich_D10.pb")
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"outcome", file, "--completion", "none"}, &out); err != nil {
		t.Fatal(err)
	}
	// Cardinal ballots: ρ is a price per point, reported per project.
	if s := out.String(); !strings.Contains(s, "completion none") || !strings.Contains(s, "funded ") {
		t.Fatalf("unexpected output:\n%s", s)
	}
}
