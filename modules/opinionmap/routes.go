// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"net/http"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

func perm(action string) web.Need { return web.NeedPermission(registry.Permission(ID, action)) }

// Routes mounts the module's pages and API under a component router.
// Voting and submitting are public routes: who may take part depends on
// the conversation's participation setting (anonymous participants have
// no account to hold a permission), checked in the handlers.
func (m *Module) Routes(r *web.Router) {
	s := r.Server()
	if m.svc == nil {
		m.svc = NewService(s.DB, s.Components, m.jobs)
	}
	m.srv = s
	h := &handlers{s: s, svc: m.svc, panels: m.panels}
	get, post := http.MethodGet, http.MethodPost

	r.Page(get, "", web.NeedPublic, h.votePage)
	r.Page(post, "/vote", web.NeedPublic, h.voteForm)
	r.Page(post, "/statements", web.NeedPublic, h.submitForm)
	r.Page(get, "/map", web.NeedPublic, h.mapPage)
	r.Page(get, "/report", web.NeedPublic, h.reportPage)
	r.Page(get, "/statements", web.NeedPublic, h.statementsPage)
	r.Page(get, "/statements/:id", web.NeedPublic, h.statementPage)
	r.Page(get, "/admin", perm(ActionModerate), h.adminPage)
	r.Page(post, "/admin/statements", perm(ActionModerate), h.seedForm)
	r.Page(post, "/admin/statements/:id/accept", perm(ActionModerate), h.moderateForm(true))
	r.Page(post, "/admin/statements/:id/reject", perm(ActionModerate), h.moderateForm(false))
	r.Page(get, "/export/comments.csv", web.NeedPublic, h.exportCSV("comments"))
	r.Page(get, "/export/votes.csv", web.NeedPublic, h.exportCSV("votes"))
	r.Page(get, "/export/participants-votes.csv", web.NeedPublic, h.exportCSV("participants"))

	r.API(get, "/next", web.NeedPublic, web.Operation{Summary: "The next statement to vote on (routing priority); null when none is left; for an anonymous participant who may submit, a proof-of-work challenge", Response: "statement"}, h.apiNext)
	r.API(post, "/votes", web.NeedPublic, web.Operation{Summary: "Vote on a statement (agree, disagree, pass); voting again changes the vote",
		Body: map[string]string{"statement_id": "integer", "vote": "string"}, Required: []string{"statement_id", "vote"}, Response: "vote and next statement"}, h.apiVote)
	r.API(post, "/statements", web.NeedPublic, web.Operation{Summary: "Submit a statement; an anonymous participant adds a solved proof of work (pow_challenge from GET next, pow_nonce), else at most 5 an hour per address", Body: map[string]string{"body": "string", "pow_challenge": "string", "pow_nonce": "string"}, Required: []string{"body"}, Response: "statement"}, h.apiSubmit)
	r.API(get, "/statements", web.NeedPublic, web.Operation{Summary: "The visible statements", Response: "statements"}, h.apiStatements)
	r.API(get, "/results", web.NeedPublic, web.Operation{Summary: "The last computed results: groups, representative, consensus and divisive statements, freshness", Response: "results"}, h.apiResults)
	r.API(get, "/moderation", perm(ActionModerate), web.Operation{Summary: "Statements waiting for moderation", Response: "statements"}, h.apiQueue)
	r.API(post, "/statements/:id/accept", perm(ActionModerate), web.Operation{Summary: "Accept a statement", Response: "statement"}, h.apiModerate(true))
	r.API(post, "/statements/:id/reject", perm(ActionModerate), web.Operation{Summary: "Reject a statement", Response: "statement"}, h.apiModerate(false))
}
