// SPDX-License-Identifier: AGPL-3.0-or-later

package notes

import (
	"net/http"

	"github.com/polder-civic/polder/core/web"
)

// Routes mounts every page and API route of the module on a component
// router: pages under /<space prefix>/<slug>/c/<component id>, API routes
// under /api/v1 followed by the same path.
func (m *Module) Routes(r *web.Router) {
	if m.board == nil {
		m.board = NewBoard(r.Server().DB)
	}
	h := &handlers{srv: r.Server(), board: m.board}
	r.Page(http.MethodGet, "", web.NeedPublic, h.index)
	r.Page(http.MethodPost, "", web.NeedPermission(PermCreate), h.create)
	r.API(http.MethodGet, "/notes", web.NeedPublic, web.Operation{Summary: "List the notes of a notes component, newest first", Response: "array of notes"}, h.apiList)
	r.API(http.MethodPost, "/notes", web.NeedPermission(PermCreate), web.Operation{Summary: "Pin a note",
		Body: map[string]string{"body": "string"}, Required: []string{"body"}, Response: "note"}, h.apiCreate)
}
