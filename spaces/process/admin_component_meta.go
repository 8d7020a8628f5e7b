// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// updateComponentMeta renames a component and publishes or hides it
// (hidden components exist only for the process's admins).
func (h *handlers) updateComponentMeta(ctx context.Context, comp *registry.Component, title i18n.Text, published bool) error {
	if m := validText(title, true, 200); m != "" {
		return Fields{"title": m}.Err()
	}
	err := h.app.DB.WithContext(ctx).Model(&registry.Component{ID: comp.ID}).
		Updates(map[string]any{"title": title, "published": published, "updated_at": time.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("updating component %d: %w", comp.ID, err)
	}
	comp.Title, comp.Published = title, published
	return nil
}

// adminComponentMeta saves a component's title and visibility.
func (h *handlers) adminComponentMeta(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	comp, man, err := h.component(c, p)
	if err != nil {
		return err
	}
	if err := h.updateComponentMeta(c.Request().Context(), comp, textFromForm(form, "title"), form["published"] == "on" || form["published"] == "true"); err != nil {
		if pe, ok := asPerr(err); ok && pe.Code == perr.CodeInvalid {
			return h.renderSettingsMeta(c, p, comp, man, form, pe.Fields)
		}
		return err
	}
	h.auditComponent(c, p, "component.update", comp, fmt.Sprintf("published=%v", comp.Published))
	h.srv.Flash(c, "process.admin.saved")
	return web.Redirect(c, fmt.Sprintf("%s/%s/components/%d", adminPrefix, p.Slug, comp.ID))
}

// renderSettingsMeta shows the settings page with the rejected title form.
func (h *handlers) renderSettingsMeta(c echo.Context, p *Process, comp *registry.Component, man registry.Manifest, form map[string]string, errs map[string]string) error {
	return h.renderSettingsPage(c, http.StatusUnprocessableEntity, p, comp, man, nil, nil, form, errs)
}

// apiComponentUpdate renames a component or publishes or hides it.
func (h *handlers) apiComponentUpdate(c echo.Context) error {
	var b struct {
		Title     *i18n.Text `json:"title"`
		Published *bool      `json:"published"`
	}
	if err := bindJSON(c, &b); err != nil {
		return err
	}
	p, err := h.process(c)
	if err != nil {
		return err
	}
	comp, _, err := h.component(c, p)
	if err != nil {
		return err
	}
	title, published := comp.Title, comp.Published
	if b.Title != nil {
		title = *b.Title
	}
	if b.Published != nil {
		published = *b.Published
	}
	if err := h.updateComponentMeta(c.Request().Context(), comp, title, published); err != nil {
		return err
	}
	h.auditComponent(c, p, "component.update", comp, fmt.Sprintf("published=%v", comp.Published))
	return c.JSON(http.StatusOK, componentJSON(h.prefix, p, *comp))
}
