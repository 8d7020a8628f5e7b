// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

// GroupShare is one opinion group's votes on a statement.
type GroupShare struct {
	Label string
	Share
}

// StatementVotes counts the votes on one statement now: everyone's, and,
// when results exist, those of each opinion group of the last
// computation (participants who joined since belong to none).
func (s *Service) StatementVotes(ctx context.Context, compID, statementID int64, res *Results) (Share, []GroupShare, error) {
	var all Share
	rows, err := s.db.WithContext(ctx).Model(&Vote{}).Select("participant_id, vote").
		Where("component_id = ? AND statement_id = ?", compID, statementID).Rows()
	if err != nil {
		return all, nil, fmt.Errorf("loading votes of statement %d: %w", statementID, err)
	}
	defer rows.Close()
	groups := map[int]Share{}
	for rows.Next() {
		var pid int64
		var v int
		if err := rows.Scan(&pid, &v); err != nil {
			return all, nil, fmt.Errorf("reading vote: %w", err)
		}
		all = all.add(v)
		if res != nil {
			if g := res.GroupOf(pid); g >= 0 {
				groups[g] = groups[g].add(v)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return all, nil, fmt.Errorf("reading votes of statement %d: %w", statementID, err)
	}
	var out []GroupShare
	if res != nil {
		for _, g := range res.Result.Groups {
			out = append(out, GroupShare{Label: groupLabel(g.ID), Share: groups[g.ID]})
		}
	}
	return all, out, nil
}

// statementPage shows one visible statement with its votes, overall and
// per opinion group: the page other modules link a statement to (the
// synthesis quotes statements). Rejected statements are not public.
func (h *handlers) statementPage(c echo.Context) error {
	id, err := statementID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	comp := web.Component(c)
	st, err := h.svc.Statement(ctx, comp.ID, id)
	if err != nil {
		return err
	}
	if st.State != StateAccepted && st.State != StateUnmoderated {
		return perr.NotFound("statement")
	}
	res, fr, err := h.lastResults(c)
	if err != nil {
		return err
	}
	all, groups, err := h.svc.StatementVotes(ctx, comp.ID, id, res)
	if err != nil {
		return err
	}
	return h.s.Render(c, http.StatusOK, "opinionmap/statement", struct {
		Base
		Statement *Statement
		All       Share
		Groups    []GroupShare
		Freshness *Freshness
	}{h.base(c), st, all, groups, fr})
}

// statementsPageSize is how many statements the list shows a page.
const statementsPageSize = 50

// StatementRow is a statement in the public list, with the votes the
// last computation counted (Counted false for statements newer than it).
type StatementRow struct {
	Statement
	All     Share
	Counted bool
}

// statementsPage lists the visible statements, oldest first, a page at a
// time (?page=N, out of range goes to the nearest page), each with the
// votes of the last computation and a link to its own page.
func (h *handlers) statementsPage(c echo.Context) error {
	ctx := c.Request().Context()
	comp := web.Component(c)
	sts, err := h.svc.Statements(ctx, comp.ID, StateAccepted, StateUnmoderated)
	if err != nil {
		return err
	}
	res, fr, err := h.lastResults(c)
	if err != nil {
		return err
	}
	counted := map[int64]Share{}
	if res != nil {
		for _, st := range res.Result.Statements {
			counted[st.ID] = share(st.All)
		}
	}
	pages := max(1, (len(sts)+statementsPageSize-1)/statementsPageSize)
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		page = 1
	}
	page = min(page, pages)
	from := (page - 1) * statementsPageSize
	var rows []StatementRow
	for _, st := range sts[from:min(len(sts), from+statementsPageSize)] {
		sh, ok := counted[st.ID]
		rows = append(rows, StatementRow{Statement: st, All: sh, Counted: ok})
	}
	data := struct {
		Base
		Rows             []StatementRow
		Total            int
		Page, Pages      int
		PrevURL, NextURL string
		Freshness        *Freshness
	}{Base: h.base(c), Rows: rows, Total: len(sts), Page: page, Pages: pages, Freshness: fr}
	if page > 1 {
		data.PrevURL = "?page=" + strconv.Itoa(page-1)
	}
	if page < pages {
		data.NextURL = "?page=" + strconv.Itoa(page+1)
	}
	return h.s.Render(c, http.StatusOK, "opinionmap/statements", data)
}

// lastResults gives the conversation's last computed results and how
// fresh they are against the live counts.
func (h *handlers) lastResults(c echo.Context) (*Results, *Freshness, error) {
	counts, err := h.svc.LiveCounts(c.Request().Context(), web.Component(c).ID)
	if err != nil {
		return nil, nil, err
	}
	return h.freshness(c, counts)
}
