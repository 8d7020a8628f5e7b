// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"log/slog"
	"net/http"

	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

func perm(action string) web.Need { return web.NeedPermission(registry.Permission(ID, action)) }

// Routes mounts every page and API route of the module under a component
// router (/processes/:space/c/:component).
// Mounted once per space type, the module keeps one service.
func (m *Module) Routes(r *web.Router) {
	s := r.Server()
	if m.svc == nil {
		m.svc, m.srv = NewService(s.DB, s.Components, s.Audit), s
		if err := m.svc.CacheCounts(); err != nil {
			// Uncached counts are only slower.
			slog.Error("proposals: counts not cached", "err", err)
		}
	}
	h := &handlers{s: s, svc: m.svc}
	get, post, del := http.MethodGet, http.MethodPost, http.MethodDelete

	// Pages.
	r.Page(get, "", web.NeedPublic, h.index)
	r.Page(get, "/mine", web.NeedLogin, h.mine)
	r.Page(get, "/proposals/new", perm(ActionCreate), h.newForm)
	r.Page(post, "/proposals", perm(ActionCreate), h.create)
	r.Page(get, "/proposals/:id", web.NeedPublic, h.show)
	r.Page(get, "/proposals/:id/edit", web.NeedLogin, h.editForm)
	r.Page(post, "/proposals/:id/edit", web.NeedLogin, h.edit)
	r.Page(post, "/proposals/:id/publish", perm(ActionCreate), h.postAction("proposals.flash.published", h.publish))
	r.Page(post, "/proposals/:id/withdraw", web.NeedLogin, h.postAction("proposals.flash.withdrawn", h.withdraw))
	r.Page(post, "/proposals/:id/answer", perm(ActionAnswer), h.postAction("proposals.flash.answered", h.answer))
	r.Page(post, "/proposals/:id/support", perm(ActionSupport), h.postAction("proposals.flash.supported", h.support))
	r.Page(post, "/proposals/:id/unsupport", perm(ActionSupport), h.postAction("proposals.flash.unsupported", h.unsupport))
	r.Page(post, "/proposals/:id/comments", perm(ActionComment), h.postAction("comments.flash.added", h.comment))
	r.Page(get, "/proposals/:rid/report", perm(ActionReport), h.reportForm(ResourceType))
	r.Page(post, "/proposals/:rid/report", perm(ActionReport), h.report(ResourceType))
	r.Page(get, "/comments/:cid/edit", web.NeedLogin, h.commentEditForm)
	r.Page(post, "/comments/:cid/edit", web.NeedLogin, h.commentEdit)
	r.Page(post, "/comments/:cid/delete", web.NeedLogin, h.commentDelete)
	r.Page(get, "/comments/:rid/report", perm(ActionReport), h.reportForm(comments.ResourceType))
	r.Page(post, "/comments/:rid/report", perm(ActionReport), h.report(comments.ResourceType))
	r.Page(get, "/moderation", perm(ActionModerate), h.queue)
	r.Page(post, "/moderation/:mid/hide", perm(ActionModerate), h.moderate(true))
	r.Page(post, "/moderation/:mid/unhide", perm(ActionModerate), h.moderate(false))
	r.Page(get, "/export.csv", web.NeedPublic, h.exportCSV(false))
	r.Page(get, "/export.json", web.NeedPublic, h.exportJSON(false))
	r.Page(get, "/admin/export.csv", web.NeedPermission("space.admin"), h.exportCSV(true))
	r.Page(get, "/admin/export.json", web.NeedPermission("space.admin"), h.exportJSON(true))

	// JSON API.
	pj := "proposal (JSON)"
	r.API(get, "/proposals", web.NeedPublic, web.Operation{Summary: "List proposals (filters theme, session, state, author, q; sort recent|supported|random with seed; page, per_page)", Response: "page of proposals"}, h.apiList)
	r.API(post, "/proposals", perm(ActionCreate), web.Operation{Summary: "File a proposal (publish=false keeps a draft); quotas are checked atomically",
		Body: map[string]string{"theme_id": "integer", "session_id": "integer", "title": "string", "body": "string", "publish": "boolean", "locale": "string"}, Required: []string{"theme_id", "title", "body"}, Response: pj}, h.apiCreate)
	r.API(get, "/proposals/:id", web.NeedPublic, web.Operation{Summary: "Get a proposal", Response: pj}, h.apiShow)
	r.API(post, "/proposals/:id/edit", web.NeedLogin, web.Operation{Summary: "Edit one's proposal (draft, or within the edit window)", Body: map[string]string{"title": "string", "body": "string"}, Required: []string{"title", "body"}, Response: pj}, h.apiAction(h.apiEdit))
	r.API(post, "/proposals/:id/publish", perm(ActionCreate), web.Operation{Summary: "Publish one's draft", Response: pj}, h.apiAction(h.apiPublish))
	r.API(post, "/proposals/:id/withdraw", web.NeedLogin, web.Operation{Summary: "Withdraw one's proposal", Response: pj}, h.apiAction(h.apiWithdraw))
	r.API(post, "/proposals/:id/answer", perm(ActionAnswer), web.Operation{Summary: "Answer a proposal officially", Body: map[string]string{"answer_state": "string", "answer_text": "string"}, Required: []string{"answer_state"}, Response: pj}, h.apiAction(h.apiAnswer))
	r.API(post, "/proposals/:id/support", perm(ActionSupport), web.Operation{Summary: "Support a proposal", Response: pj}, h.apiAction(h.apiSupport))
	r.API(del, "/proposals/:id/support", perm(ActionSupport), web.Operation{Summary: "Remove one's support", Response: pj}, h.apiAction(h.apiSupport))
	r.API(get, "/proposals/:id/verify", web.NeedPublic, web.Operation{Summary: "Check a proposal against its fingerprint (optional ?fingerprint=)", Response: "verification"}, h.verify)
	r.API(get, "/proposals/:id/comments", web.NeedPublic, web.Operation{Summary: "The comment thread of a proposal", Response: "thread"}, h.apiComments)
	r.API(post, "/proposals/:id/comments", perm(ActionComment), web.Operation{Summary: "Comment a proposal", Body: map[string]string{"parent_id": "integer", "body": "string", "stance": "string"}, Required: []string{"body"}, Response: "comment"}, h.apiComments)
	r.API(post, "/proposals/:rid/report", perm(ActionReport), web.Operation{Summary: "Report a proposal", Body: map[string]string{"reason": "string", "details": "string"}, Required: []string{"reason"}, Response: "report outcome"}, h.report(ResourceType))
	r.API(post, "/comments/:rid/report", perm(ActionReport), web.Operation{Summary: "Report a comment", Body: map[string]string{"reason": "string", "details": "string"}, Required: []string{"reason"}, Response: "report outcome"}, h.report(comments.ResourceType))
	r.API(get, "/counts", web.NeedPublic, web.Operation{Summary: "Proposals per theme and session", Response: "counts"}, h.apiCounts)
	r.API(get, "/mine", web.NeedLogin, web.Operation{Summary: "One's proposals and remaining quota per theme", Response: "proposals and quota"}, h.mine)
	r.API(get, "/moderation", perm(ActionModerate), web.Operation{Summary: "The moderation queue", Response: "queue"}, h.queue)
	r.API(post, "/moderation/:mid/hide", perm(ActionModerate), web.Operation{Summary: "Hide a reported resource", Response: "moderation"}, h.moderate(true))
	r.API(post, "/moderation/:mid/unhide", perm(ActionModerate), web.Operation{Summary: "Show a hidden resource again", Response: "moderation"}, h.moderate(false))
	r.API(get, "/export.json", web.NeedPublic, web.Operation{Summary: "Public export (no personal data), streamed", Response: "export"}, h.exportJSON(false))
}
