// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"strconv"
	"strings"
	"time"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// EditPage is the data of a process's admin page. Each sub-form (the
// process, a theme, a session, the current session, a new component) is
// named; when one is rejected, the page is shown again with that form's
// posted values and per-field errors.
type EditPage struct {
	Process  *Process
	Sessions []SessionView
	Current  *Session
	// Components with their module's name message ID.
	Components []ComponentRow
	Modules    []ModuleOption
	Locales    []string
	Statuses   []string
	PublicURL  string
	AdminURL   string
	// Failed names the rejected form, Values its posted values and Errors
	// its per-field message IDs.
	Failed string
	Values map[string]string
	Errors Fields
}

// ComponentRow is a component on the admin page.
type ComponentRow struct {
	registry.Component
	ModuleName string
	Registered bool
}

// ModuleOption is a module that can be enabled.
type ModuleOption struct {
	ID   string
	Name string // i18n message ID, may be empty
}

// V returns the posted value of a field of the failed form, else def.
func (e EditPage) V(form, field, def string) string {
	if e.Failed == form {
		return e.Values[field]
	}
	return def
}

// E returns the error message ID of a field of the failed form, or "".
func (e EditPage) E(form, field string) string {
	if e.Failed == form {
		return e.Errors[field]
	}
	return ""
}

// HasErrors reports whether a form was rejected.
func (e EditPage) HasErrors(form string) bool { return e.Failed == form && len(e.Errors) > 0 }

// TextIn returns a translated text in one locale (form prefill); t may
// be nil for empty "add" forms.
func (EditPage) TextIn(t any, loc string) string {
	if tx, ok := t.(i18n.Text); ok {
		return tx[loc]
	}
	return ""
}

// Overridden reports whether the admin chose session id as current.
func (e EditPage) Overridden(id int64) bool {
	return e.Process.CurrentSessionID != nil && *e.Process.CurrentSessionID == id
}

// InputTime formats a time for a datetime-local input (UTC).
func (EditPage) InputTime(t time.Time) string {
	return web.InputTime(t)
}

// Checked is "checked" when a form value is on.
func (EditPage) Checked(v string) bool { return v == "on" || v == "true" || v == "1" }

// Last reports whether i is the last index of a list of n.
func (EditPage) Last(i, n int) bool { return i == n-1 }

// ProcessForm is the data of the new-process page.
type ProcessForm struct {
	Locales []string
	Values  map[string]string
	Errors  Fields
}

// V returns a posted value.
func (f ProcessForm) V(field string) string { return f.Values[field] }

// E returns a field's error message ID.
func (f ProcessForm) E(field string) string { return f.Errors[field] }

// processFromForm reads the process fields of a form into p.
func processFromForm(p *Process, form map[string]string) {
	p.Slug = strings.TrimSpace(form["slug"])
	p.Title = textFromForm(form, "title")
	p.Subtitle = textFromForm(form, "subtitle")
	p.Description = textFromForm(form, "description")
}

// fieldsAt keeps the errors of one list element ("themes.3.key" → "key").
func fieldsAt(f Fields, list string, i int) Fields {
	out := Fields{}
	pre := list + "." + strconv.Itoa(i) + "."
	for k, v := range f {
		if strings.HasPrefix(k, pre) {
			out[strings.TrimPrefix(k, pre)] = v
		}
	}
	return out
}

// parseFormTime reads a datetime-local value as UTC; zero when invalid.
func parseFormTime(s string) time.Time {
	t, err := web.ParseInputTime(s)
	if err != nil {
		return time.Time{}
	}
	return t
}
