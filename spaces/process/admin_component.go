// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// enableComponent enables a module in a process under a key that no other
// component of the process uses.
func (h *handlers) enableComponent(ctx context.Context, p *Process, moduleID, key string, title i18n.Text) (*registry.Component, error) {
	man, ok := h.comps.Registry().Manifest(moduleID)
	if !ok {
		return nil, Fields{"module": "process.error.module"}.Err()
	}
	key = strings.TrimSpace(key)
	if key == "" {
		key = moduleID
	}
	if !keyPattern.MatchString(key) {
		return nil, Fields{"key": "process.error.key"}.Err()
	}
	existing, err := h.comps.InSpace(ctx, SpaceType, p.ID)
	if err != nil {
		return nil, err
	}
	for _, cp := range existing {
		if cp.Key == key {
			return nil, Fields{"key": "process.error.component_key_taken"}.Err()
		}
	}
	if len(title) == 0 {
		title = moduleTitle(h.app, man)
	}
	comp, err := h.comps.Enable(ctx, SpaceType, p.ID, moduleID, key, title)
	if err != nil {
		return nil, err
	}
	return comp, nil
}

// adminComponentEnable enables a module as a component of the process.
func (h *handlers) adminComponentEnable(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	comp, err := h.enableComponent(c.Request().Context(), p, form["module"], form["key"], textFromForm(form, "title"))
	if err != nil {
		return h.rejected(c, p, "component-add", form, err, nil)
	}
	h.auditComponent(c, p, "component.enable", comp, comp.ModuleID)
	h.srv.Flash(c, "process.admin.saved")
	return web.Redirect(c, fmt.Sprintf("%s/%s/components/%d", adminPrefix, p.Slug, comp.ID))
}

func (h *handlers) auditComponent(c echo.Context, p *Process, action string, comp *registry.Component, details string) {
	e := web.AuditEntry{OrganisationID: orgID(c), ActorID: web.AccountID(c), Action: action, ResourceType: "component",
		ResourceID: fmt.Sprint(comp.ID), SpaceID: p.ID, Details: details}
	if a := web.Account(c); a != nil {
		e.ActorLabel = a.Nickname
	}
	h.srv.Audit.Record(c.Request().Context(), e)
}

// component loads a component of the request's process.
func (h *handlers) component(c echo.Context, p *Process) (*registry.Component, registry.Manifest, error) {
	id, err := strconv.ParseInt(c.Param("cid"), 10, 64)
	if err != nil {
		return nil, registry.Manifest{}, perr.NotFound("component")
	}
	comp, err := h.comps.Get(c.Request().Context(), id)
	if err != nil {
		return nil, registry.Manifest{}, err
	}
	if comp.SpaceType != SpaceType || comp.SpaceID != p.ID {
		return nil, registry.Manifest{}, perr.NotFound("component")
	}
	man, ok := h.comps.Registry().Manifest(comp.ModuleID)
	if !ok {
		// The module was removed from the binary: its settings cannot be
		// validated any more.
		return nil, registry.Manifest{}, perr.NotFound("module")
	}
	return comp, man, nil
}

// SettingField is one generated form field.
type SettingField struct {
	Name  string // form field name
	ID    string // HTML id
	Label string // i18n message ID (or the key when the module gives none)
	Help  string // i18n message ID, may be empty
	// Type: bool, int, string, text or enum.
	Type     string
	Value    string
	Checked  bool
	Min, Max *int
	Options  []SettingOption
	Error    string // translated message
}

// DescribedBy lists the ids of the field's hint and error, for
// aria-describedby.
func (f SettingField) DescribedBy() string {
	var ids []string
	if f.Help != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// SettingOption is one choice of an enum setting. Its label is the
// message "<setting label>.<value>" when the module defines it, else the
// value itself.
type SettingOption struct {
	Value, Label string
}

// SessionFieldset is the per-session settings of one session.
type SessionFieldset struct {
	Session Session
	Current bool
	Fields  []SettingField
}

// SettingsPage is the data of a component's settings page.
type SettingsPage struct {
	Process   *Process
	Component *registry.Component
	Module    registry.Manifest
	Global    []SettingField
	Sessions  []SessionFieldset
	Action    string
	AdminURL  string
	HasErrors bool
	// Locales, MetaValues and MetaErrors serve the title and visibility
	// form.
	Locales    []string
	MetaValues map[string]string
	MetaErrors map[string]string
}

// MetaValue returns the posted value of the title form, else def.
func (s SettingsPage) MetaValue(field, def string) string {
	if s.MetaValues != nil {
		return s.MetaValues[field]
	}
	return def
}

// Published reports whether the visibility box is checked.
func (s SettingsPage) Published() bool {
	if s.MetaValues != nil {
		v := s.MetaValues["published"]
		return v == "on" || v == "true"
	}
	return s.Component.Published
}

// globalName and sessionName are the form names of settings.
func globalName(key string) string                   { return "g." + key }
func sessionName(sessionID int64, key string) string { return fmt.Sprintf("s%d.%s", sessionID, key) }

// settingFields generates a form's fields from a schema, with values and
// translated errors.
func (h *handlers) settingFields(loc string, schema registry.Schema, vals registry.Values, posted map[string]string, name func(string) string, errs registry.FieldErrors, errKey func(string) string) []SettingField {
	bundle := h.app.Bundle
	out := make([]SettingField, 0, len(schema))
	for _, st := range schema {
		f := SettingField{Name: name(st.Key), ID: strings.ReplaceAll(name(st.Key), ".", "-"), Label: st.Label, Help: st.Help, Type: string(st.Type),
			Min: st.Min, Max: st.Max}
		if f.Label == "" {
			f.Label = st.Key
		}
		for _, o := range st.Options {
			opt := SettingOption{Value: o, Label: o}
			if id := st.Label + "." + o; st.Label != "" && bundle.Has(id) {
				opt.Label = bundle.T(loc, id, nil)
			}
			f.Options = append(f.Options, opt)
		}
		if v, ok := posted[f.Name]; ok || (posted != nil && st.Type == registry.Bool) {
			// Show what was posted; an unchecked box is not posted at all.
			f.Value = v
			f.Checked = ok && (v == "on" || v == "true" || v == "1")
		} else {
			// Not posted (a partial form): Parse kept the stored value.
			f.Value = fmt.Sprint(vals[st.Key])
			f.Checked = vals.Bool(st.Key)
		}
		if e, ok := errs[errKey(st.Key)]; ok {
			f.Error = bundle.T(loc, e.MessageID, e.Data)
		}
		out = append(out, f)
	}
	return out
}

// renderSettings shows the settings form: stored values, or the posted
// ones with errors.
func (h *handlers) renderSettings(c echo.Context, status int, p *Process, comp *registry.Component, man registry.Manifest, posted map[string]string, errs registry.FieldErrors) error {
	return h.renderSettingsPage(c, status, p, comp, man, posted, errs, nil, nil)
}

// renderSettingsPage shows a component's admin page: its title and
// visibility form (metaForm and metaErrs when rejected) and its settings
// form (posted and errs when rejected).
func (h *handlers) renderSettingsPage(c echo.Context, status int, p *Process, comp *registry.Component, man registry.Manifest, posted map[string]string, errs registry.FieldErrors, metaForm map[string]string, metaErrs map[string]string) error {
	loc := web.Locale(c)
	page := SettingsPage{Process: p, Component: comp, Module: man, HasErrors: len(errs) > 0,
		Action: fmt.Sprintf("%s/%s/components/%d", adminPrefix, p.Slug, comp.ID), AdminURL: adminPrefix + "/" + p.Slug,
		Locales: i18n.Supported, MetaValues: metaForm, MetaErrors: metaErrs}
	page.Global = h.settingFields(loc, man.Settings, h.comps.Settings(comp), posted, globalName, errs, func(k string) string { return k })
	cur := p.CurrentSession(h.now().UTC())
	if len(man.SessionSettings) > 0 {
		for _, s := range p.Sessions {
			sid := s.ID
			page.Sessions = append(page.Sessions, SessionFieldset{Session: s, Current: cur != nil && cur.ID == sid,
				Fields: h.settingFields(loc, man.SessionSettings, h.comps.SessionSettings(comp, sid), posted,
					func(k string) string { return sessionName(sid, k) }, errs,
					func(k string) string { return fmt.Sprintf("session_%d_%s", sid, k) })})
		}
	}
	return h.srv.Render(c, status, "admin/component_settings", page)
}

// adminComponentSettings shows the settings form generated from the
// module's schema.
func (h *handlers) adminComponentSettings(c echo.Context) error {
	p, err := h.process(c)
	if err != nil {
		return err
	}
	comp, man, err := h.component(c, p)
	if err != nil {
		return err
	}
	return h.renderSettings(c, http.StatusOK, p, comp, man, nil, nil)
}

// adminComponentSettingsSave validates the whole form against the schema
// and stores it only when every field is valid.
func (h *handlers) adminComponentSettingsSave(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	comp, man, err := h.component(c, p)
	if err != nil {
		return err
	}
	global := formValues(man.Settings, h.comps.Settings(comp), form, globalName)
	perSession := map[int64]map[string]string{}
	if len(man.SessionSettings) > 0 {
		for _, s := range p.Sessions {
			sid := s.ID
			perSession[sid] = formValues(man.SessionSettings, h.comps.SessionSettings(comp, sid), form, func(k string) string { return sessionName(sid, k) })
		}
	}
	errs, err := h.comps.UpdateSettings(c.Request().Context(), comp, global, perSession)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderSettings(c, http.StatusUnprocessableEntity, p, comp, man, form, errs)
	}
	h.auditComponent(c, p, "component.settings", comp, comp.Settings)
	h.srv.Flash(c, "process.admin.saved")
	return web.Redirect(c, fmt.Sprintf("%s/%s/components/%d", adminPrefix, p.Slug, comp.ID))
}

// formValues picks a schema's fields from a posted form. A field missing
// from the form keeps its stored value (Parse would reset it to its
// default), except checkboxes: an unchecked box is not posted, so a
// missing bool means false.
func formValues(schema registry.Schema, stored registry.Values, form map[string]string, name func(string) string) map[string]string {
	out := map[string]string{}
	for _, st := range schema {
		if v, ok := form[name(st.Key)]; ok {
			out[st.Key] = v
		} else if st.Type != registry.Bool {
			out[st.Key] = fmt.Sprint(stored[st.Key])
		}
	}
	return out
}
