// SPDX-License-Identifier: AGPL-3.0-or-later

package command_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/opinionmap/command"
)

func TestAnalyzeText(t *testing.T) {
	dir := realdata.SharedData(t, "polis", "brexit-consensus")
	var out bytes.Buffer
	// The flag comes after the folder: flags may follow positionals.
	if err := command.Run(context.Background(), []string{"analyze", dir, "--seed", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"participants clustered", "Group 0", "representative statements", "Consensus, agree", "Divisive", "Participants (participant → group)", "Time:", "adjusted Rand index"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

// TestAnalyzeReplay: --replay recomputes once per cadence tick with votes.
func TestAnalyzeReplay(t *testing.T) {
	dir := realdata.SharedData(t, "polis", "brexit-consensus")
	var out bytes.Buffer
	if err := command.Run(context.Background(), []string{"analyze", dir, "--json", "--replay", "1h", "--stability", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Runs      int `json:"runs"`
		Clustered int `json:"clustered"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	// brexit-consensus's votes span 481 hours, with quiet hours between.
	if rep.Runs < 20 || rep.Runs > 482 || rep.Clustered == 0 {
		t.Errorf("replay: %d runs, %d clustered", rep.Runs, rep.Clustered)
	}
	if err := command.Run(context.Background(), []string{"analyze", dir, "--replay", "-1s"}, &out); err == nil {
		t.Error("negative cadence accepted")
	}
}

func TestAnalyzeJSON(t *testing.T) {
	dir := realdata.SharedData(t, "polis", "london.youth.policing")
	var out bytes.Buffer
	if err := command.Run(context.Background(), []string{"analyze", "--json", dir, "--stability", "5"}, &out); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Clustered   int `json:"clustered"`
		Assignments []struct {
			Participant int64 `json:"participant"`
			Group       int   `json:"group"`
		} `json:"assignments"`
		Groups []struct {
			Size      int      `json:"size"`
			Stability *float64 `json:"stability"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if rep.Clustered == 0 || len(rep.Assignments) != rep.Clustered || len(rep.Groups) < 2 {
		t.Errorf("clustered %d, %d assignments, %d groups", rep.Clustered, len(rep.Assignments), len(rep.Groups))
	}
	total := 0
	for _, g := range rep.Groups {
		total += g.Size
		if g.Stability == nil || *g.Stability <= 0 || *g.Stability > 1 {
			t.Errorf("group stability %v, want in (0, 1]", g.Stability)
		}
	}
	if total != rep.Clustered {
		t.Errorf("group sizes sum to %d, want %d", total, rep.Clustered)
	}
}

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	if err := command.Run(context.Background(), []string{"-h"}, &out); err != nil || !strings.Contains(out.String(), "usage:") {
		t.Errorf("-h: err %v, output %q", err, out.String())
	}
	out.Reset()
	if err := command.Run(context.Background(), []string{"frobnicate"}, &out); err == nil || !strings.Contains(out.String(), "usage:") {
		t.Errorf("unknown command: err %v, output %q", err, out.String())
	}
	out.Reset()
	if err := command.Run(context.Background(), []string{"analyze"}, &out); err == nil {
		t.Error("analyze without a folder succeeded")
	}
	if err := command.Run(context.Background(), []string{"analyze", "/nonexistent/folder"}, &out); err == nil {
		t.Error("analyze of a missing folder succeeded")
	}
}
