// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"encoding/json"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/registry"
)

func climatePreset(t *testing.T) []byte {
	t.Helper()
	b, err := fs.ReadFile(config.Presets(), "climate-convention.yaml")
	if err != nil {
		t.Fatalf("reading the climate preset: %v", err)
	}
	return b
}

// snapshot lists the rows a preset writes, so two applications can be
// compared.
type snapshot struct {
	Processes, Themes, Sessions []map[string]any
	Components                  []map[string]any
}

func takeSnapshot(db func(table string, cols string) []map[string]any) snapshot {
	return snapshot{
		Processes:  db("processes", "id, slug, title, subtitle, description, status, current_session_id"),
		Themes:     db("process_themes", "id, process_id, key, title, description, transversal, position"),
		Sessions:   db("process_sessions", "id, process_id, key, title, starts_at, ends_at, position"),
		Components: db("components", "id, space_id, module_id, key, title, position, published, settings, session_settings"),
	}
}

func TestApplyClimatePresetIsIdempotent(t *testing.T) {
	in := newInstance(t)
	ctx := context.Background()
	rows := func(table, cols string) []map[string]any {
		var out []map[string]any
		if err := in.App.DB.Table(table).Select(cols).Order("id").Find(&out).Error; err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		return out
	}
	first, err := ApplyPreset(ctx, in.App, in.Org.ID, climatePreset(t))
	if err != nil {
		t.Fatalf("first apply: %v", err)
	}
	if !first.Created {
		t.Fatal("first apply should create the process")
	}
	p := first.Process
	if p.Slug != "climate-convention" || p.Status != registry.StatusPublished {
		t.Fatalf("process %s/%s", p.Slug, p.Status)
	}
	if len(p.Themes) != 6 || len(p.Sessions) != 3 {
		t.Fatalf("%d themes and %d sessions, want 6 and 3", len(p.Themes), len(p.Sessions))
	}
	transversal := 0
	for _, th := range p.Themes {
		if th.Transversal {
			transversal++
		}
		for _, loc := range []string{"en", "fr", "nl"} {
			if th.Title[loc] == "" {
				t.Fatalf("theme %s lacks a %s title", th.Key, loc)
			}
		}
	}
	if transversal != 1 {
		t.Fatalf("%d transversal themes, want 1", transversal)
	}
	if cur := p.CurrentSession(testNow); cur == nil || cur.Key != "intersession-2" {
		t.Fatalf("current session on %s = %v, want intersession-2", testNow, cur)
	}
	// None of the convention's modules is registered here: each optional
	// component is skipped with a warning.
	optional := len(regexp.MustCompile(`(?m)^\s+optional: true`).FindAll(climatePreset(t), -1))
	if optional == 0 || len(first.Warnings) != optional || count(t, in, "components", "") != 0 {
		t.Fatalf("warnings %v, %d components", first.Warnings, count(t, in, "components", ""))
	}
	before := takeSnapshot(rows)

	second, err := ApplyPreset(ctx, in.App, in.Org.ID, climatePreset(t))
	if err != nil {
		t.Fatalf("second apply: %v", err)
	}
	if second.Created || second.Process.ID != p.ID {
		t.Fatalf("second apply created=%v id=%d, want an update of %d", second.Created, second.Process.ID, p.ID)
	}
	after := takeSnapshot(rows)
	bj, _ := json.Marshal(before)
	aj, _ := json.Marshal(after)
	if string(bj) != string(aj) {
		t.Fatalf("rows changed on the second apply:\nbefore %s\nafter  %s", bj, aj)
	}
	if n := count(t, in, "audit_log", "action LIKE ?", "process.preset_%"); n != 2 {
		t.Fatalf("%d audit entries for presets, want 2", n)
	}
}

const examplePreset = `slug: town-plan
status: draft
title: {en: Town plan, fr: Plan communal}
themes:
  - {key: mobility, title: {en: Mobility}}
  - {key: green, title: {en: Green spaces}, transversal: true}
sessions:
  - {key: s1, title: {en: One}, starts_at: 2026-11-01, ends_at: 2026-11-20}
  - {key: s2, title: {en: Two}, starts_at: "2026-11-20T00:00:00Z", ends_at: 2026-12-20}
current_session: s1
components:
  - key: ideas
    module: example
    title: {en: Ideas}
    settings:
      max_per_author: 7
      order: recent
      comments: false
    session_settings:
      s2: {open: true, quota: 2}
`

func TestApplyPresetWithComponent(t *testing.T) {
	in := newInstance(t)
	ctx := context.Background()
	res, err := ApplyPreset(ctx, in.App, in.Org.ID, []byte(examplePreset))
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	p := res.Process
	if cur := p.CurrentSession(testNow); cur == nil || cur.Key != "s1" {
		t.Fatalf("override to s1 not applied: %v", cur)
	}
	comps, err := in.App.Components.InSpace(ctx, SpaceType, p.ID)
	if err != nil || len(comps) != 1 {
		t.Fatalf("components %v %v", comps, err)
	}
	g := in.App.Components.Settings(&comps[0])
	if g.Int("max_per_author") != 7 || g.String("order") != "recent" || g.Bool("comments") {
		t.Fatalf("global settings %v", g)
	}
	s2, _ := p.Session("s2")
	s1, _ := p.Session("s1")
	if v := in.App.Components.SessionSettings(&comps[0], s2.ID); !v.Bool("open") || v.Int("quota") != 2 {
		t.Fatalf("session s2 settings %v", v)
	}
	if v := in.App.Components.SessionSettings(&comps[0], s1.ID); v.Bool("open") || v.Int("quota") != 1 {
		t.Fatalf("session s1 settings should be the defaults: %v", v)
	}
	id := comps[0].ID
	// Apply again, then with a changed setting and without the override.
	if _, err := ApplyPreset(ctx, in.App, in.Org.ID, []byte(examplePreset)); err != nil {
		t.Fatalf("second apply: %v", err)
	}
	changed := strings.Replace(strings.Replace(examplePreset, "max_per_author: 7", "max_per_author: 9", 1), "current_session: s1", "current_session: \"\"", 1)
	res, err = ApplyPreset(ctx, in.App, in.Org.ID, []byte(changed))
	if err != nil {
		t.Fatalf("third apply: %v", err)
	}
	comps, _ = in.App.Components.InSpace(ctx, SpaceType, p.ID)
	if len(comps) != 1 || comps[0].ID != id || in.App.Components.Settings(&comps[0]).Int("max_per_author") != 9 {
		t.Fatalf("component not updated in place: %+v", comps)
	}
	if res.Process.CurrentSessionID != nil {
		t.Fatal("current_session \"\" should clear the override")
	}
	if cur := res.Process.CurrentSession(testNow); cur == nil || cur.Key != "s2" {
		t.Fatalf("calendar should now pick s2, got %v", cur)
	}
	if n := count(t, in, "process_sessions", ""); n != 2 {
		t.Fatalf("%d sessions, want 2", n)
	}
}

func TestPresetAliases(t *testing.T) {
	in := newInstance(t)
	yaml := `slug: aliased
title: {en: Aliased}
sessions:
  - {key: s1, title: &t {en: Session}, starts_at: 2026-11-01, ends_at: 2026-11-10}
  - {key: s2, title: *t, starts_at: 2026-11-10, ends_at: 2026-11-20}
components:
  - module: example
    session_settings:
      s1: &open {open: true, quota: 3}
      s2: *open
`
	res, err := ApplyPreset(context.Background(), in.App, in.Org.ID, []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	comps, _ := in.App.Components.InSpace(context.Background(), SpaceType, res.Process.ID)
	for _, s := range res.Process.Sessions {
		if s.Title["en"] != "Session" {
			t.Fatalf("aliased title %v", s.Title)
		}
		if v := in.App.Components.SessionSettings(&comps[0], s.ID); !v.Bool("open") || v.Int("quota") != 3 {
			t.Fatalf("aliased settings of %s: %v", s.Key, v)
		}
	}
	_, err = ApplyPreset(context.Background(), in.App, in.Org.ID, []byte("slug: aliased\ntitle: {en: A}\nx: &bad 1\n"))
	if err == nil || !strings.Contains(err.Error(), `line 3: unknown field "x"`) {
		t.Fatalf("want an unknown-field error, got %v", err)
	}
}

func TestInvalidPresetsWriteNothing(t *testing.T) {
	in := newInstance(t)
	ctx := context.Background()
	// An existing process must stay as it is when an invalid preset of the
	// same slug is applied.
	if _, err := ApplyPreset(ctx, in.App, in.Org.ID, []byte(examplePreset)); err != nil {
		t.Fatalf("apply: %v", err)
	}
	tables := []string{"processes", "process_themes", "process_sessions", "components"}
	rowsOf := func() string {
		var all []any
		for _, tb := range tables {
			var out []map[string]any
			in.App.DB.Table(tb).Order("id").Find(&out)
			for _, r := range out {
				delete(r, "updated_at")
			}
			all = append(all, out)
		}
		b, _ := json.Marshal(all)
		return string(b)
	}
	before := rowsOf()
	cases := []struct {
		name string
		yaml string
		want []string // fragments of the error, each with its line
	}{
		{"Syntax", "slug: x\ntitle: {en: [\n", []string{"line 2"}},
		{"Empty", "", []string{"empty"}},
		{"NotAMapping", "- a\n- b\n", []string{"line 1: the preset must be a mapping"}},
		{"UnknownField", "slug: town-plan\ntitle: {en: T}\ncolour: red\n", []string{`line 3: unknown field "colour"`}},
		{"MissingTitle", "slug: town-plan\n", []string{`line 1: the preset needs a "title"`}},
		{"BadSlug", "slug: Town Plan\ntitle: {en: T}\n", []string{"line 1: slug:"}},
		{"PlainTitle", "slug: town-plan\ntitle: Town plan\n", []string{"line 2: title must be translated"}},
		{"UnknownLocale", "slug: town-plan\ntitle: {de: Stadtplan}\n", []string{`line 2: unknown field "de"`}},
		{"BadStatus", "slug: town-plan\nstatus: open\ntitle: {en: T}\n", []string{"line 2: status:"}},
		{"DuplicateThemeKey", "slug: town-plan\ntitle: {en: T}\nthemes:\n  - {key: a, title: {en: A}}\n  - key: a\n    title: {en: B}\n", []string{"line 5: themes.1.key: this key is already used"}},
		{"Overlap", "slug: town-plan\ntitle: {en: T}\nsessions:\n  - {key: a, title: {en: A}, starts_at: 2026-11-01, ends_at: 2026-11-10}\n  - key: b\n    title: {en: B}\n    starts_at: 2026-11-05\n    ends_at: 2026-11-30\n",
			[]string{"line 7: sessions.1.starts_at: this session's window overlaps"}},
		{"EndBeforeStart", "slug: town-plan\ntitle: {en: T}\nsessions:\n  - key: a\n    title: {en: A}\n    starts_at: 2026-11-10\n    ends_at: 2026-11-01\n", []string{"line 7: sessions.0.ends_at: the session must start before it ends"}},
		{"BadDate", "slug: town-plan\ntitle: {en: T}\nsessions:\n  - key: a\n    title: {en: A}\n    starts_at: next monday\n    ends_at: 2026-11-01\n", []string{"line 6: starts_at must be a date"}},
		{"UnknownCurrentSession", "slug: town-plan\ntitle: {en: T}\nsessions:\n  - {key: a, title: {en: A}, starts_at: 2026-11-01, ends_at: 2026-11-10}\ncurrent_session: z\n", []string{`line 5: current_session "z"`}},
		{"UnknownModule", "slug: town-plan\ntitle: {en: T}\ncomponents:\n  - key: p\n    module: proposalz\n", []string{`line 5: unknown module "proposalz"`}},
		{"UnknownSetting", "slug: town-plan\ntitle: {en: T}\ncomponents:\n  - module: example\n    settings:\n      colour: red\n", []string{`line 6: unknown settings "colour"`}},
		{"SettingTypes", "slug: town-plan\ntitle: {en: T}\ncomponents:\n  - module: example\n    settings:\n      comments: yes\n      max_per_author: 40\n      order: alphabetical\n",
			[]string{`line 6: settings "comments": must be true or false`, `line 7: settings "max_per_author": must be at most 18`, `line 8: settings "order": must be one of: random, recent`}},
		{"QuotedInt", "slug: town-plan\ntitle: {en: T}\ncomponents:\n  - module: example\n    settings: {max_per_author: \"4\"}\n", []string{`line 5: settings "max_per_author": must be a whole number`}},
		{"UnknownSessionSettings", "slug: town-plan\ntitle: {en: T}\ncomponents:\n  - module: example\n    session_settings:\n      s9: {open: true}\n", []string{`line 6: session_settings: "s9"`}},
		{"SessionSettingRange", "slug: town-plan\ntitle: {en: T}\ncomponents:\n  - module: example\n    session_settings:\n      s1:\n        quota: 6\n", []string{`line 7: session setting "quota": must be at most 5`}},
		{"DuplicateComponentKey", "slug: town-plan\ntitle: {en: T}\ncomponents:\n  - module: example\n  - module: example\n", []string{`line 5: component key "example" is used twice`}},
		{"DuplicateField", "slug: town-plan\ntitle: {en: T}\nslug: again\n", []string{`line 3: field "slug" is given twice`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ApplyPreset(ctx, in.App, in.Org.ID, []byte(tc.yaml))
			if err == nil {
				t.Fatal("invalid preset accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error lacks %q:\n%v", w, err)
				}
			}
			if after := rowsOf(); after != before {
				t.Fatalf("an invalid preset changed the database:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	// Errors are all reported at once, in line order.
	_, err := ApplyPreset(ctx, in.App, in.Org.ID, []byte("slug: UP\ntitle: {en: T}\nstatus: open\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 1: ") || !strings.Contains(err.Error(), "\nline 3: ") {
		t.Fatalf("want both errors in line order, got %v", err)
	}
}

// FuzzParsePreset checks that no input makes the preset parser panic, and
// that every rejection carries at least one message. `go test` runs the
// seeds; `go test -fuzz FuzzParsePreset` explores further.
func FuzzParsePreset(f *testing.F) {
	f.Add([]byte(examplePreset))
	f.Add([]byte("slug: x\ntitle: {en: [\n"))
	f.Add([]byte("- a\n- *b\n"))
	f.Add([]byte("slug: &a x\ntitle: *a\nthemes: *a\nsessions: [1, {key: 2}]\ncomponents: [{settings: [1]}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pr, _, errs := ParsePreset(b)
		if pr == nil && len(errs) == 0 {
			t.Fatal("rejected without a message")
		}
		if pr != nil && len(errs) > 0 {
			t.Fatal("accepted with errors")
		}
	})
}
