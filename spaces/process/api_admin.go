// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// processBody is the JSON body that creates or updates a process; absent
// fields are left as they are on update.
type processBody struct {
	Slug        *string    `json:"slug"`
	Title       *i18n.Text `json:"title"`
	Subtitle    *i18n.Text `json:"subtitle"`
	Description *i18n.Text `json:"description"`
	Status      *string    `json:"status"`
}

func (b processBody) apply(p *Process) {
	if b.Slug != nil {
		p.Slug = strings.TrimSpace(*b.Slug)
	}
	if b.Title != nil {
		p.Title = *b.Title
	}
	if b.Subtitle != nil {
		p.Subtitle = *b.Subtitle
	}
	if b.Description != nil {
		p.Description = *b.Description
	}
	if b.Status != nil {
		p.Status = *b.Status
	}
}

// respond answers with the process as the API shows it.
func (h *handlers) respond(c echo.Context, status int, p *Process) error {
	full, err := h.svc.ByID(c.Request().Context(), p.ID)
	if err != nil {
		return err
	}
	out, err := h.processJSON(c.Request().Context(), full, true)
	if err != nil {
		return err
	}
	return c.JSON(status, out)
}

// apiProcessCreate creates a process.
func (h *handlers) apiProcessCreate(c echo.Context) error {
	var b processBody
	if err := bindJSON(c, &b); err != nil {
		return err
	}
	p := &Process{Title: i18n.Text{}}
	b.apply(p)
	if err := h.svc.Create(c.Request().Context(), orgID(c), p); err != nil {
		return err
	}
	h.audit(c, "process.create", p, p.Slug)
	return h.respond(c, http.StatusCreated, p)
}

// apiProcessUpdate changes a process's slug, texts or status.
func (h *handlers) apiProcessUpdate(c echo.Context) error {
	var b processBody
	if err := bindJSON(c, &b); err != nil {
		return err
	}
	p, err := h.process(c)
	if err != nil {
		return err
	}
	b.apply(p)
	if err := h.svc.Update(c.Request().Context(), p); err != nil {
		return err
	}
	h.audit(c, "process.update", p, p.Slug)
	return h.respond(c, http.StatusOK, p)
}

// apiProcessStatus publishes, closes or returns a process to draft.
func (h *handlers) apiProcessStatus(c echo.Context) error {
	var b struct {
		Status string `json:"status"`
	}
	if err := bindJSON(c, &b); err != nil {
		return err
	}
	p, err := h.process(c)
	if err != nil {
		return err
	}
	if err := h.svc.SetStatus(c.Request().Context(), p, b.Status); err != nil {
		return err
	}
	h.audit(c, "process.status", p, p.Status)
	return h.respond(c, http.StatusOK, p)
}

// apiCurrentSession overrides the current session.
func (h *handlers) apiCurrentSession(c echo.Context) error {
	var b struct {
		Session string `json:"session"`
	}
	if err := bindJSON(c, &b); err != nil {
		return err
	}
	p, err := h.process(c)
	if err != nil {
		return err
	}
	if err := h.svc.SetCurrentSession(c.Request().Context(), p, b.Session); err != nil {
		return err
	}
	h.audit(c, "process.current_session", p, b.Session)
	return h.respond(c, http.StatusOK, p)
}

// apiThemesPut replaces the list of themes.
func (h *handlers) apiThemesPut(c echo.Context) error {
	var b struct {
		Themes []struct {
			Key         string    `json:"key"`
			Title       i18n.Text `json:"title"`
			Description i18n.Text `json:"description"`
			Transversal bool      `json:"transversal"`
		} `json:"themes"`
	}
	if err := bindJSON(c, &b); err != nil {
		return err
	}
	p, err := h.process(c)
	if err != nil {
		return err
	}
	themes := make([]Theme, 0, len(b.Themes))
	keys := make([]string, 0, len(b.Themes))
	for _, t := range b.Themes {
		themes = append(themes, Theme{Key: strings.TrimSpace(t.Key), Title: t.Title, Description: t.Description, Transversal: t.Transversal})
		keys = append(keys, t.Key)
	}
	if err := h.svc.SaveThemes(c.Request().Context(), p, themes); err != nil {
		return err
	}
	h.audit(c, "process.themes", p, strings.Join(keys, ","))
	return h.respond(c, http.StatusOK, p)
}

// apiSessionsPut replaces the list of sessions.
func (h *handlers) apiSessionsPut(c echo.Context) error {
	var b struct {
		Sessions []struct {
			Key      string    `json:"key"`
			Title    i18n.Text `json:"title"`
			StartsAt time.Time `json:"starts_at"`
			EndsAt   time.Time `json:"ends_at"`
		} `json:"sessions"`
	}
	if err := bindJSON(c, &b); err != nil {
		return err
	}
	p, err := h.process(c)
	if err != nil {
		return err
	}
	sessions := make([]Session, 0, len(b.Sessions))
	keys := make([]string, 0, len(b.Sessions))
	for _, s := range b.Sessions {
		sessions = append(sessions, Session{Key: strings.TrimSpace(s.Key), Title: s.Title, StartsAt: s.StartsAt.UTC(), EndsAt: s.EndsAt.UTC()})
		keys = append(keys, s.Key)
	}
	if err := h.svc.SaveSessions(c.Request().Context(), p, sessions); err != nil {
		return err
	}
	h.audit(c, "process.sessions", p, strings.Join(keys, ","))
	return h.respond(c, http.StatusOK, p)
}

// apiComponentEnable enables a module as a component.
func (h *handlers) apiComponentEnable(c echo.Context) error {
	var b struct {
		Module string    `json:"module"`
		Key    string    `json:"key"`
		Title  i18n.Text `json:"title"`
	}
	if err := bindJSON(c, &b); err != nil {
		return err
	}
	p, err := h.process(c)
	if err != nil {
		return err
	}
	comp, err := h.enableComponent(c.Request().Context(), p, b.Module, b.Key, b.Title)
	if err != nil {
		return err
	}
	h.auditComponent(c, p, "component.enable", comp, comp.ModuleID)
	return c.JSON(http.StatusCreated, componentJSON(h.prefix, p, *comp))
}

// SettingsJSON is a component's settings in the API: global values, and
// per-session values by session key.
type SettingsJSON struct {
	Component       ComponentJSON              `json:"component"`
	Settings        registry.Values            `json:"settings"`
	SessionSettings map[string]registry.Values `json:"session_settings"`
	Schema          map[string]registry.Schema `json:"schema"`
}

func (h *handlers) settingsJSON(p *Process, comp *registry.Component, man registry.Manifest) SettingsJSON {
	out := SettingsJSON{Component: componentJSON(h.prefix, p, *comp), Settings: h.comps.Settings(comp), SessionSettings: map[string]registry.Values{},
		Schema: map[string]registry.Schema{"settings": man.Settings, "session_settings": man.SessionSettings}}
	if len(man.SessionSettings) > 0 {
		for _, s := range p.Sessions {
			out.SessionSettings[s.Key] = h.comps.SessionSettings(comp, s.ID)
		}
	}
	return out
}

// apiComponentSettings returns a component's settings.
func (h *handlers) apiComponentSettings(c echo.Context) error {
	p, err := h.process(c)
	if err != nil {
		return err
	}
	comp, man, err := h.component(c, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.settingsJSON(p, comp, man))
}

// apiComponentSettingsPut validates typed JSON values against the schema
// and stores them only when every one is valid; settings not given keep
// their current values.
func (h *handlers) apiComponentSettingsPut(c echo.Context) error {
	var b struct {
		Settings        map[string]any            `json:"settings"`
		SessionSettings map[string]map[string]any `json:"session_settings"`
	}
	if err := bindJSON(c, &b); err != nil {
		return err
	}
	p, err := h.process(c)
	if err != nil {
		return err
	}
	comp, man, err := h.component(c, p)
	if err != nil {
		return err
	}
	loc := web.Locale(c)
	fields := map[string]string{}
	fail := func(field, id string, data map[string]any) { fields[field] = h.app.Bundle.T(loc, id, data) }
	checkTypes(man.Settings, b.Settings, "settings.", fail)
	perSession := map[int64]map[string]any{}
	sessionKey := map[int64]string{}
	for key, vals := range b.SessionSettings {
		s, ok := p.Session(key)
		if !ok {
			fail("session_settings."+key, "process.error.no_session", nil)
			continue
		}
		checkTypes(man.SessionSettings, vals, "session_settings."+key+".", fail)
		perSession[s.ID] = vals
		sessionKey[s.ID] = key
	}
	// Sessions not given keep their values: SetValues only rewrites the
	// sessions it receives, so pass every session.
	for _, s := range p.Sessions {
		if _, ok := perSession[s.ID]; !ok && len(man.SessionSettings) > 0 {
			perSession[s.ID] = map[string]any{}
			sessionKey[s.ID] = s.Key
		}
	}
	if len(fields) == 0 {
		errs, err := h.comps.SetValues(c.Request().Context(), comp, b.Settings, perSession)
		if err != nil {
			return err
		}
		for k, e := range errs {
			field := "settings." + k
			for sid, key := range sessionKey {
				if pre := fmt.Sprintf("session_%d_", sid); strings.HasPrefix(k, pre) {
					field = "session_settings." + key + "." + strings.TrimPrefix(k, pre)
				}
			}
			fail(field, e.MessageID, e.Data)
		}
	}
	if len(fields) > 0 {
		return c.JSON(http.StatusUnprocessableEntity, web.APIError{Error: "invalid", Message: h.app.Bundle.T(loc, "error.form_invalid", nil), Fields: fields})
	}
	h.auditComponent(c, p, "component.settings", comp, comp.Settings)
	return c.JSON(http.StatusOK, h.settingsJSON(p, comp, man))
}

// checkTypes refuses unknown settings and JSON values of the wrong type
// (a string where a bool is expected would otherwise read as false).
func checkTypes(schema registry.Schema, vals map[string]any, prefix string, fail func(field, id string, data map[string]any)) {
	for k, v := range vals {
		st, ok := settingOf(schema, k)
		if !ok {
			fail(prefix+k, "process.error.unknown_setting", nil)
			continue
		}
		switch st.Type {
		case registry.Bool:
			if _, ok := v.(bool); !ok {
				fail(prefix+k, "settings.error.bool", nil)
			}
		case registry.Int:
			if _, ok := v.(float64); !ok {
				fail(prefix+k, "settings.error.int", nil)
			}
		default:
			if _, ok := v.(string); !ok {
				fail(prefix+k, "settings.error.string", nil)
			}
		}
	}
}
