// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

// AdminPage is the data of the admin pages: the budget list with a
// creation form, or one budget with its projects and actions.
type AdminPage struct {
	Base
	Budgets  []Budget
	Budget   *Budget
	Projects []Project
	Sources  []registry.Component
	// Form is the budget shown in the form (the submitted one after an
	// error).
	Form        *Budget
	Error       string
	FieldErrors map[string]string
	Kinds       []string
	Rules       []string
	Completions []string
}

func (h *handlers) adminPage(c echo.Context, b *Budget) (*AdminPage, error) {
	ctx := c.Request().Context()
	p := &AdminPage{Base: h.base(c), Budget: b, Form: b, Kinds: []string{KindApproval, KindPoints, KindScores},
		Rules:       []string{string(rules.RuleMES), string(rules.RuleGreedy)},
		Completions: []string{string(rules.CompletionAdd1), string(rules.CompletionAdd1Greedy), string(rules.CompletionGreedy), string(rules.CompletionNone)}}
	var err error
	if b == nil {
		p.Form = &Budget{BallotKind: KindApproval, Knapsack: true, OutcomeRule: string(rules.RuleMES), Completion: string(rules.CompletionAdd1)}
		p.Budgets, err = h.svc.Budgets(ctx, web.Component(c).ID)
		return p, err
	}
	if p.Projects, err = h.svc.Projects(ctx, b.ID); err != nil {
		return nil, err
	}
	p.Sources, err = h.svc.Sources(ctx, web.Space(c))
	return p, err
}

// adminError re-renders an admin page with a refusal's message and
// per-field errors; other errors go to core.
func (h *handlers) adminError(c echo.Context, b *Budget, form *Budget, err error) error {
	pe, ok := perr.As(err)
	if !ok || pe.Code == perr.CodeInternal {
		return err
	}
	p, err2 := h.adminPage(c, b)
	if err2 != nil {
		return err2
	}
	if form != nil {
		p.Form = form
	}
	loc := web.Locale(c)
	p.Error = h.s.Bundle.T(loc, pe.MessageID, pe.Data)
	p.FieldErrors = map[string]string{}
	for k, id := range pe.Fields {
		p.FieldErrors[k] = h.s.Bundle.T(loc, id, pe.Data)
	}
	name := ID + "/admin"
	if b == nil {
		name = ID + "/admin_index"
	}
	return h.s.Render(c, web.StatusOf(pe.Code), name, p)
}

func (h *handlers) adminIndex(c echo.Context) error {
	p, err := h.adminPage(c, nil)
	if err != nil {
		return err
	}
	return h.s.Render(c, http.StatusOK, ID+"/admin_index", p)
}

func (h *handlers) adminShow(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	p, err := h.adminPage(c, b)
	if err != nil {
		return err
	}
	return h.s.Render(c, http.StatusOK, ID+"/admin", p)
}

func formInt(c echo.Context, name string) int64 {
	v, _ := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(c.FormValue(name)), " ", ""), 10, 64)
	return v
}

// budgetForm reads the budget form.
func budgetForm(c echo.Context) *Budget {
	return &Budget{Title: c.FormValue("title"), Description: c.FormValue("description"), Total: formInt(c, "total"),
		BallotKind: c.FormValue("ballot_kind"), Knapsack: c.FormValue("knapsack") != "", MaxCost: formInt(c, "max_cost"),
		MinProjects: int(formInt(c, "min_projects")), MaxProjects: int(formInt(c, "max_projects")), ThresholdPercent: int(formInt(c, "threshold_percent")),
		MaxPoints: formInt(c, "max_points"), MaxPointsProject: formInt(c, "max_points_project"), MaxScore: formInt(c, "max_score"),
		OutcomeRule: c.FormValue("outcome_rule"), Completion: c.FormValue("completion")}
}

func (h *handlers) adminCreate(c echo.Context) error {
	b := budgetForm(c)
	if err := h.svc.SaveBudget(c.Request().Context(), web.Space(c), web.Component(c), web.AccountID(c), b); err != nil {
		return h.adminError(c, nil, b, err)
	}
	h.s.Flash(c, "budgets.flash.saved")
	return web.Redirect(c, h.budgetURL(c, b))
}

func (h *handlers) adminUpdate(c echo.Context) error {
	old, err := h.budget(c)
	if err != nil {
		return err
	}
	b := budgetForm(c)
	b.ID = old.ID
	if err := h.svc.SaveBudget(c.Request().Context(), web.Space(c), web.Component(c), web.AccountID(c), b); err != nil {
		return h.adminError(c, old, b, err)
	}
	h.s.Flash(c, "budgets.flash.saved")
	return web.Redirect(c, h.budgetURL(c, b))
}

func projectForm(c echo.Context) *Project {
	return &Project{Title: c.FormValue("title"), Description: c.FormValue("description"), Cost: formInt(c, "cost"), ThemeID: formInt(c, "theme_id"),
		Location: strings.TrimSpace(c.FormValue("location")), ImageURL: strings.TrimSpace(c.FormValue("image_url"))}
}

// adminAction runs an admin action on the :bid budget and comes back to
// its page.
func (h *handlers) adminAction(flash string, do func(c echo.Context, b *Budget) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		b, err := h.budget(c)
		if err != nil {
			return err
		}
		if err := do(c, b); err != nil {
			return h.adminError(c, b, nil, err)
		}
		h.s.Flash(c, flash)
		if b.State == StatePublished && flash == "budgets.flash.published" {
			return web.Redirect(c, h.url(c, "/budgets/"+strconv.FormatInt(b.ID, 10)+"/results"))
		}
		return web.Redirect(c, h.budgetURL(c, b))
	}
}

func (h *handlers) adminProjectCreate(c echo.Context) error {
	return h.adminAction("budgets.flash.saved", func(c echo.Context, b *Budget) error {
		return h.svc.SaveProject(c.Request().Context(), web.Space(c), b, web.AccountID(c), projectForm(c))
	})(c)
}

func (h *handlers) adminProjectUpdate(c echo.Context) error {
	return h.adminAction("budgets.flash.saved", func(c echo.Context, b *Budget) error {
		pid, err := idParam(c.Param("pid"), "project")
		if err != nil {
			return err
		}
		p := projectForm(c)
		p.ID = pid
		return h.svc.SaveProject(c.Request().Context(), web.Space(c), b, web.AccountID(c), p)
	})(c)
}

func (h *handlers) adminProjectDelete(c echo.Context) error {
	return h.adminAction("budgets.flash.deleted", func(c echo.Context, b *Budget) error {
		pid, err := idParam(c.Param("pid"), "project")
		if err != nil {
			return err
		}
		return h.svc.DeleteProject(c.Request().Context(), b, web.AccountID(c), pid)
	})(c)
}

func (h *handlers) adminImportCSV(c echo.Context) error {
	return h.adminAction("budgets.flash.imported", func(c echo.Context, b *Budget) error {
		var r io.Reader = strings.NewReader(c.FormValue("csv"))
		if fh, err := c.FormFile("file"); err == nil {
			f, err := fh.Open()
			if err != nil {
				return perr.Invalid("budgets.error.csv_header", nil)
			}
			defer f.Close()
			r = f
		}
		_, err := h.svc.ImportCSV(c.Request().Context(), web.Space(c), b, web.AccountID(c), r)
		return err
	})(c)
}

func (h *handlers) adminImportContributions(c echo.Context) error {
	return h.adminAction("budgets.flash.imported", func(c echo.Context, b *Budget) error {
		_, err := h.svc.ImportContributions(c.Request().Context(), web.Space(c), b, web.AccountID(c), formInt(c, "component_id"), formInt(c, "cost"))
		return err
	})(c)
}

func (h *handlers) adminState(c echo.Context) error {
	return h.adminAction("budgets.flash.state", func(c echo.Context, b *Budget) error {
		return h.svc.SetState(c.Request().Context(), b, web.AccountID(c), c.FormValue("state"))
	})(c)
}

func (h *handlers) adminPublish(c echo.Context) error {
	return h.adminAction("budgets.flash.published", func(c echo.Context, b *Budget) error {
		_, err := h.svc.Publish(c.Request().Context(), b, web.AccountID(c))
		return err
	})(c)
}
