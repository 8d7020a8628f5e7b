// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// themeIndex returns the position of a theme in the process's list.
func themeIndex(p *Process, key string) int {
	for i, t := range p.Themes {
		if t.Key == key {
			return i
		}
	}
	return -1
}

// themeFromForm reads a theme's editable fields.
func themeFromForm(t *Theme, form map[string]string) {
	t.Title = textFromForm(form, "title")
	t.Description = textFromForm(form, "description")
	t.Transversal = form["transversal"] == "on" || form["transversal"] == "true"
}

// adminThemeAdd appends a theme.
func (h *handlers) adminThemeAdd(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	t := Theme{Key: strings.TrimSpace(form["key"])}
	themeFromForm(&t, form)
	themes := append(append([]Theme(nil), p.Themes...), t)
	i := len(themes) - 1
	if err := h.svc.SaveThemes(c.Request().Context(), p, themes); err != nil {
		return h.rejected(c, p, "theme-add", form, err, func(f Fields) Fields { return fieldsAt(f, "themes", i) })
	}
	return h.done(c, p, "process.theme_add", t.Key, "#themes")
}

// adminThemeEdit changes a theme's title, description or transversality
// (its key stays: contributions refer to the theme).
func (h *handlers) adminThemeEdit(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	key := c.Param("key")
	i := themeIndex(p, key)
	if i < 0 {
		return Fields{"key": "process.error.no_theme"}.Err()
	}
	themes := append([]Theme(nil), p.Themes...)
	themeFromForm(&themes[i], form)
	if err := h.svc.SaveThemes(c.Request().Context(), p, themes); err != nil {
		return h.rejected(c, p, "theme:"+key, form, err, func(f Fields) Fields { return fieldsAt(f, "themes", i) })
	}
	return h.done(c, p, "process.theme_edit", key, "#themes")
}

// adminThemeDelete removes a theme.
func (h *handlers) adminThemeDelete(c echo.Context) error {
	p, _, err := h.adminForm(c)
	if err != nil {
		return err
	}
	key := c.Param("key")
	i := themeIndex(p, key)
	if i < 0 {
		return Fields{"key": "process.error.no_theme"}.Err()
	}
	themes := append(append([]Theme(nil), p.Themes[:i]...), p.Themes[i+1:]...)
	if err := h.svc.SaveThemes(c.Request().Context(), p, themes); err != nil {
		return err
	}
	return h.done(c, p, "process.theme_remove", key, "#themes")
}

// adminThemeMove moves a theme one place up or down.
func (h *handlers) adminThemeMove(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	key := c.Param("key")
	i := themeIndex(p, key)
	if i < 0 {
		return Fields{"key": "process.error.no_theme"}.Err()
	}
	j, err := moveTarget(i, len(p.Themes), form["direction"])
	if err != nil {
		return err
	}
	themes := append([]Theme(nil), p.Themes...)
	themes[i], themes[j] = themes[j], themes[i]
	if err := h.svc.SaveThemes(c.Request().Context(), p, themes); err != nil {
		return err
	}
	return h.done(c, p, "process.theme_move", key+" "+form["direction"], "#themes")
}

// moveTarget returns where an element at i of n moves to.
func moveTarget(i, n int, direction string) (int, error) {
	switch {
	case direction == "up" && i > 0:
		return i - 1, nil
	case direction == "down" && i < n-1:
		return i + 1, nil
	}
	return 0, Fields{"direction": "process.error.move"}.Err()
}
