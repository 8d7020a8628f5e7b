// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/proposals"
)

func TestUsageAndErrors(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), []string{"-h"}, &out); err != nil || !strings.Contains(out.String(), "usage: polder proposals verify") {
		t.Fatalf("-h: %v\n%s", err, out.String())
	}
	if err := Run(context.Background(), []string{"frobnicate"}, &out); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
	if err := Run(context.Background(), []string{"verify"}, &out); err == nil {
		t.Fatal("verify without --id or --file accepted")
	}
}

// TestVerifyFile checks a one-proposal file, with flags after positional
// words allowed and an expected fingerprint compared too.
func TestVerifyFile(t *testing.T) {
	title, body := "Trams <b>&</b>", "More trams.\nEvery ten minutes."
	fp := proposals.Fingerprint(title, body)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	doc := `[{"id":3,"title":"Trams <b>&</b>","body":"More trams.\nEvery ten minutes.","fingerprint":"` + fp + `"}]`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := Run(context.Background(), []string{"verify", "--file", path, "--fingerprint", fp}, &out); err != nil {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}
	out.Reset()
	err := Run(context.Background(), []string{"verify", "--file", path, "--fingerprint", strings.Repeat("0", 64)}, &out)
	if !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong expected fingerprint: %v\n%s", err, out.String())
	}
	if err := Run(context.Background(), []string{"verify", "--file", path, "--id", "4"}, &out); err == nil {
		t.Fatal("missing id accepted")
	}
}
