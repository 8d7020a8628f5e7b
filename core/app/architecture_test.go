// SPDX-License-Identifier: AGPL-3.0-or-later

package app_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
)

const modulePath = "github.com/polder-civic/polder/"

// TestLayering enforces the architecture: core knows no space type and no
// module; a module knows core and nothing of its siblings (they meet through
// core's events and interfaces); space types know no module.
func TestLayering(t *testing.T) {
	root, err := realdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, modulePath) {
				continue
			}
			target := strings.TrimPrefix(p, modulePath)
			if msg := violation(rel, target); msg != "" {
				t.Errorf("%s imports %s: %s", rel, p, msg)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d Go files checked: the walk is broken", checked)
	}
}

func violation(file, target string) string {
	top := func(p string) (string, string) {
		parts := strings.SplitN(p, "/", 3)
		if len(parts) < 2 {
			return parts[0], ""
		}
		return parts[0], parts[1]
	}
	fArea, fName := top(file)
	tArea, tName := top(target)
	switch fArea {
	case "core", "migrations", "config", "themes":
		if tArea == "modules" || tArea == "spaces" {
			return "core knows no module and no space type"
		}
	case "modules":
		// Integration tests may assemble an instance with a sibling (e.g.
		// budgets importing proposals' accepted proposals through core);
		// the module's own code may not.
		if tArea == "modules" && tName != fName && !strings.HasSuffix(file, "_test.go") {
			return "modules never import each other: use core's events or interfaces"
		}
		if tArea == "spaces" && !strings.HasSuffix(file, "_test.go") {
			return "a module sees spaces only through core/registry.Space"
		}
	case "spaces":
		if tArea == "modules" && !strings.HasSuffix(file, "_test.go") {
			return "space types know no module"
		}
	}
	return ""
}

func TestViolationRules(t *testing.T) {
	cases := []struct {
		file, target string
		bad          bool
	}{
		{"core/web/server.go", "modules/proposals", true},
		{"core/web/server.go", "core/store", false},
		{"modules/budgets/rules/mes.go", "modules/proposals", true},
		{"modules/budgets/rules/mes.go", "modules/budgets/pabulib", false},
		{"modules/budgets/budgets.go", "core/registry", false},
		{"modules/budgets/budgets.go", "spaces/process", true},
		{"modules/budgets/import_test.go", "modules/proposals", false},
		{"spaces/process/process.go", "modules/proposals", true},
		{"cmd/polder/modules.go", "modules/proposals", false},
	}
	for _, c := range cases {
		if got := violation(c.file, c.target) != ""; got != c.bad {
			t.Errorf("%s → %s: violation %v, want %v", c.file, c.target, got, c.bad)
		}
	}
}
