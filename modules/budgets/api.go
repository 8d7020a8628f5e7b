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

func (h *handlers) apiList(c echo.Context) error {
	all, err := h.svc.Budgets(c.Request().Context(), web.Component(c).ID)
	if err != nil {
		return err
	}
	manage := h.can(c, ActionManage)
	out := []Budget{}
	for _, b := range all {
		if b.State != StateDraft || manage {
			out = append(out, b)
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) apiShow(c echo.Context) error { return h.projectsJSON(c) }

// BasketView is the API's basket: lines, cost and the rule's feedback.
type BasketView struct {
	Lines    []Line   `json:"lines"`
	Cost     int64    `json:"cost"`
	Feedback Feedback `json:"feedback"`
}

func (h *handlers) basketView(c echo.Context, b *Budget, acc int64) error {
	lines, err := h.svc.Basket(c.Request().Context(), b, acc)
	if err != nil {
		return err
	}
	v := BasketView{Lines: lines, Feedback: h.feedback(c, Check(b, lines), lineTitles(lines))}
	// An empty basket breaks no rule but cannot be checked out.
	v.Feedback.Valid = v.Feedback.Valid && len(lines) > 0
	if v.Lines == nil {
		v.Lines = []Line{}
	}
	for _, l := range lines {
		v.Cost += l.Cost
	}
	return c.JSON(http.StatusOK, v)
}

// voter loads the budget and the account of a voter's API call.
func (h *handlers) voter(c echo.Context) (*Budget, int64, error) {
	b, err := h.budget(c)
	if err != nil {
		return nil, 0, err
	}
	acc, err := accountID(c)
	if err != nil {
		return nil, 0, err
	}
	return b, acc, nil
}

func (h *handlers) apiBasket(c echo.Context) error {
	b, acc, err := h.voter(c)
	if err != nil {
		return err
	}
	return h.basketView(c, b, acc)
}

func (h *handlers) apiBasketAdd(c echo.Context) error {
	b, acc, err := h.voter(c)
	if err != nil {
		return err
	}
	var in struct {
		ProjectID int64 `json:"project_id"`
		Points    int64 `json:"points"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Points == 0 {
		in.Points = 1
	}
	if err := h.svc.AddToBasket(c.Request().Context(), b, acc, in.ProjectID, in.Points); err != nil {
		return err
	}
	return h.basketView(c, b, acc)
}

func (h *handlers) apiBasketRemove(c echo.Context) error {
	b, acc, err := h.voter(c)
	if err != nil {
		return err
	}
	pid, err := idParam(c.Param("pid"), "project")
	if err != nil {
		return err
	}
	if err := h.svc.RemoveFromBasket(c.Request().Context(), b, acc, pid); err != nil {
		return err
	}
	return h.basketView(c, b, acc)
}

// CheckoutRefusal is the API's answer to a refused checkout.
type CheckoutRefusal struct {
	Error    string   `json:"error"`
	Message  string   `json:"message"`
	Feedback Feedback `json:"feedback"`
}

// apiCheckout leaves the budget to the checkout's own transaction, which
// reads it anyway (one query less per ballot).
func (h *handlers) apiCheckout(c echo.Context) error {
	bid, err := idParam(c.Param("bid"), "budget")
	if err != nil {
		return err
	}
	acc, err := accountID(c)
	if err != nil {
		return err
	}
	_, bl, err := h.svc.CheckoutByID(c.Request().Context(), web.Component(c).ID, bid, acc)
	var re *RuleError
	if errors.As(err, &re) {
		return c.JSON(http.StatusUnprocessableEntity, CheckoutRefusal{Error: string(re.Err.Code), Message: h.s.Bundle.T(web.Locale(c), re.Err.MessageID, nil),
			Feedback: h.feedback(c, re.Check, lineTitles(re.Lines))})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bl)
}

func (h *handlers) apiBallot(c echo.Context) error {
	b, acc, err := h.voter(c)
	if err != nil {
		return err
	}
	bl, err := h.svc.MyBallot(c.Request().Context(), b, acc)
	if err != nil {
		return err
	}
	if bl == nil {
		return perr.NotFound("ballot")
	}
	return c.JSON(http.StatusOK, bl)
}

func (h *handlers) apiCreate(c echo.Context) error {
	var b Budget
	if err := bind(c, &b); err != nil {
		return err
	}
	b.ID = 0
	if err := h.svc.SaveBudget(c.Request().Context(), web.Space(c), web.Component(c), web.AccountID(c), &b); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, b)
}

func (h *handlers) apiUpdate(c echo.Context) error {
	old, err := h.budget(c)
	if err != nil {
		return err
	}
	var b Budget
	if err := bind(c, &b); err != nil {
		return err
	}
	b.ID = old.ID
	if err := h.svc.SaveBudget(c.Request().Context(), web.Space(c), web.Component(c), web.AccountID(c), &b); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

func (h *handlers) apiProjectCreate(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	var p Project
	if err := bind(c, &p); err != nil {
		return err
	}
	p.ID = 0
	if err := h.svc.SaveProject(c.Request().Context(), web.Space(c), b, web.AccountID(c), &p); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (h *handlers) apiProjectUpdate(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	pid, err := idParam(c.Param("pid"), "project")
	if err != nil {
		return err
	}
	var p Project
	if err := bind(c, &p); err != nil {
		return err
	}
	p.ID = pid
	if err := h.svc.SaveProject(c.Request().Context(), web.Space(c), b, web.AccountID(c), &p); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (h *handlers) apiProjectDelete(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	pid, err := idParam(c.Param("pid"), "project")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteProject(c.Request().Context(), b, web.AccountID(c), pid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *handlers) apiImportContributions(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	var in struct {
		ComponentID int64 `json:"component_id"`
		Cost        int64 `json:"cost"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	n, err := h.svc.ImportContributions(c.Request().Context(), web.Space(c), b, web.AccountID(c), in.ComponentID, in.Cost)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"imported": n})
}

func (h *handlers) apiState(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	var in struct {
		State string `json:"state"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := h.svc.SetState(c.Request().Context(), b, web.AccountID(c), in.State); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

func (h *handlers) apiPublish(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Publish(c.Request().Context(), b, web.AccountID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// budgetURL is the admin page of a budget.
func (h *handlers) budgetURL(c echo.Context, b *Budget) string {
	return h.url(c, "/admin/budgets/"+strconv.FormatInt(b.ID, 10))
}
