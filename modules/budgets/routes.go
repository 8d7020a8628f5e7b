// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"net/http"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

func perm(action string) web.Need { return web.NeedPermission(registry.Permission(ID, action)) }

// Routes mounts the module's pages and API under a component router.
func (m *Module) Routes(r *web.Router) {
	s := r.Server()
	if m.svc == nil {
		m.svc = NewService(s.DB, s.Components, s.Audit)
	}
	m.srv = s
	h := &handlers{s: s, svc: m.svc}
	get, post, del := http.MethodGet, http.MethodPost, http.MethodDelete
	vote, manage := perm(ActionVote), perm(ActionManage)

	// Pages.
	r.Page(get, "", web.NeedPublic, h.index)
	r.Page(get, "/budgets/:bid", web.NeedPublic, h.show)
	r.Page(post, "/budgets/:bid/basket/add", vote, h.basketAdd)
	r.Page(post, "/budgets/:bid/basket/remove", vote, h.basketRemove)
	r.Page(post, "/budgets/:bid/checkout", vote, h.checkout)
	r.Page(get, "/budgets/:bid/results", web.NeedPublic, h.results)
	r.Page(get, "/budgets/:bid/ballots.pb", web.NeedPublic, h.exportPB)
	r.Page(get, "/budgets/:bid/projects.csv", web.NeedPublic, h.projectsCSV)
	r.Page(get, "/budgets/:bid/projects.json", web.NeedPublic, h.projectsJSON)
	r.Page(get, "/admin", manage, h.adminIndex)
	r.Page(post, "/admin/budgets", manage, h.adminCreate)
	r.Page(get, "/admin/budgets/:bid", manage, h.adminShow)
	r.Page(post, "/admin/budgets/:bid", manage, h.adminUpdate)
	r.Page(post, "/admin/budgets/:bid/projects", manage, h.adminProjectCreate)
	r.Page(post, "/admin/budgets/:bid/projects/:pid", manage, h.adminProjectUpdate)
	r.Page(post, "/admin/budgets/:bid/projects/:pid/delete", manage, h.adminProjectDelete)
	r.Page(post, "/admin/budgets/:bid/import-csv", manage, h.adminImportCSV)
	r.Page(post, "/admin/budgets/:bid/import-contributions", manage, h.adminImportContributions)
	r.Page(post, "/admin/budgets/:bid/state", manage, h.adminState)
	r.Page(post, "/admin/budgets/:bid/publish", manage, h.adminPublish)

	// JSON API.
	bj := "budget (JSON)"
	r.API(get, "/budgets", web.NeedPublic, web.Operation{Summary: "List the component's budgets", Response: "budgets"}, h.apiList)
	r.API(get, "/budgets/:bid", web.NeedPublic, web.Operation{Summary: "A budget with its projects", Response: bj}, h.apiShow)
	r.API(get, "/budgets/:bid/basket", vote, web.Operation{Summary: "One's basket and the rule's verdict (violations, needs, remaining)", Response: "basket"}, h.apiBasket)
	r.API(post, "/budgets/:bid/basket", vote, web.Operation{Summary: "Put a project in one's basket (points for cardinal ballots)",
		Body: map[string]string{"project_id": "integer", "points": "integer"}, Required: []string{"project_id"}, Response: "basket"}, h.apiBasketAdd)
	r.API(del, "/budgets/:bid/basket/:pid", vote, web.Operation{Summary: "Take a project out of one's basket", Response: "basket"}, h.apiBasketRemove)
	r.API(post, "/budgets/:bid/checkout", vote, web.Operation{Summary: "Check out one's basket as one's ballot (once per budget); a refusal keeps the basket and gives the reasons", Response: "ballot"}, h.apiCheckout)
	r.API(get, "/budgets/:bid/ballot", web.NeedLogin, web.Operation{Summary: "One's checked-out ballot", Response: "ballot"}, h.apiBallot)
	r.API(get, "/budgets/:bid/results", web.NeedPublic, web.Operation{Summary: "Published results: greedy and MES outcomes, per-project explanations, input SHA-256", Response: "results"}, h.apiResults)
	r.API(get, "/budgets/:bid/projects", web.NeedPublic, web.Operation{Summary: "Projects of a budget (export)", Response: "projects"}, h.projectsJSON)
	r.API(post, "/budgets", manage, web.Operation{Summary: "Create a budget (draft)", Body: budgetBody, Required: []string{"title", "total"}, Response: bj}, h.apiCreate)
	r.API(post, "/budgets/:bid", manage, web.Operation{Summary: "Update a draft budget", Body: budgetBody, Required: []string{"title", "total"}, Response: bj}, h.apiUpdate)
	r.API(post, "/budgets/:bid/projects", manage, web.Operation{Summary: "Add a project to a draft budget", Body: projectBody, Required: []string{"title", "cost"}, Response: "project"}, h.apiProjectCreate)
	r.API(post, "/budgets/:bid/projects/:pid", manage, web.Operation{Summary: "Update a project of a draft budget", Body: projectBody, Required: []string{"title", "cost"}, Response: "project"}, h.apiProjectUpdate)
	r.API(del, "/budgets/:bid/projects/:pid", manage, web.Operation{Summary: "Delete a project of a draft budget", Response: "empty"}, h.apiProjectDelete)
	r.API(post, "/budgets/:bid/import-contributions", manage, web.Operation{Summary: "Import the accepted contributions of a component of the space as projects",
		Body: map[string]string{"component_id": "integer", "cost": "integer"}, Required: []string{"component_id", "cost"}, Response: "count"}, h.apiImportContributions)
	r.API(post, "/budgets/:bid/state", manage, web.Operation{Summary: "Open (from draft) or close (from open) the vote", Body: map[string]string{"state": "string"}, Required: []string{"state"}, Response: bj}, h.apiState)
	r.API(post, "/budgets/:bid/publish", manage, web.Operation{Summary: "Compute and publish the results of a closed budget", Response: "results"}, h.apiPublish)
}

var budgetBody = map[string]string{"title": "string", "description": "string", "total": "integer", "ballot_kind": "string", "knapsack": "boolean",
	"max_cost": "integer", "min_projects": "integer", "max_projects": "integer", "threshold_percent": "integer", "max_points": "integer",
	"max_points_project": "integer", "max_score": "integer", "outcome_rule": "string", "completion": "string"}

var projectBody = map[string]string{"title": "string", "description": "string", "cost": "integer", "theme_id": "integer", "location": "string", "image_url": "string"}
