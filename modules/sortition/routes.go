// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"net/http"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// permAdmin is the organisers' permission: the pool (personal data of the
// volunteers), the commitment, the draw and replacements. Space and
// organisation admins always hold it; a space admin can also grant it to
// the moderator or evaluator role of one space (e.g. the commission that
// runs the draw) without making them space admins.
var permAdmin = registry.Permission(ID, ActionAdmin)

var needAdmin = web.NeedPermission(permAdmin)

// Routes mounts the pages and API of the module under a component router.
func (m *Module) Routes(r *web.Router) {
	s := r.Server()
	if m.svc == nil {
		m.svc = NewService(s, m.jobs, m.panels)
	}
	h := &handlers{s: s, svc: m.svc}
	get, post := http.MethodGet, http.MethodPost

	r.Page(get, "", web.NeedPublic, h.index)
	r.Page(get, "/record.json", web.NeedPublic, h.recordJSON)
	r.Page(get, "/verify", web.NeedPublic, h.verify)
	r.Page(post, "/verify", web.NeedPublic, h.verifyPosted)
	r.Page(get, "/pool", needAdmin, h.pool)
	r.Page(post, "/pool", needAdmin, h.upload)
	r.Page(post, "/commit", needAdmin, h.commit)
	r.Page(post, "/draw", needAdmin, h.draw)
	r.Page(post, "/replace", needAdmin, h.replace)
	r.Page(post, "/setup", needAdmin, h.setup)
	r.Page(post, "/signup/close", needAdmin, h.closeSignup)
	r.Page(post, "/signup/reopen", needAdmin, h.reopenSignup)
	// Volunteering: any signed-in account of the organisation, once per
	// draw; each account sees and withdraws only its own sign-up.
	r.Page(post, "/signup", web.NeedLogin, h.signup)
	r.Page(post, "/signup/withdraw", web.NeedLogin, h.withdraw)
	r.Page(get, "/replacements/:id", web.NeedPublic, h.replacementJSON)

	r.API(get, "/record", web.NeedPublic, web.Operation{Summary: "Published record of the panel draw (pseudonymous pool, quotas, lottery panels, seed inputs)", Response: "record"}, h.recordJSON)
	r.API(get, "/verify", web.NeedPublic, web.Operation{Summary: "Replay the published record and return the panel it draws", Response: "verification"}, h.apiVerify)
}
