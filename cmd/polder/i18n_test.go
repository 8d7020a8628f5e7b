// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	theme "github.com/polder-civic/polder/themes/default"
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

// TestTemplateMessagesExist fails when a template of the theme or of a
// module this binary runs uses a message ID that no message file defines
// (people would see the raw ID).
func TestTemplateMessagesExist(t *testing.T) {
	opts := app.Options{SpaceTypes: spaceTypes(), Modules: modules()}
	in := apptest.New(t, opts)
	sources := map[string]fs.FS{"themes/default": theme.FS()}
	for _, m := range opts.Modules {
		if man := m.Manifest(); man.Templates != nil {
			sources["modules/"+man.ID] = man.Templates
		}
	}
	used := 0
	for owner, fsys := range sources {
		err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
				return err
			}
			b, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			for _, m := range templateMessage.FindAllStringSubmatch(string(b), -1) {
				used++
				if !in.App.Bundle.Has(m[1]) {
					t.Errorf("%s: %s uses message %q, which no en.yaml defines", owner, path, m[1])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if used == 0 {
		t.Fatal("no message IDs found in templates: the scan is broken")
	}
}
