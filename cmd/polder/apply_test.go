// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/store"
)

func TestApplyCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "polder.db")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", "slug: town\nstatus: published\ntitle: {en: Town}\nthemes:\n  - {key: a, title: {en: A}}\n")
	bad := write("bad.yaml", "slug: town\ntitle: {en: Town}\nthemes:\n  - {key: a, title: {en: A}}\n  - {key: a, title: {en: B}}\n")
	var out bytes.Buffer

	// No organisation yet: the command says how to get one.
	err := run(ctx, []string{"apply", "-f", good, "--database", db}, &out)
	if err == nil || !strings.Contains(err.Error(), "--org-name") {
		t.Fatalf("want a hint about --org-name, got %v", err)
	}
	for i := 0; i < 2; i++ {
		out.Reset()
		if err := run(ctx, []string{"apply", "-f", good, "--database", db, "--org-name", "Town hall"}, &out); err != nil {
			t.Fatalf("apply #%d: %v", i+1, err)
		}
		want := map[int]string{0: "created", 1: "updated"}[i]
		if !strings.Contains(out.String(), `process "town" `+want) {
			t.Fatalf("apply #%d printed %q", i+1, out.String())
		}
	}
	err = run(ctx, []string{"apply", "-f", bad, "--database", db}, &out)
	if err == nil || !strings.Contains(err.Error(), "line 5: themes.1.key") || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("want a line-numbered error, got %v", err)
	}
	err = run(ctx, []string{"apply", "-f", bad, "--check", "--database", db}, &out)
	if err == nil || !strings.Contains(err.Error(), "line 5") {
		t.Fatalf("--check: want a line-numbered error, got %v", err)
	}
	// --check reads the database (modules, the existing process) and
	// writes nothing.
	unknown := write("unknown.yaml", "slug: town\ntitle: {en: Changed}\ncomponents:\n  - module: nosuchmodule\n")
	if err := run(ctx, []string{"apply", "-f", unknown, "--check", "--database", db}, &out); err == nil || !strings.Contains(err.Error(), `line 4: unknown module "nosuchmodule"`) {
		t.Fatalf("--check should check modules: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"apply", "-f", good, "--check", "--database", db}, &out); err != nil || !strings.Contains(out.String(), "would update") {
		t.Fatalf("--check of a valid preset: %v %q", err, out.String())
	}
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var themes, processes int64
	s.Table("process_themes").Count(&themes)
	s.Table("processes").Count(&processes)
	if themes != 1 || processes != 1 {
		t.Fatalf("%d processes and %d themes, want 1 and 1", processes, themes)
	}
	if err := run(ctx, []string{"apply"}, &out); err == nil {
		t.Fatal("apply without -f should fail with its usage")
	}
}
