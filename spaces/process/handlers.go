// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// process loads the full process of a space route (core resolved the
// space, and hid drafts from non-admins, before the handler runs).
func (h *handlers) process(c echo.Context) (*Process, error) {
	sp := web.Space(c)
	if sp == nil {
		return nil, perr.NotFound("process")
	}
	return h.svc.ByID(c.Request().Context(), sp.ID)
}

// audit records an admin action on a process.
func (h *handlers) audit(c echo.Context, action string, p *Process, details string) {
	e := web.AuditEntry{OrganisationID: web.Org(c).ID, ActorID: web.AccountID(c), Action: action, ResourceType: "process", Details: details}
	if a := web.Account(c); a != nil {
		e.ActorLabel = a.Nickname
	}
	if p != nil {
		e.ResourceID = fmt.Sprint(p.ID)
		e.SpaceID = p.ID
	}
	h.srv.Audit.Record(c.Request().Context(), e)
}

// bindJSON decodes a JSON API body strictly: a wrong content type, unknown
// fields or malformed JSON are bad requests.
func bindJSON(c echo.Context, dst any) error {
	if !strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		return perr.New(perr.CodeBadRequest, "error.content_type", nil)
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	return nil
}

// textFromForm reads a translated text posted as field_en, field_fr, …
func textFromForm(form map[string]string, field string) i18n.Text {
	t := i18n.Text{}
	for _, loc := range i18n.Supported {
		if v := strings.TrimSpace(form[field+"_"+loc]); v != "" {
			t[loc] = v
		}
	}
	return t
}

// canAdmin reports whether the requester administers the request's space
// (or, outside a space, the organisation's processes).
func (h *handlers) canAdmin(c echo.Context) bool {
	ok, err := h.srv.Can(c, "space.admin")
	return err == nil && ok
}

// publicComponents keeps the components visitors may see.
func publicComponents(comps []registry.Component, admin bool) []registry.Component {
	out := comps[:0:0]
	for _, cp := range comps {
		if cp.Published || admin {
			out = append(out, cp)
		}
	}
	return out
}

// asPerr returns err as a domain error when it is one.
func asPerr(err error) (*perr.Error, bool) { return perr.As(err) }
