// SPDX-License-Identifier: AGPL-3.0-or-later

package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// Component is one module enabled in one space.
type Component struct {
	ID              int64
	SpaceType       string
	SpaceID         int64
	ModuleID        string
	Key             string
	Title           i18n.Text
	Position        int
	Published       bool
	Settings        string // JSON, see Schema.Decode
	SessionSettings string // JSON: session id → settings JSON object
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Components stores components and resolves their settings against their
// module's schema. Every component request loads its component: Get and
// InSpace are cached for db's CacheTTL, and any write to the components
// table through this process drops the cache.
type Components struct {
	db      *store.DB
	reg     *Registry
	byID    *store.Cache[int64, *Component]
	inSpace *store.Cache[spaceKey, []Component]
}

type spaceKey struct {
	typ string
	id  int64
}

// NewComponents returns the component service. Build it while assembling
// the instance, before it serves (it registers the caches' write hooks).
func NewComponents(db *store.DB, reg *Registry) *Components {
	c := &Components{db: db, reg: reg}
	var err error
	if c.byID, err = store.NewCache[int64, *Component](db, "components"); err == nil {
		c.inSpace, err = store.NewCache[spaceKey, []Component](db, "components")
	}
	if err != nil {
		// Without their hooks the caches could serve stale rows.
		slog.Error("component cache disabled", "err", err)
		c.byID, c.inSpace = nil, nil
	}
	return c
}

// Registry returns the module registry.
func (c *Components) Registry() *Registry { return c.reg }

// Settings returns the component's global settings, defaults filled in.
func (c *Components) Settings(comp *Component) Values {
	man, _ := c.reg.Manifest(comp.ModuleID)
	return man.Settings.Decode(comp.Settings)
}

// SessionSettings returns the component's settings for one session,
// defaults filled in.
func (c *Components) SessionSettings(comp *Component, sessionID int64) Values {
	man, _ := c.reg.Manifest(comp.ModuleID)
	all := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(comp.SessionSettings), &all)
	return man.SessionSettings.Decode(string(all[fmt.Sprint(sessionID)]))
}

// Get loads a component by id.
// The result is the caller's to change.
func (c *Components) Get(ctx context.Context, id int64) (*Component, error) {
	comp, err := c.byID.Get(id, func() (*Component, error) {
		var comp Component
		err := c.db.WithContext(ctx).First(&comp, id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, perr.NotFound("component")
		}
		if err != nil {
			return nil, fmt.Errorf("loading component %d: %w", id, err)
		}
		return &comp, nil
	})
	if err != nil {
		return nil, err
	}
	cp := *comp
	return &cp, nil
}

// InSpace lists the components of a space in display order (a list the
// caller may change).
func (c *Components) InSpace(ctx context.Context, spaceType string, spaceID int64) ([]Component, error) {
	list, err := c.inSpace.Get(spaceKey{spaceType, spaceID}, func() ([]Component, error) {
		var out []Component
		err := c.db.WithContext(ctx).Where("space_type = ? AND space_id = ?", spaceType, spaceID).Order("position, id").Find(&out).Error
		if err != nil {
			return nil, fmt.Errorf("listing components: %w", err)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return append([]Component(nil), list...), nil
}

// Enable adds a component of a registered module to a space, with default
// settings, or returns the existing one with the same key (idempotent).
func (c *Components) Enable(ctx context.Context, spaceType string, spaceID int64, moduleID, key string, title i18n.Text) (*Component, error) {
	man, ok := c.reg.Manifest(moduleID)
	if !ok {
		return nil, perr.Invalid("component.error.unknown_module", map[string]any{"Module": moduleID})
	}
	if key == "" {
		key = moduleID
	}
	var existing Component
	err := c.db.WithContext(ctx).Where("space_type = ? AND space_id = ? AND key = ?", spaceType, spaceID, key).First(&existing).Error
	if err == nil {
		return &existing, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("looking up component: %w", err)
	}
	comp := &Component{SpaceType: spaceType, SpaceID: spaceID, ModuleID: moduleID, Key: key, Title: title,
		Published: true, Settings: man.Settings.Defaults().Encode(), SessionSettings: "{}"}
	if err := c.db.WithContext(ctx).Create(comp).Error; err != nil {
		return nil, fmt.Errorf("enabling %s: %w", moduleID, err)
	}
	return comp, nil
}

// UpdateSettings validates form input against the module's schemas and,
// only when every field is valid, stores it. Session settings are keyed by
// session id.
func (c *Components) UpdateSettings(ctx context.Context, comp *Component, global map[string]string, perSession map[int64]map[string]string) (FieldErrors, error) {
	man, ok := c.reg.Manifest(comp.ModuleID)
	if !ok {
		return nil, perr.NotFound("module")
	}
	vals, errs := man.Settings.Parse(global)
	allErrs := FieldErrors{}
	for k, e := range errs {
		allErrs[k] = e
	}
	sess := map[string]Values{}
	for sid, form := range perSession {
		v, errs := man.SessionSettings.Parse(form)
		for k, e := range errs {
			allErrs[fmt.Sprintf("session_%d_%s", sid, k)] = e
		}
		sess[fmt.Sprint(sid)] = v
	}
	if len(allErrs) > 0 {
		return allErrs, nil
	}
	sb, _ := json.Marshal(sess)
	comp.Settings = vals.Encode()
	comp.SessionSettings = string(sb)
	if err := c.db.WithContext(ctx).Model(comp).Updates(map[string]any{"settings": comp.Settings, "session_settings": comp.SessionSettings, "updated_at": time.Now().UTC()}).Error; err != nil {
		return nil, fmt.Errorf("saving settings: %w", err)
	}
	return nil, nil
}

// SetValues stores already-typed values (presets), validating them
// through the schema's string form so presets and forms obey one rule.
func (c *Components) SetValues(ctx context.Context, comp *Component, global map[string]any, perSession map[int64]map[string]any) (FieldErrors, error) {
	toForm := func(s Schema, in map[string]any, base Values) map[string]string {
		f := map[string]string{}
		for _, st := range s {
			x, ok := in[st.Key]
			if !ok {
				x = base[st.Key]
			}
			if st.Type == Bool {
				if b, _ := x.(bool); b {
					f[st.Key] = "true"
				}
				continue
			}
			f[st.Key] = fmt.Sprint(x)
		}
		return f
	}
	man, ok := c.reg.Manifest(comp.ModuleID)
	if !ok {
		return nil, perr.NotFound("module")
	}
	g := toForm(man.Settings, global, c.Settings(comp))
	ps := map[int64]map[string]string{}
	for sid, in := range perSession {
		ps[sid] = toForm(man.SessionSettings, in, c.SessionSettings(comp, sid))
	}
	return c.UpdateSettings(ctx, comp, g, ps)
}
