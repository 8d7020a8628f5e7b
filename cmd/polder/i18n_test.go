// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/testkit"
)

// TestTranslationsComplete fails when any message of core, the theme, a
// space type or a module lacks its English, French or Dutch translation.
func TestTranslationsComplete(t *testing.T) {
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	if missing := in.App.Bundle.Missing(); len(missing) > 0 {
		t.Errorf("%d messages lack a translation:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

// templateMessage finds literal message IDs used by templates: {{.T "id"}},
// {{$.T "id"}}, {{.N "id"}}.
var templateMessage = regexp.MustCompile(`\.(?:T|N) "([A-Za-z0-9_.-]+)"`)

// TestTemplateMessagesExist fails when a template uses a message ID that no
// message file defines (it would show the raw ID to people).
func TestTemplateMessagesExist(t *testing.T) {
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".html") || strings.Contains(path, "testdata") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range templateMessage.FindAllStringSubmatch(string(b), -1) {
			used++
			if !in.App.Bundle.Has(m[1]) {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s uses message %q, which no en.yaml defines", rel, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used == 0 {
		t.Fatal("no message IDs found in templates: the scan is broken")
	}
}
