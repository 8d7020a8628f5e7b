// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

// IndexPage lists the component's budgets.
type IndexPage struct {
	Base
	Budgets []Budget
}

func (h *handlers) index(c echo.Context) error {
	all, err := h.svc.Budgets(c.Request().Context(), web.Component(c).ID)
	if err != nil {
		return err
	}
	b := h.base(c)
	var shown []Budget
	for _, x := range all {
		if x.State != StateDraft || b.CanManage {
			shown = append(shown, x)
		}
	}
	return h.s.Render(c, http.StatusOK, ID+"/index", IndexPage{Base: b, Budgets: shown})
}

// ProjectRow is a project on the voting page.
type ProjectRow struct {
	Project
	InBasket bool
	Points   int64
}

// ShowPage is a budget's voting page: projects, the voter's basket and
// the rule's feedback, or the voter's ballot once checked out.
type ShowPage struct {
	Base
	Budget     *Budget
	Projects   []ProjectRow
	Basket     []Line
	BasketCost int64
	Feedback   Feedback
	Ballot     *Ballot
	// Refusal is the translated reason of a refused checkout.
	Refusal string
	// LoggedIn is false for visitors, who see the projects only.
	LoggedIn bool
}

// showPage assembles the voting page for the viewer.
func (h *handlers) showPage(c echo.Context, b *Budget) (*ShowPage, error) {
	ctx := c.Request().Context()
	projects, err := h.svc.Projects(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	p := &ShowPage{Base: h.base(c), Budget: b}
	titles := map[string]string{}
	for _, pr := range projects {
		titles[strconv.FormatInt(pr.ID, 10)] = pr.Title
	}
	inBasket := map[int64]int64{}
	if acc := web.Account(c); acc != nil {
		p.LoggedIn = true
		if p.Ballot, err = h.svc.MyBallot(ctx, b, acc.ID); err != nil {
			return nil, err
		}
		if p.Ballot == nil {
			if p.Basket, err = h.svc.Basket(ctx, b, acc.ID); err != nil {
				return nil, err
			}
			for _, l := range p.Basket {
				inBasket[l.ProjectID] = l.Points
				p.BasketCost += l.Cost
			}
			p.Feedback = h.feedback(c, Check(b, p.Basket), titles)
		}
	}
	for _, pr := range projects {
		pts, ok := inBasket[pr.ID]
		p.Projects = append(p.Projects, ProjectRow{Project: pr, InBasket: ok, Points: pts})
	}
	return p, nil
}

func (h *handlers) show(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	p, err := h.showPage(c, b)
	if err != nil {
		return err
	}
	return h.s.Render(c, http.StatusOK, ID+"/show", p)
}

// basketChange runs a basket change and comes back to the voting page;
// a refusal is shown on the page with the basket as it is.
func (h *handlers) basketChange(c echo.Context, do func(b *Budget, accountID, projectID, points int64) error) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	acc, err := accountID(c)
	if err != nil {
		return err
	}
	pid, err := idParam(c.FormValue("project_id"), "project")
	if err != nil {
		return err
	}
	points := int64(1)
	if v := c.FormValue("points"); v != "" {
		if points, err = strconv.ParseInt(v, 10, 64); err != nil {
			return perr.Invalid("budgets.error.points", nil)
		}
	}
	if err := do(b, acc, pid, points); err != nil {
		return h.refuse(c, b, err)
	}
	return web.Redirect(c, h.url(c, "/budgets/"+strconv.FormatInt(b.ID, 10)+"#basket"))
}

func (h *handlers) basketAdd(c echo.Context) error {
	return h.basketChange(c, func(b *Budget, acc, pid, points int64) error {
		return h.svc.AddToBasket(c.Request().Context(), b, acc, pid, points)
	})
}

func (h *handlers) basketRemove(c echo.Context) error {
	return h.basketChange(c, func(b *Budget, acc, pid, _ int64) error {
		return h.svc.RemoveFromBasket(c.Request().Context(), b, acc, pid)
	})
}

// refuse re-renders the voting page with the reason of a refusal (the
// basket is untouched); errors that are not refusals go to core.
func (h *handlers) refuse(c echo.Context, b *Budget, err error) error {
	pe, ok := perr.As(err)
	if !ok || (pe.Code != perr.CodeInvalid && pe.Code != perr.CodeConflict && pe.Code != perr.CodeNotFound) {
		return err
	}
	p, perr2 := h.showPage(c, b)
	if perr2 != nil {
		return perr2
	}
	p.Refusal = h.s.Bundle.T(web.Locale(c), pe.MessageID, pe.Data)
	var re *RuleError
	if errors.As(err, &re) {
		p.Feedback = h.feedback(c, re.Check, titlesOf(p.Projects))
	}
	return h.s.Render(c, web.StatusOf(pe.Code), ID+"/show", p)
}

func titlesOf(rows []ProjectRow) map[string]string {
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[strconv.FormatInt(r.ID, 10)] = r.Title
	}
	return out
}

func (h *handlers) checkout(c echo.Context) error {
	bid, err := idParam(c.Param("bid"), "budget")
	if err != nil {
		return err
	}
	acc, err := accountID(c)
	if err != nil {
		return err
	}
	b, _, err := h.svc.CheckoutByID(c.Request().Context(), web.Component(c).ID, bid, acc)
	if err != nil {
		if b == nil || b.State == StateDraft {
			return err
		}
		return h.refuse(c, b, err)
	}
	h.s.Flash(c, "budgets.flash.voted")
	return web.Redirect(c, h.url(c, "/budgets/"+strconv.FormatInt(b.ID, 10)))
}
