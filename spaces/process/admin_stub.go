// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import "github.com/labstack/echo/v4"

func (h *handlers) adminList(c echo.Context) error                 { return nil }
func (h *handlers) adminNew(c echo.Context) error                  { return nil }
func (h *handlers) adminCreate(c echo.Context) error               { return nil }
func (h *handlers) adminEdit(c echo.Context) error                 { return nil }
func (h *handlers) adminUpdate(c echo.Context) error               { return nil }
func (h *handlers) adminStatus(c echo.Context) error               { return nil }
func (h *handlers) adminCurrentSession(c echo.Context) error       { return nil }
func (h *handlers) adminThemeAdd(c echo.Context) error             { return nil }
func (h *handlers) adminThemeEdit(c echo.Context) error            { return nil }
func (h *handlers) adminThemeDelete(c echo.Context) error          { return nil }
func (h *handlers) adminThemeMove(c echo.Context) error            { return nil }
func (h *handlers) adminSessionAdd(c echo.Context) error           { return nil }
func (h *handlers) adminSessionEdit(c echo.Context) error          { return nil }
func (h *handlers) adminSessionDelete(c echo.Context) error        { return nil }
func (h *handlers) adminSessionMove(c echo.Context) error          { return nil }
func (h *handlers) adminComponentEnable(c echo.Context) error      { return nil }
func (h *handlers) adminComponentSettings(c echo.Context) error    { return nil }
func (h *handlers) adminComponentSettingsSave(c echo.Context) error { return nil }
func (h *handlers) apiProcessCreate(c echo.Context) error          { return nil }
func (h *handlers) apiProcessUpdate(c echo.Context) error          { return nil }
func (h *handlers) apiProcessStatus(c echo.Context) error          { return nil }
func (h *handlers) apiCurrentSession(c echo.Context) error         { return nil }
func (h *handlers) apiThemesPut(c echo.Context) error              { return nil }
func (h *handlers) apiSessionsPut(c echo.Context) error            { return nil }
func (h *handlers) apiComponentEnable(c echo.Context) error        { return nil }
func (h *handlers) apiComponentSettings(c echo.Context) error      { return nil }
func (h *handlers) apiComponentSettingsPut(c echo.Context) error   { return nil }
