// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"net/http"
	"time"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// handlers serve the process pages and API; each action lives in its own
// file, and routes lists them all.
type handlers struct {
	app    *app.App
	srv    *web.Server
	svc    *Service
	comps  *registry.Components
	now    func() time.Time
	prefix string
}

// adminPrefix is where the admin pages of processes live.
const adminPrefix = "/admin/processes"

// routes mounts every route of the process space type.
func (h *handlers) routes() {
	admin := web.NeedPermission("space.admin")
	get, post := http.MethodGet, http.MethodPost

	// Public pages and API.
	root := h.srv.Root()
	root.Page(get, h.prefix, web.NeedPublic, h.processList)
	root.API(get, h.prefix, web.NeedPublic, web.Operation{Summary: "List the processes visible to the requester (drafts for admins only)", Response: "array of processes"}, h.apiProcessList)
	space := h.srv.SpaceRouter(SpaceType, h.prefix)
	space.Page(get, "", web.NeedPublic, h.processShow)
	space.API(get, "", web.NeedPublic, web.Operation{Summary: "A process with its themes, sessions (current one marked) and components", Response: "process"}, h.apiProcessShow)

	// Organisation-level admin: list and create.
	root.Page(get, adminPrefix, admin, h.adminList)
	root.Page(get, adminPrefix+"/new", admin, h.adminNew)
	root.Page(post, adminPrefix, admin, h.adminCreate)
	root.API(http.MethodPost, h.prefix, admin, web.Operation{Summary: "Create a process (draft unless status says otherwise)",
		Body: map[string]string{"slug": "string", "title": "object", "subtitle": "object", "description": "object", "status": "string"}, Required: []string{"slug", "title"}, Response: "process"}, h.apiProcessCreate)

	// Per-process admin, in the process's permission domain so space
	// admins can use it too.
	ad := h.srv.SpaceRouter(SpaceType, adminPrefix)
	ad.Page(get, "", admin, h.adminEdit)
	ad.Page(post, "", admin, h.adminUpdate)
	ad.Page(post, "/status", admin, h.adminStatus)
	ad.Page(post, "/current-session", admin, h.adminCurrentSession)
	ad.Page(post, "/themes", admin, h.adminThemeAdd)
	ad.Page(post, "/themes/:key", admin, h.adminThemeEdit)
	ad.Page(post, "/themes/:key/delete", admin, h.adminThemeDelete)
	ad.Page(post, "/themes/:key/move", admin, h.adminThemeMove)
	ad.Page(post, "/sessions", admin, h.adminSessionAdd)
	ad.Page(post, "/sessions/:key", admin, h.adminSessionEdit)
	ad.Page(post, "/sessions/:key/delete", admin, h.adminSessionDelete)
	ad.Page(post, "/sessions/:key/move", admin, h.adminSessionMove)
	ad.Page(post, "/components", admin, h.adminComponentEnable)
	ad.Page(get, "/components/:cid", admin, h.adminComponentSettings)
	ad.Page(post, "/components/:cid", admin, h.adminComponentSettingsSave)
	ad.Page(post, "/components/:cid/meta", admin, h.adminComponentMeta)

	// Admin API.
	text := "object"
	space.API(http.MethodPatch, "", admin, web.Operation{Summary: "Update a process's slug, texts or status",
		Body: map[string]string{"slug": "string", "title": text, "subtitle": text, "description": text, "status": "string"}, Response: "process"}, h.apiProcessUpdate)
	space.API(post, "/status", admin, web.Operation{Summary: "Publish, close or return a process to draft",
		Body: map[string]string{"status": "string"}, Required: []string{"status"}, Response: "process"}, h.apiProcessStatus)
	space.API(post, "/current-session", admin, web.Operation{Summary: "Override the current session (empty key: follow the date windows)",
		Body: map[string]string{"session": "string"}, Response: "process"}, h.apiCurrentSession)
	space.API(http.MethodPut, "/themes", admin, web.Operation{Summary: "Replace the list of themes (matched by key, in display order)",
		Body: map[string]string{"themes": "array"}, Required: []string{"themes"}, Response: "process"}, h.apiThemesPut)
	space.API(http.MethodPut, "/sessions", admin, web.Operation{Summary: "Replace the list of sessions (matched by key, in display order)",
		Body: map[string]string{"sessions": "array"}, Required: []string{"sessions"}, Response: "process"}, h.apiSessionsPut)
	space.API(post, "/components", admin, web.Operation{Summary: "Enable a module in the process as a component",
		Body: map[string]string{"module": "string", "key": "string", "title": text}, Required: []string{"module"}, Response: "component"}, h.apiComponentEnable)
	space.API(http.MethodPatch, "/components/:cid", admin, web.Operation{Summary: "Rename a component, or publish or hide it",
		Body: map[string]string{"title": text, "published": "boolean"}, Response: "component"}, h.apiComponentUpdate)
	space.API(get, "/components/:cid/settings", admin, web.Operation{Summary: "A component's settings (global and per session key)", Response: "settings"}, h.apiComponentSettings)
	space.API(http.MethodPut, "/components/:cid/settings", admin, web.Operation{Summary: "Validate and store a component's settings; nothing changes when a field is invalid",
		Body: map[string]string{"settings": "object", "session_settings": "object"}, Response: "settings"}, h.apiComponentSettingsPut)
}
