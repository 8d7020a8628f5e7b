// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

// AdminListPage is the data of the admin list of processes.
type AdminListPage struct {
	Processes []Process
	Prefix    string
}

// adminList lists every process of the organisation, drafts included.
func (h *handlers) adminList(c echo.Context) error {
	list, err := h.svc.List(c.Request().Context(), orgID(c))
	if err != nil {
		return err
	}
	return h.srv.Render(c, http.StatusOK, "admin/processes", AdminListPage{Processes: list, Prefix: h.prefix})
}

// adminNew shows the form that creates a process.
func (h *handlers) adminNew(c echo.Context) error {
	return h.srv.Render(c, http.StatusOK, "admin/process_new", ProcessForm{Locales: i18n.Supported, Values: map[string]string{}})
}

// adminCreate creates a draft process from the form.
func (h *handlers) adminCreate(c echo.Context) error {
	if err := web.RequireForm(c); err != nil {
		return err
	}
	form, err := web.FormMap(c)
	if err != nil {
		return err
	}
	p := &Process{}
	processFromForm(p, form)
	if err := h.svc.Create(c.Request().Context(), orgID(c), p); err != nil {
		if pe, ok := perr.As(err); ok && pe.Code == perr.CodeInvalid {
			return h.srv.Render(c, http.StatusUnprocessableEntity, "admin/process_new", ProcessForm{Locales: i18n.Supported, Values: form, Errors: pe.Fields})
		}
		return err
	}
	h.audit(c, "process.create", p, p.Slug)
	h.srv.Flash(c, "process.admin.created")
	return web.Redirect(c, adminPrefix+"/"+p.Slug)
}

// renderEdit shows a process's admin page, with a rejected form's values
// and errors when failed is not empty.
func (h *handlers) renderEdit(c echo.Context, p *Process, status int, failed string, values map[string]string, errs Fields) error {
	ctx := c.Request().Context()
	comps, err := h.comps.InSpace(ctx, SpaceType, p.ID)
	if err != nil {
		return err
	}
	reg := h.comps.Registry()
	rows := make([]ComponentRow, 0, len(comps))
	for _, cp := range comps {
		man, ok := reg.Manifest(cp.ModuleID)
		rows = append(rows, ComponentRow{Component: cp, ModuleName: man.Name, Registered: ok})
	}
	var mods []ModuleOption
	for _, id := range reg.IDs() {
		man, _ := reg.Manifest(id)
		mods = append(mods, ModuleOption{ID: id, Name: man.Name})
	}
	views, cur := sessionViews(p, h.now().UTC())
	return h.srv.Render(c, status, "admin/process_edit", EditPage{Process: p, Sessions: views, Current: cur, Components: rows, Modules: mods,
		Locales: i18n.Supported, Statuses: Statuses, PublicURL: h.prefix + "/" + p.Slug, AdminURL: adminPrefix + "/" + p.Slug,
		Failed: failed, Values: values, Errors: errs})
}

// rejected re-renders the admin page when err is an invalid-input error,
// and returns any other error as it is.
func (h *handlers) rejected(c echo.Context, p *Process, failed string, form map[string]string, err error, mapFields func(Fields) Fields) error {
	pe, ok := perr.As(err)
	if !ok || pe.Code != perr.CodeInvalid {
		return err
	}
	f := Fields(pe.Fields)
	if mapFields != nil {
		f = mapFields(f)
	}
	if len(f) == 0 {
		f = Fields{"_": pe.MessageID}
	}
	return h.renderEdit(c, p, http.StatusUnprocessableEntity, failed, form, f)
}

// adminEdit shows a process's admin page.
func (h *handlers) adminEdit(c echo.Context) error {
	p, err := h.process(c)
	if err != nil {
		return err
	}
	return h.renderEdit(c, p, http.StatusOK, "", nil, nil)
}

// adminForm checks the content type and reads the posted form and the
// process.
func (h *handlers) adminForm(c echo.Context) (*Process, map[string]string, error) {
	if err := web.RequireForm(c); err != nil {
		return nil, nil, err
	}
	form, err := web.FormMap(c)
	if err != nil {
		return nil, nil, err
	}
	p, err := h.process(c)
	if err != nil {
		return nil, nil, err
	}
	return p, form, nil
}

// done records the action, flashes a message and returns to the page.
func (h *handlers) done(c echo.Context, p *Process, action, details, anchor string) error {
	h.audit(c, action, p, details)
	h.srv.Flash(c, "process.admin.saved")
	return web.Redirect(c, adminPrefix+"/"+p.Slug+anchor)
}

// adminUpdate saves the process's slug and texts.
func (h *handlers) adminUpdate(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	before := *p
	processFromForm(p, form)
	if err := h.svc.Update(c.Request().Context(), p); err != nil {
		return h.rejected(c, &before, "process", form, err, nil)
	}
	return h.done(c, p, "process.update", p.Slug, "")
}

// adminStatus publishes, closes or returns a process to draft.
func (h *handlers) adminStatus(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	if err := h.svc.SetStatus(c.Request().Context(), p, form["status"]); err != nil {
		return h.rejected(c, p, "status", form, err, nil)
	}
	return h.done(c, p, "process.status", p.Status, "")
}

// adminCurrentSession overrides the current session ("" follows the
// calendar).
func (h *handlers) adminCurrentSession(c echo.Context) error {
	p, form, err := h.adminForm(c)
	if err != nil {
		return err
	}
	if err := h.svc.SetCurrentSession(c.Request().Context(), p, form["session"]); err != nil {
		return h.rejected(c, p, "current", form, err, nil)
	}
	return h.done(c, p, "process.current_session", form["session"], "#sessions")
}
