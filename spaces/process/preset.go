// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// A preset describes one process in YAML (see
// config/presets/climate-convention.yaml for a complete example):
//
//	slug: my-process            # matches an existing process to update
//	status: published           # optional: draft, published, closed
//	title: {en: …, fr: …, nl: …}
//	subtitle: {…}               # optional
//	description: {…}            # optional
//	themes:                     # optional; when present, the whole list
//	  - {key: k, title: {…}, description: {…}, transversal: false}
//	sessions:                   # optional; when present, the whole list
//	  - {key: s1, title: {…}, starts_at: 2026-10-01, ends_at: 2026-11-09}
//	current_session: s1         # optional; "" follows the date windows
//	components:                 # added or updated by key, never removed
//	  - key: k
//	    module: proposals
//	    optional: true          # skipped with a warning when the module is not registered
//	    title: {…}
//	    published: true
//	    settings: {name: value}
//	    session_settings: {s1: {name: value}}
//
// Dates are UTC: a bare date is midnight UTC; a session's window is
// [starts_at, ends_at). Themes and sessions are matched by key, so their
// ids (which contributions refer to) survive edits; a theme or session
// missing from a list that is present is removed.

// Preset is a parsed and checked preset.
type Preset struct {
	Slug        string
	Status      string
	Title       i18n.Text
	Subtitle    i18n.Text
	Description i18n.Text
	// Themes and Sessions are nil when the preset leaves them as they are.
	Themes   []Theme
	Sessions []Session
	// CurrentSession is nil when the preset leaves the override as it is.
	CurrentSession *string
	Components     []PresetComponent

	hasSubtitle, hasDescription bool
}

// PresetComponent is one component of a preset.
type PresetComponent struct {
	Key       string
	Module    string
	Optional  bool
	Title     i18n.Text
	Published *bool
	// Settings and SessionSettings hold the preset's values as form
	// strings, validated by the module's schema.
	Settings        map[string]string
	SessionSettings map[string]map[string]string

	line         int
	settingLines map[string]int
	sessionLines map[string]int
	skip         bool
	// defaultTitle names a new component whose preset gives no title:
	// the module's name in every locale.
	defaultTitle i18n.Text
}

// PresetError is one problem of a preset, at a line of the YAML file.
type PresetError struct {
	Line    int
	Message string
}

// PresetErrors are every problem found in a preset; nothing is written
// when there is any.
type PresetErrors []PresetError

func (e PresetErrors) Error() string {
	sort.SliceStable(e, func(i, j int) bool { return e[i].Line < e[j].Line })
	var b strings.Builder
	for i, pe := range e {
		if i > 0 {
			b.WriteString("\n")
		}
		if pe.Line > 0 {
			fmt.Fprintf(&b, "line %d: %s", pe.Line, pe.Message)
		} else {
			b.WriteString(pe.Message)
		}
	}
	return b.String()
}

// ApplyResult reports what ApplyPreset did.
type ApplyResult struct {
	Process  *Process
	Created  bool
	Warnings []string
}

// ApplyPreset creates or updates a process of an organisation from a YAML
// preset. Everything is checked first (syntax, fields, themes, sessions,
// modules and their settings); any problem returns PresetErrors with line
// numbers and writes nothing. Then everything is written in one
// transaction. Applying the same preset twice leaves the same rows.
func ApplyPreset(ctx context.Context, a *app.App, orgID int64, yamlBytes []byte) (*ApplyResult, error) {
	pr, res, err := preparePreset(ctx, a, orgID, yamlBytes)
	if err != nil {
		return nil, err
	}
	svc := NewService(a.DB)
	var id int64
	err = a.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		id, err = writePreset(tx, a.Registry, orgID, pr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("applying preset %s: %w", pr.Slug, err)
	}
	res.Process, err = svc.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	action := "process.preset_update"
	if res.Created {
		action = "process.preset_create"
	}
	a.Audit.Record(ctx, web.AuditEntry{OrganisationID: orgID, ActorLabel: "preset", Action: action, ResourceType: "process",
		ResourceID: fmt.Sprint(id), SpaceID: id, Details: pr.Slug})
	return res, nil
}

// CheckPreset does every check ApplyPreset does, against the
// organisation's current data and the registered modules, and writes
// nothing. Its result's Process is the existing process, or nil when the
// preset would create one.
func CheckPreset(ctx context.Context, a *app.App, orgID int64, yamlBytes []byte) (*ApplyResult, error) {
	_, res, err := preparePreset(ctx, a, orgID, yamlBytes)
	return res, err
}

// preparePreset parses and checks a preset.
func preparePreset(ctx context.Context, a *app.App, orgID int64, yamlBytes []byte) (*Preset, *ApplyResult, error) {
	pr, lines, errs := ParsePreset(yamlBytes)
	if len(errs) > 0 {
		return nil, nil, errs
	}
	existing, err := NewService(a.DB).BySlug(ctx, orgID, pr.Slug)
	if err != nil && !isNotFound(err) {
		return nil, nil, err
	}
	res := &ApplyResult{Created: existing == nil, Process: existing}
	if errs := checkPreset(ctx, a, pr, lines, existing, res); len(errs) > 0 {
		return nil, nil, errs
	}
	return pr, res, nil
}

func isNotFound(err error) bool {
	pe, ok := asPerr(err)
	return ok && pe.Code == perr.CodeNotFound
}

// presetLines maps validation field names ("slug", "themes.2.key") to the
// line of the YAML node they came from.
type presetLines map[string]int

// ParsePreset reads a preset's YAML, checking its shape and value types.
// Domain rules that need no database (slug, titles, unique keys, session
// windows) are checked too; module and settings checks need the registry
// (ApplyPreset does them).
func ParsePreset(b []byte) (*Preset, presetLines, PresetErrors) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		// yaml.v3's messages already carry "line N".
		return nil, nil, PresetErrors{{Message: err.Error()}}
	}
	p := &parser{lines: presetLines{}}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil, PresetErrors{{Line: 1, Message: "the preset is empty"}}
	}
	pr := p.process(doc.Content[0])
	if len(p.errs) > 0 {
		return nil, nil, p.errs
	}
	p.domain(pr)
	if len(p.errs) > 0 {
		return nil, nil, p.errs
	}
	return pr, p.lines, nil
}

type parser struct {
	errs  PresetErrors
	lines presetLines
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, PresetError{Line: n.Line, Message: fmt.Sprintf(format, args...)})
}

// fields walks a mapping, refusing duplicate and unknown keys.
func (p *parser) fields(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s must be a mapping", what)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !contains(known, k.Value):
			p.errf(k, "unknown field %q in %s (known: %s)", k.Value, what, strings.Join(known, ", "))
		case out[k.Value] != nil:
			p.errf(k, "field %q is given twice in %s", k.Value, what)
		default:
			// A key's line is where an error about its value points; the
			// value is copied so an anchored node shared by aliases keeps
			// its own line.
			cp := *deref(v)
			cp.Line = k.Line
			out[k.Value] = &cp
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errf(n, "%s must be a text", what)
		return ""
	}
	return n.Value
}

func (p *parser) boolean(n *yaml.Node, what string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.errf(n, "%s must be true or false", what)
		return false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
}

func (p *parser) text(n *yaml.Node, what string) i18n.Text {
	t := i18n.Text{}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		p.errf(n, "%s must be translated: a mapping such as {en: …, fr: …, nl: …}", what)
		return t
	}
	m := p.fields(n, what, i18n.Supported...)
	for loc, v := range m {
		t[loc] = strings.TrimSpace(p.str(v, what+"."+loc))
	}
	return t
}

var timeLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}

func (p *parser) time(n *yaml.Node, what string) time.Time {
	if n.Kind == yaml.ScalarNode {
		for _, l := range timeLayouts {
			if t, err := time.ParseInLocation(l, n.Value, time.UTC); err == nil {
				return t.UTC()
			}
		}
	}
	p.errf(n, "%s must be a date (2026-10-01) or a date and time (2026-10-01T09:00:00Z)", what)
	return time.Time{}
}

func (p *parser) seq(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "%s must be a list", what)
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

// deref follows YAML aliases (*name) to their anchored node, so presets
// may share repeated blocks such as session settings.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func (p *parser) process(root *yaml.Node) *Preset {
	pr := &Preset{}
	f := p.fields(root, "the preset", "slug", "status", "title", "subtitle", "description", "themes", "sessions", "current_session", "components")
	if root.Kind != yaml.MappingNode {
		return pr
	}
	for _, req := range []string{"slug", "title"} {
		if f[req] == nil {
			p.errf(root, "the preset needs a %q", req)
		}
	}
	if n := f["slug"]; n != nil {
		pr.Slug = p.str(n, "slug")
		p.lines["slug"] = n.Line
	}
	if n := f["status"]; n != nil {
		pr.Status = p.str(n, "status")
		p.lines["status"] = n.Line
	}
	if n := f["title"]; n != nil {
		pr.Title = p.text(n, "title")
		p.lines["title"] = n.Line
	}
	if n := f["subtitle"]; n != nil {
		pr.Subtitle, pr.hasSubtitle = p.text(n, "subtitle"), true
		p.lines["subtitle"] = n.Line
	}
	if n := f["description"]; n != nil {
		pr.Description, pr.hasDescription = p.text(n, "description"), true
		p.lines["description"] = n.Line
	}
	if n := f["themes"]; n != nil {
		pr.Themes = []Theme{}
		for i, tn := range p.seq(n, "themes") {
			pre := "themes." + strconv.Itoa(i) + "."
			tf := p.fields(tn, "a theme", "key", "title", "description", "transversal")
			t := Theme{}
			if tf["key"] == nil {
				p.errf(tn, "a theme needs a key")
			} else {
				t.Key = p.str(tf["key"], "key")
				p.lines[pre+"key"] = tf["key"].Line
			}
			if tf["title"] == nil {
				p.errf(tn, "theme %q needs a title", t.Key)
			} else {
				t.Title = p.text(tf["title"], "title")
				p.lines[pre+"title"] = tf["title"].Line
			}
			if tf["description"] != nil {
				t.Description = p.text(tf["description"], "description")
				p.lines[pre+"description"] = tf["description"].Line
			}
			if tf["transversal"] != nil {
				t.Transversal = p.boolean(tf["transversal"], "transversal")
			}
			pr.Themes = append(pr.Themes, t)
		}
	}
	if n := f["sessions"]; n != nil {
		pr.Sessions = []Session{}
		for i, sn := range p.seq(n, "sessions") {
			pre := "sessions." + strconv.Itoa(i) + "."
			sf := p.fields(sn, "a session", "key", "title", "starts_at", "ends_at")
			s := Session{}
			for _, req := range []string{"key", "title", "starts_at", "ends_at"} {
				if sf[req] == nil {
					p.errf(sn, "a session needs %q", req)
				}
			}
			if v := sf["key"]; v != nil {
				s.Key = p.str(v, "key")
				p.lines[pre+"key"] = v.Line
			}
			if v := sf["title"]; v != nil {
				s.Title = p.text(v, "title")
				p.lines[pre+"title"] = v.Line
			}
			if v := sf["starts_at"]; v != nil {
				s.StartsAt = p.time(v, "starts_at")
				p.lines[pre+"starts_at"] = v.Line
			}
			if v := sf["ends_at"]; v != nil {
				s.EndsAt = p.time(v, "ends_at")
				p.lines[pre+"ends_at"] = v.Line
			}
			pr.Sessions = append(pr.Sessions, s)
		}
	}
	if n := f["current_session"]; n != nil {
		cur := ""
		if n.Tag != "!!null" {
			cur = p.str(n, "current_session")
		}
		pr.CurrentSession = &cur
		p.lines["current_session"] = n.Line
	}
	if n := f["components"]; n != nil {
		seen := map[string]bool{}
		for _, cn := range p.seq(n, "components") {
			cf := p.fields(cn, "a component", "key", "module", "optional", "title", "published", "settings", "session_settings")
			comp := PresetComponent{line: cn.Line, settingLines: map[string]int{}, sessionLines: map[string]int{}}
			if cf["module"] == nil {
				p.errf(cn, "a component needs a module")
			} else {
				comp.Module = p.str(cf["module"], "module")
				comp.line = cf["module"].Line
			}
			comp.Key = comp.Module
			if v := cf["key"]; v != nil {
				comp.Key = p.str(v, "key")
				if !keyPattern.MatchString(comp.Key) {
					p.errf(v, "component key %q: use lower-case letters, digits, - and _", comp.Key)
				}
			}
			if seen[comp.Key] {
				p.errf(cn, "component key %q is used twice", comp.Key)
			}
			seen[comp.Key] = true
			if v := cf["optional"]; v != nil {
				comp.Optional = p.boolean(v, "optional")
			}
			if v := cf["title"]; v != nil {
				comp.Title = p.text(v, "title")
			}
			if v := cf["published"]; v != nil {
				b := p.boolean(v, "published")
				comp.Published = &b
			}
			if v := cf["settings"]; v != nil {
				comp.Settings = p.settings(v, "settings", comp.settingLines, "")
			}
			if v := cf["session_settings"]; v != nil {
				comp.SessionSettings = map[string]map[string]string{}
				if v.Kind != yaml.MappingNode {
					p.errf(v, "session_settings must map session keys to settings")
				} else {
					for i := 0; i+1 < len(v.Content); i += 2 {
						k, sv := v.Content[i], deref(v.Content[i+1])
						comp.sessionLines[k.Value] = k.Line
						comp.SessionSettings[k.Value] = p.settings(sv, "settings of session "+k.Value, comp.settingLines, k.Value+".")
					}
				}
			}
			pr.Components = append(pr.Components, comp)
		}
	}
	return pr
}

// settings reads a mapping of setting names to scalars, keeping each
// value's YAML tag in the form string's shape: the schema decides later
// whether "3" may be a number. Lines are recorded under prefix+name.
func (p *parser) settings(n *yaml.Node, what string, lines map[string]int, prefix string) map[string]string {
	out := map[string]string{}
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s must be a mapping of setting names to values", what)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if _, dup := out[k.Value]; dup {
			p.errf(k, "setting %q is given twice", k.Value)
			continue
		}
		if v.Kind != yaml.ScalarNode {
			p.errf(k, "setting %q must be a single value", k.Value)
			continue
		}
		// Remember the tag so a bool setting refuses "yes" and an int
		// setting refuses a quoted text.
		out[k.Value] = v.Tag + "\x00" + v.Value
		lines[prefix+k.Value] = k.Line
	}
	return out
}

// domain checks the rules of processes, themes and sessions.
func (p *parser) domain(pr *Preset) {
	line := func(field string) int {
		if l, ok := p.lines[field]; ok {
			return l
		}
		// A list-level rule points at the list's first element's key.
		if i := strings.LastIndex(field, "."); i > 0 {
			return p.lines[field[:i]+".key"]
		}
		return 0
	}
	proc := &Process{Slug: pr.Slug, Title: pr.Title, Subtitle: pr.Subtitle, Description: pr.Description, Status: pr.Status}
	if proc.Status == "" {
		proc.Status = registry.StatusDraft
	}
	add := func(f Fields) {
		for field, msg := range f {
			p.errs = append(p.errs, PresetError{Line: line(field), Message: englishMessage(msg, field)})
		}
	}
	if err := proc.Validate(); err != nil {
		if pe, ok := asPerr(err); ok {
			add(pe.Fields)
		}
	}
	if pr.Themes != nil {
		add(ValidateThemes(pr.Themes))
	}
	if pr.Sessions != nil {
		add(ValidateSessions(pr.Sessions))
	}
	if pr.CurrentSession != nil && *pr.CurrentSession != "" && pr.Sessions != nil {
		found := false
		for _, s := range pr.Sessions {
			found = found || s.Key == *pr.CurrentSession
		}
		if !found {
			p.errs = append(p.errs, PresetError{Line: p.lines["current_session"], Message: fmt.Sprintf("current_session %q is not one of the sessions", *pr.CurrentSession)})
		}
	}
}

// presetMessages are the English texts of the rule messages, for the
// command line (pages translate the same IDs through the bundle).
var presetMessages = map[string]string{
	"process.error.slug":             "the slug must be 2 to 80 lower-case letters, digits or dashes",
	"process.error.slug_reserved":    "this slug is reserved",
	"process.error.slug_taken":       "another process already uses this slug",
	"process.error.title_required":   "a title is required in at least one language",
	"process.error.locale":           "only the languages en, fr and nl are supported",
	"process.error.too_long":         "the text is too long",
	"process.error.status":           "the status must be draft, published or closed",
	"process.error.key":              "the key must be lower-case letters, digits, - or _",
	"process.error.key_taken":        "this key is already used",
	"process.error.date":             "a date is required",
	"process.error.end_before_start": "the session must start before it ends",
	"process.error.overlap":          "this session's window overlaps another session's",
}

func englishMessage(id, field string) string {
	if m, ok := presetMessages[id]; ok {
		return field + ": " + m
	}
	return field + ": " + id
}

// checkPreset checks what needs the registry and the database: modules,
// component keys, settings, and current-session keys against stored
// sessions. Optional components of unregistered modules become warnings.
func checkPreset(ctx context.Context, a *app.App, pr *Preset, lines presetLines, existing *Process, res *ApplyResult) PresetErrors {
	var errs PresetErrors
	sessionKeys := map[string]bool{}
	sessions := pr.Sessions
	if sessions == nil && existing != nil {
		sessions = existing.Sessions
	}
	for _, s := range sessions {
		sessionKeys[s.Key] = true
	}
	if pr.Sessions == nil && pr.CurrentSession != nil && *pr.CurrentSession != "" && !sessionKeys[*pr.CurrentSession] {
		errs = append(errs, PresetError{Line: lines["current_session"], Message: fmt.Sprintf("current_session %q is not one of the sessions", *pr.CurrentSession)})
	}
	var stored []registry.Component
	if existing != nil {
		var err error
		stored, err = a.Components.InSpace(ctx, SpaceType, existing.ID)
		if err != nil {
			return PresetErrors{{Message: err.Error()}}
		}
	}
	for i := range pr.Components {
		comp := &pr.Components[i]
		man, ok := a.Registry.Manifest(comp.Module)
		if !ok {
			if comp.Optional {
				comp.skip = true
				res.Warnings = append(res.Warnings, fmt.Sprintf("line %d: module %q is not registered in this binary; optional component %q skipped", comp.line, comp.Module, comp.Key))
				continue
			}
			errs = append(errs, PresetError{Line: comp.line, Message: fmt.Sprintf("unknown module %q (registered: %s); mark the component optional: true to skip it", comp.Module, strings.Join(a.Registry.IDs(), ", "))})
			continue
		}
		comp.defaultTitle = moduleTitle(a, man)
		for _, sc := range stored {
			if sc.Key == comp.Key && sc.ModuleID != comp.Module {
				errs = append(errs, PresetError{Line: comp.line, Message: fmt.Sprintf("component key %q is already used by a %s component of this process", comp.Key, sc.ModuleID)})
			}
		}
		errs = append(errs, checkSettings(man.Settings, comp.Settings, comp.settingLines, "", "settings")...)
		for sk, form := range comp.SessionSettings {
			if !sessionKeys[sk] {
				errs = append(errs, PresetError{Line: comp.sessionLines[sk], Message: fmt.Sprintf("session_settings: %q is not one of the sessions", sk)})
				continue
			}
			errs = append(errs, checkSettings(man.SessionSettings, form, comp.settingLines, sk+".", "session setting")...)
		}
	}
	return errs
}

// checkSettings validates a preset's values against a schema, one error
// per wrong setting, at its line.
func checkSettings(schema registry.Schema, raw map[string]string, lines map[string]int, prefix, what string) PresetErrors {
	var errs PresetErrors
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		st, ok := settingOf(schema, k)
		if !ok {
			names := make([]string, 0, len(schema))
			for _, s := range schema {
				names = append(names, s.Key)
			}
			errs = append(errs, PresetError{Line: lines[prefix+k], Message: fmt.Sprintf("unknown %s %q (known: %s)", what, k, strings.Join(names, ", "))})
			continue
		}
		if msg := checkValue(st, raw[k]); msg != "" {
			errs = append(errs, PresetError{Line: lines[prefix+k], Message: fmt.Sprintf("%s %q: %s", what, k, msg)})
		}
	}
	return errs
}

func settingOf(schema registry.Schema, key string) (registry.Setting, bool) {
	for _, s := range schema {
		if s.Key == key {
			return s, true
		}
	}
	return registry.Setting{}, false
}

// checkValue checks one tagged preset value against its setting, by the
// schema's own rules (Parse), so presets and forms agree.
func checkValue(st registry.Setting, tagged string) string {
	tag, val, _ := strings.Cut(tagged, "\x00")
	switch st.Type {
	case registry.Bool:
		if tag != "!!bool" {
			return "must be true or false"
		}
		return ""
	case registry.Int:
		if tag != "!!int" {
			return "must be a whole number"
		}
	}
	_, errs := registry.Schema{st}.Parse(map[string]string{st.Key: val})
	if e, ok := errs[st.Key]; ok {
		switch e.MessageID {
		case "settings.error.min":
			return fmt.Sprintf("must be at least %v", e.Data["Min"])
		case "settings.error.max":
			return fmt.Sprintf("must be at most %v", e.Data["Max"])
		case "settings.error.enum":
			return fmt.Sprintf("must be one of: %v", e.Data["Options"])
		case "settings.error.minlength":
			return fmt.Sprintf("must be at least %v characters long", e.Data["Min"])
		case "settings.error.maxlength":
			return fmt.Sprintf("must be at most %v characters long", e.Data["Max"])
		}
		return "invalid value (" + e.MessageID + ")"
	}
	return ""
}

// formOf merges stored values (or defaults) with the preset's, as the
// form strings Schema.Parse reads.
func formOf(schema registry.Schema, base registry.Values, preset map[string]string) map[string]string {
	f := map[string]string{}
	for _, st := range schema {
		x := base[st.Key]
		if tagged, ok := preset[st.Key]; ok {
			_, val, _ := strings.Cut(tagged, "\x00")
			if st.Type == registry.Bool {
				x = val == "true" || val == "True" || val == "TRUE"
			} else {
				x = val
			}
		}
		if st.Type == registry.Bool {
			if b, _ := x.(bool); b {
				f[st.Key] = "true"
			}
			continue
		}
		f[st.Key] = fmt.Sprint(x)
	}
	return f
}

// writePreset writes a checked preset inside a transaction and returns
// the process id.
func writePreset(tx *gorm.DB, reg *registry.Registry, orgID int64, pr *Preset) (int64, error) {
	now := time.Now().UTC()
	var p Process
	err := tx.Where("organisation_id = ? AND slug = ?", orgID, pr.Slug).First(&p).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		p = Process{OrganisationID: orgID, Slug: pr.Slug, Title: pr.Title, Subtitle: pr.Subtitle, Description: pr.Description,
			Status: pr.Status, CreatedAt: now, UpdatedAt: now}
		if p.Status == "" {
			p.Status = registry.StatusDraft
		}
		if err := tx.Omit("CurrentSessionID").Create(&p).Error; err != nil {
			return 0, fmt.Errorf("creating process: %w", err)
		}
	case err != nil:
		return 0, fmt.Errorf("loading process: %w", err)
	default:
		upd := map[string]any{"title": pr.Title, "updated_at": now}
		if pr.hasSubtitle {
			upd["subtitle"] = pr.Subtitle
		}
		if pr.hasDescription {
			upd["description"] = pr.Description
		}
		if pr.Status != "" {
			upd["status"] = pr.Status
		}
		if err := tx.Model(&Process{ID: p.ID}).Updates(upd).Error; err != nil {
			return 0, fmt.Errorf("updating process: %w", err)
		}
	}
	if pr.Themes != nil {
		if err := saveThemes(tx, &p, pr.Themes); err != nil {
			return 0, err
		}
	}
	if pr.Sessions != nil {
		if err := saveSessions(tx, &p, pr.Sessions); err != nil {
			return 0, err
		}
	}
	var sessions []Session
	if err := tx.Where("process_id = ?", p.ID).Find(&sessions).Error; err != nil {
		return 0, fmt.Errorf("loading sessions: %w", err)
	}
	sessionID := map[string]int64{}
	for _, s := range sessions {
		sessionID[s.Key] = s.ID
	}
	if pr.CurrentSession != nil {
		var cur *int64
		if id, ok := sessionID[*pr.CurrentSession]; ok {
			cur = &id
		}
		if err := tx.Model(&Process{ID: p.ID}).Update("current_session_id", cur).Error; err != nil {
			return 0, fmt.Errorf("setting current session: %w", err)
		}
	}
	for i, pc := range pr.Components {
		if pc.skip {
			continue
		}
		if err := writeComponent(tx, reg, p.ID, i, pc, sessionID, now); err != nil {
			return 0, err
		}
	}
	return p.ID, nil
}

func writeComponent(tx *gorm.DB, reg *registry.Registry, processID int64, pos int, pc PresetComponent, sessionID map[string]int64, now time.Time) error {
	man, _ := reg.Manifest(pc.Module)
	var comp registry.Component
	err := tx.Where("space_type = ? AND space_id = ? AND key = ?", SpaceType, processID, pc.Key).First(&comp).Error
	isNew := errors.Is(err, gorm.ErrRecordNotFound)
	if err != nil && !isNew {
		return fmt.Errorf("loading component %s: %w", pc.Key, err)
	}
	if isNew {
		comp = registry.Component{SpaceType: SpaceType, SpaceID: processID, ModuleID: pc.Module, Key: pc.Key, Published: true,
			Settings: man.Settings.Defaults().Encode(), SessionSettings: "{}", CreatedAt: now}
	}
	global, errs := man.Settings.Parse(formOf(man.Settings, man.Settings.Decode(comp.Settings), pc.Settings))
	if len(errs) > 0 {
		return fmt.Errorf("component %s: settings rejected after checking: %v", pc.Key, errs)
	}
	perSession := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(comp.SessionSettings), &perSession)
	for sk, form := range pc.SessionSettings {
		sid := fmt.Sprint(sessionID[sk])
		v, errs := man.SessionSettings.Parse(formOf(man.SessionSettings, man.SessionSettings.Decode(string(perSession[sid])), form))
		if len(errs) > 0 {
			return fmt.Errorf("component %s session %s: settings rejected after checking: %v", pc.Key, sk, errs)
		}
		perSession[sid] = json.RawMessage(v.Encode())
	}
	sb, err := json.Marshal(perSession)
	if err != nil {
		return fmt.Errorf("encoding session settings: %w", err)
	}
	comp.Settings = global.Encode()
	comp.SessionSettings = string(sb)
	comp.Position = pos
	comp.UpdatedAt = now
	if len(pc.Title) > 0 {
		comp.Title = pc.Title
	} else if isNew {
		comp.Title = pc.defaultTitle
	}
	if comp.Title == nil {
		comp.Title = i18n.Text{}
	}
	if pc.Published != nil {
		comp.Published = *pc.Published
	}
	if isNew {
		if err := tx.Create(&comp).Error; err != nil {
			return fmt.Errorf("adding component %s: %w", pc.Key, err)
		}
		return nil
	}
	if err := tx.Model(&registry.Component{ID: comp.ID}).Updates(map[string]any{"title": comp.Title, "position": comp.Position, "published": comp.Published,
		"settings": comp.Settings, "session_settings": comp.SessionSettings, "updated_at": now}).Error; err != nil {
		return fmt.Errorf("updating component %s: %w", pc.Key, err)
	}
	return nil
}

// moduleTitle is a module's name in every supported locale, the default
// title of a new component.
func moduleTitle(a *app.App, man registry.Manifest) i18n.Text {
	t := i18n.Text{}
	for _, loc := range i18n.Supported {
		if man.Name != "" && a.Bundle.Has(man.Name) {
			t[loc] = a.Bundle.T(loc, man.Name, nil)
		} else {
			t[loc] = man.ID
		}
	}
	return t
}
