// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/csvsafe"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

// ResultRow is one project on the results page, greedy and MES side by
// side.
type ResultRow struct {
	ID     string
	Title  string
	Cost   int64
	Votes  int64
	Score  int64
	Greedy rules.ProjectResult
	MES    rules.ProjectResult
	// CoveredPercent is the MES coverage, rounded for display.
	CoveredPercent int
	// PaidFor names the funded projects its supporters mostly paid for.
	PaidFor []string
}

// ResultsPage is the data of a budget's results page.
type ResultsPage struct {
	Base
	Budget  *Budget
	Results *Results
	Rows    []ResultRow
	// KeptGreedy: more voters preferred greedy's outcome, so the
	// comparison step published it as MES's; the MES column then says so
	// instead of explaining MES rounds that were not kept.
	KeptGreedy bool
}

// resultRows joins the two outcomes by project, most votes first.
func resultRows(res *Results) []ResultRow {
	mes := map[string]rules.ProjectResult{}
	for _, p := range res.MES.Projects {
		mes[p.ID] = p
	}
	rows := make([]ResultRow, 0, len(res.Greedy.Projects))
	for _, g := range res.Greedy.Projects {
		m := mes[g.ID]
		row := ResultRow{ID: g.ID, Title: res.Titles[g.ID], Cost: g.Cost, Votes: g.Votes, Score: g.Score, Greedy: g, MES: m,
			CoveredPercent: int(m.CoveredPercent + 0.5)}
		if !m.Funded && m.CoveredPercent >= 99.5 {
			row.CoveredPercent = 99 // never say 100% of a project that was not bought
		}
		for _, pf := range m.PaidFor {
			row.PaidFor = append(row.PaidFor, res.Titles[pf.ProjectID])
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Score > rows[j].Score })
	return rows
}

func (h *handlers) results(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Results(c.Request().Context(), b)
	if err != nil {
		return err
	}
	kept := res.MES.Comparison != nil && res.MES.Comparison.KeptGreedy
	return h.s.Render(c, http.StatusOK, ID+"/results", ResultsPage{Base: h.base(c), Budget: b, Results: res, Rows: resultRows(res), KeptGreedy: kept})
}

func (h *handlers) apiResults(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Results(c.Request().Context(), b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// exportPB serves the anonymised ballots of a closed budget.
func (h *handlers) exportPB(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	data, err := h.svc.ExportPB(c.Request().Context(), b)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", "attachment; filename=\"budget-"+strconv.FormatInt(b.ID, 10)+".pb\"")
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", data)
}

func (h *handlers) projectsCSV(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	projects, err := h.svc.Projects(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.Response().Header().Set("Content-Disposition", "attachment; filename=\"budget-"+strconv.FormatInt(b.ID, 10)+"-projects.csv\"")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "title", "description", "cost", "theme", "location", "image_url"})
	sp := h.base(c).Space
	for _, p := range projects {
		theme := ""
		if t, ok := sp.Theme(p.ThemeID); ok {
			theme = t.Key
		}
		// Free text goes through csvsafe (ImportCSV reads it back).
		_ = w.Write([]string{strconv.FormatInt(p.ID, 10), csvsafe.Cell(p.Title), csvsafe.Cell(p.Description), strconv.FormatInt(p.Cost, 10), theme, csvsafe.Cell(p.Location), csvsafe.Cell(p.ImageURL)})
	}
	w.Flush()
	return w.Error()
}

func (h *handlers) projectsJSON(c echo.Context) error {
	b, err := h.budget(c)
	if err != nil {
		return err
	}
	projects, err := h.svc.Projects(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	if projects == nil {
		projects = []Project{}
	}
	c.Response().Header().Set("Content-Type", "application/json")
	c.Response().WriteHeader(http.StatusOK)
	return json.NewEncoder(c.Response()).Encode(map[string]any{"budget": b, "projects": projects})
}

// bind decodes a JSON body or answers "bad request".
func bind(c echo.Context, v any) error {
	if err := c.Bind(v); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	return nil
}
