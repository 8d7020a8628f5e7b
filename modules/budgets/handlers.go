// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

// handlers are the module's thin HTTP handlers: bind, call one Service
// method, map the error, render.
type handlers struct {
	s   *web.Server
	svc *Service
}

// Base is what every page of the module shows.
type Base struct {
	Space     *registry.Space
	Component *registry.Component
	URL       string
	CanVote   bool
	CanManage bool
}

// ThemeTitle is the title of one of the space's themes.
func (b Base) ThemeTitle(id int64) i18n.Text {
	if t, ok := b.Space.Theme(id); ok {
		return t.Title
	}
	return i18n.Text{}
}

func (h *handlers) url(c echo.Context, rest string) string {
	sp, comp := web.Space(c), web.Component(c)
	return web.SpacePrefixes[sp.Type] + "/" + sp.Slug + "/c/" + strconv.FormatInt(comp.ID, 10) + rest
}

func (h *handlers) can(c echo.Context, action string) bool {
	ok, err := h.s.Can(c, registry.Permission(ID, action))
	return err == nil && ok
}

func (h *handlers) base(c echo.Context) Base {
	return Base{Space: web.Space(c), Component: web.Component(c), URL: h.url(c, ""), CanVote: h.can(c, ActionVote), CanManage: h.can(c, ActionManage)}
}

// budget loads the :bid budget of the route's component.
func (h *handlers) budget(c echo.Context) (*Budget, error) {
	id, err := strconv.ParseInt(c.Param("bid"), 10, 64)
	if err != nil || id <= 0 {
		return nil, perr.NotFound("budget")
	}
	b, err := h.svc.Budget(c.Request().Context(), web.Component(c).ID, id)
	if err != nil {
		return nil, err
	}
	// Drafts are for admins only.
	if b.State == StateDraft && !h.can(c, ActionManage) {
		return nil, perr.NotFound("budget")
	}
	return b, nil
}

// idParam reads a positive integer path parameter or form value.
func idParam(v string, what string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, perr.NotFound(what)
	}
	return id, nil
}

// accountID returns the logged-in account's id or "log in first".
func accountID(c echo.Context) (int64, error) {
	a := web.Account(c)
	if a == nil {
		return 0, perr.Unauthorised()
	}
	return a.ID, nil
}

// ReasonText is one translated finding of the ballot rule.
type ReasonText struct {
	Code      string `json:"code"`
	Limit     int64  `json:"limit"`
	Value     int64  `json:"value"`
	ProjectID string `json:"project_id,omitempty"`
	Message   string `json:"message"`
}

// Feedback is the rule's verdict on a basket, translated.
type Feedback struct {
	Valid      bool         `json:"valid"`
	Violations []ReasonText `json:"violations"`
	Needs      []ReasonText `json:"needs"`
	Remaining  []ReasonText `json:"remaining"`
}

// pluralBy names, for the reasons counted in projects, the number whose
// plural form the message takes (one project, 3 projects).
var pluralBy = map[string]string{
	"too_few_projects":   "Limit",
	"too_many_projects":  "Limit",
	"add_projects":       "Value",
	"remaining_projects": "Value",
}

// feedback translates a BallotCheck in the request's language.
func (h *handlers) feedback(c echo.Context, chk rules.BallotCheck, titles map[string]string) Feedback {
	loc := web.Locale(c)
	tr := func(rs []rules.Reason) []ReasonText {
		out := make([]ReasonText, 0, len(rs))
		for _, r := range rs {
			data := map[string]any{"Limit": r.Limit, "Value": r.Value, "Project": titles[r.ProjectID]}
			var msg string
			if by, ok := pluralBy[r.Code]; ok {
				n := r.Value
				if by == "Limit" {
					n = r.Limit
				}
				msg = h.s.Bundle.N(loc, "budgets.reason."+r.Code, int(n), data)
			} else {
				msg = h.s.Bundle.T(loc, "budgets.reason."+r.Code, data)
			}
			out = append(out, ReasonText{Code: r.Code, Limit: r.Limit, Value: r.Value, ProjectID: r.ProjectID, Message: msg})
		}
		return out
	}
	return Feedback{Valid: chk.Valid, Violations: tr(chk.Violations), Needs: tr(chk.Needs), Remaining: tr(chk.Remaining)}
}
