// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"net/http"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

var needBuild = web.NeedPermission(registry.Permission(ID, ActionBuild))

// Routes mounts the pages and API of the module under a component router.
func (m *Module) Routes(r *web.Router) {
	s := r.Server()
	if m.svc == nil {
		m.svc = NewService(s, m.jobs, m.Summariser)
	}
	h := &handlers{s: s, svc: m.svc}
	get, post := http.MethodGet, http.MethodPost

	r.Page(get, "", web.NeedPublic, h.index)
	r.Page(post, "/syntheses", needBuild, h.create)
	r.Page(get, "/method", web.NeedPublic, h.method)
	r.Page(get, "/syntheses/:id", web.NeedPublic, h.show)
	r.Page(get, "/syntheses/:id/topics/:theme/:topic", web.NeedPublic, h.topic)
	r.Page(post, "/syntheses/:id/label", needBuild, h.label)
	r.Page(post, "/syntheses/:id/introduction", needBuild, h.introduction)
	r.Page(post, "/syntheses/:id/publish", needBuild, h.publish)
	r.Page(get, "/syntheses/:id/synthesis.md", web.NeedPublic, h.markdown)
	r.Page(get, "/syntheses/:id/synthesis.html", web.NeedPublic, h.htmlDownload)
	r.Page(get, "/syntheses/:id/synthesis.json", web.NeedPublic, h.openData)
	r.Page(get, "/syntheses/:id/synthesis.csv", web.NeedPublic, h.csvDownload)

	sj := "synthesis version (JSON)"
	r.API(get, "/syntheses", web.NeedPublic, web.Operation{Summary: "List syntheses (published ones; all for organisers)", Response: "versions"}, h.apiList)
	r.API(post, "/syntheses", needBuild, web.Operation{Summary: "Build a new version in the background from sources and a slice",
		Body: map[string]string{"kind": "string", "sources": "array", "kinds": "array", "theme_id": "integer", "session_id": "integer", "from": "string", "to": "string"}, Required: []string{"kind", "sources"}, Response: sj}, h.apiCreate)
	r.API(get, "/syntheses/:id", web.NeedPublic, web.Operation{Summary: "A version with its result (open data)", Response: sj}, h.openData)
	r.API(get, "/syntheses/:id/status", web.NeedPublic, web.Operation{Summary: "Build status and progress of a version", Response: "status"}, h.apiStatus)
	r.API(post, "/syntheses/:id/publish", needBuild, web.Operation{Summary: "Publish (freeze) a built version", Response: sj}, h.apiPublish)
}
