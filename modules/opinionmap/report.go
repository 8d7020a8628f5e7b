// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// Share is a vote count out of those who saw a statement, with
// percentages for display.
type Share struct {
	Agree, Disagree, Seen int
}

// add counts one more vote (1 agree, -1 disagree, 0 pass).
func (s Share) add(vote int) Share {
	s.Seen++
	switch vote {
	case 1:
		s.Agree++
	case -1:
		s.Disagree++
	}
	return s
}

// AgreePct is the agreeing share in percent (0 when nobody saw it).
func (s Share) AgreePct() int { return pct(s.Agree, s.Seen) }

// PassPct is the share who passed, in percent.
func (s Share) PassPct() int { return pct(s.Seen-s.Agree-s.Disagree, s.Seen) }

// DisagreePct is the disagreeing share in percent.
func (s Share) DisagreePct() int { return pct(s.Disagree, s.Seen) }

func pct(a, n int) int {
	if n == 0 {
		return 0
	}
	return (200*a + n) / (2 * n) // rounded
}

func share(c opinionmath.Counts) Share {
	return Share{Agree: c.Agree, Disagree: c.Disagree, Seen: c.Seen}
}

// RepLine is a representative statement of a group.
type RepLine struct {
	StatementID int64  `json:"statement_id"`
	Body        string `json:"body"`
	// Agree: the group stands for it (else against it).
	Agree bool  `json:"agree"`
	In    Share `json:"in_group"`
	Out   Share `json:"out_group"`
}

// GroupView is an opinion group in the report.
type GroupView struct {
	ID     int        `json:"id"`
	Label  string     `json:"label"`
	Size   int        `json:"size"`
	Center [2]float64 `json:"center"`
	Rep    []RepLine  `json:"representative"`
	// Panel and Open split the members between sortition panel members
	// and open participants.
	Panel int `json:"panel"`
	Open  int `json:"open"`
}

// StatementLine is a statement with its overall shares.
type StatementLine struct {
	StatementID int64   `json:"statement_id"`
	Body        string  `json:"body"`
	All         Share   `json:"all"`
	Score       float64 `json:"score"`
	// Agree: for consensus lines, the side every group shares.
	Agree bool `json:"agree"`
	// Panel and Open split the votes between panel members and the
	// open public (filled when the space has a panel).
	Panel *Share `json:"panel,omitempty"`
	Open  *Share `json:"open,omitempty"`
}

// DayCount is the participation of one day.
type DayCount struct {
	Day          string `json:"day"`
	Votes        int    `json:"votes"`
	Participants int    `json:"new_participants"`
	// Width is the bar's width in percent of the busiest day.
	Width int `json:"-"`
}

// Report is the content of the report page and of the results API.
type Report struct {
	Freshness    *Freshness      `json:"freshness"`
	Counts       Counts          `json:"counts"`
	Participants int             `json:"clustered_participants"`
	Groups       []GroupView     `json:"groups"`
	Consensus    []StatementLine `json:"consensus"`
	Divisive     []StatementLine `json:"divisive"`
	Days         []DayCount      `json:"participation"`
	HasPanel     bool            `json:"has_panel"`
	PanelSize    int             `json:"panel_participants"`
}

func groupLabel(id int) string { return string(rune('A' + id%26)) }

// Report builds the report of a conversation from its last results.
func (h *handlers) report(c echo.Context) (*Report, *Results, error) {
	ctx := c.Request().Context()
	comp := web.Component(c)
	counts, err := h.svc.LiveCounts(ctx, comp.ID)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Counts: counts}
	res, fr, err := h.freshness(c, counts)
	if err != nil {
		return nil, nil, err
	}
	rep.Freshness = fr
	if rep.Days, err = h.svc.Participation(ctx, comp.ID); err != nil {
		return nil, nil, err
	}
	if res == nil {
		return rep, nil, nil
	}
	members := map[int64]bool{}
	if h.panels != nil {
		if members, err = h.panels.Members(ctx, web.Space(c).Domain()); err != nil {
			return nil, nil, fmt.Errorf("loading panel: %w", err)
		}
	}
	sp, err := h.svc.SplitByPanel(ctx, comp.ID, members, res)
	if err != nil {
		return nil, nil, err
	}
	rep.HasPanel = len(sp.panelParticipants) > 0
	rep.PanelSize = len(sp.panelParticipants)
	bodies, err := h.svc.bodies(ctx, comp.ID)
	if err != nil {
		return nil, nil, err
	}
	r := res.Result
	stats := map[int64]opinionmath.StatementResult{}
	for _, st := range r.Statements {
		stats[st.ID] = st
	}
	for _, g := range r.Groups {
		gv := GroupView{ID: g.ID, Label: groupLabel(g.ID), Size: len(g.Members), Center: g.Center}
		rep.Participants += len(g.Members)
		for _, m := range g.Members {
			if sp.panelParticipants[m] {
				gv.Panel++
			} else {
				gv.Open++
			}
		}
		for _, rp := range g.Representative {
			gv.Rep = append(gv.Rep, RepLine{StatementID: rp.StatementID, Body: bodies[rp.StatementID], Agree: rp.Direction == opinionmath.Agree,
				In: share(rp.Group), Out: share(rp.Rest)})
		}
		rep.Groups = append(rep.Groups, gv)
	}
	line := func(sc opinionmath.Scored) StatementLine {
		l := StatementLine{StatementID: sc.StatementID, Body: bodies[sc.StatementID], All: share(stats[sc.StatementID].All), Score: sc.Score}
		if rep.HasPanel {
			p, o := sp.panel[sc.StatementID], sp.open[sc.StatementID]
			l.Panel, l.Open = &p, &o
		}
		return l
	}
	// Group-informed consensus, best first, keeping only statements on
	// which a majority of every group agrees (or every group disagrees):
	// the product ranks them, the filter keeps a split statement out.
	var gids []int
	for _, g := range r.Groups {
		gids = append(gids, g.ID)
	}
	for _, sc := range r.GroupConsensus {
		if len(rep.Consensus) == 5 {
			break
		}
		if sp.unites(sc.StatementID, gids, sc.Vote == opinionmath.Agree) {
			l := line(sc)
			l.Agree = sc.Vote == opinionmath.Agree
			rep.Consensus = append(rep.Consensus, l)
		}
	}
	for _, sc := range r.Divisive {
		rep.Divisive = append(rep.Divisive, line(sc))
	}
	return rep, res, nil
}

func (h *handlers) reportPage(c echo.Context) error {
	rep, _, err := h.report(c)
	if err != nil {
		return err
	}
	return h.s.Render(c, http.StatusOK, "opinionmap/report", struct {
		Base
		Report *Report
	}{h.base(c), rep})
}

func (h *handlers) apiResults(c echo.Context) error {
	rep, _, err := h.report(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// bodies maps statement ids to their text.
func (s *Service) bodies(ctx context.Context, compID int64) (map[int64]string, error) {
	sts, err := s.Statements(ctx, compID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(sts))
	for _, st := range sts {
		out[st.ID] = st.Body
	}
	return out, nil
}

// panelSplit holds votes per statement of panel members and of the open
// public.
type panelSplit struct {
	panelParticipants map[int64]bool
	panel, open       map[int64]Share
	// groups holds each statement's votes per opinion group.
	groups map[int64]map[int]Share
}

// unites reports whether a majority of every group voted the same way
// (agree, or disagree) on a statement, by the smoothed probabilities the
// consensus is built from.
func (sp *panelSplit) unites(statementID int64, groups []int, agree bool) bool {
	for _, g := range groups {
		c := sp.groups[statementID][g]
		n := c.Agree
		if !agree {
			n = c.Disagree
		}
		if float64(1+n)/float64(2+c.Seen) <= 0.5 {
			return false
		}
	}
	return len(groups) > 0
}

// SplitByPanel counts each statement's votes separately for participants
// whose account is a panel member and for everyone else.
//
// It also counts each statement's votes per opinion group of res.
func (s *Service) SplitByPanel(ctx context.Context, compID int64, members map[int64]bool, res *Results) (*panelSplit, error) {
	sp := &panelSplit{panelParticipants: map[int64]bool{}, panel: map[int64]Share{}, open: map[int64]Share{}, groups: map[int64]map[int]Share{}}
	var ps []Participant
	if err := s.db.WithContext(ctx).Where("component_id = ? AND account_id IS NOT NULL", compID).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("loading participants: %w", err)
	}
	for _, p := range ps {
		if len(members) > 0 && members[*p.AccountID] {
			sp.panelParticipants[p.ID] = true
		}
	}
	rows, err := s.db.WithContext(ctx).Model(&Vote{}).Select("participant_id, statement_id, vote").Where("component_id = ?", compID).Rows()
	if err != nil {
		return nil, fmt.Errorf("loading votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid, sid int64
		var v int
		if err := rows.Scan(&pid, &sid, &v); err != nil {
			return nil, fmt.Errorf("reading vote: %w", err)
		}
		m := sp.open
		if sp.panelParticipants[pid] {
			m = sp.panel
		}
		m[sid] = m[sid].add(v)
		if g := res.GroupOf(pid); g >= 0 {
			gm := sp.groups[sid]
			if gm == nil {
				gm = map[int]Share{}
				sp.groups[sid] = gm
			}
			gm[g] = gm[g].add(v)
		}
	}
	return sp, rows.Err()
}

// Participation counts votes and first votes per day (UTC).
func (s *Service) Participation(ctx context.Context, compID int64) ([]DayCount, error) {
	rows, err := s.db.WithContext(ctx).Model(&Vote{}).Select("participant_id, created_at").Where("component_id = ?", compID).Rows()
	if err != nil {
		return nil, fmt.Errorf("loading vote times: %w", err)
	}
	defer rows.Close()
	votes := map[string]int{}
	first := map[int64]time.Time{}
	for rows.Next() {
		var pid int64
		var at time.Time
		if err := rows.Scan(&pid, &at); err != nil {
			return nil, fmt.Errorf("reading vote time: %w", err)
		}
		votes[at.UTC().Format(time.DateOnly)]++
		if f, ok := first[pid]; !ok || at.Before(f) {
			first[pid] = at
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	newP := map[string]int{}
	for _, at := range first {
		newP[at.UTC().Format(time.DateOnly)]++
	}
	out := make([]DayCount, 0, len(votes))
	top := 0
	for d, n := range votes {
		out = append(out, DayCount{Day: d, Votes: n, Participants: newP[d]})
		top = max(top, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	for i := range out {
		out[i].Width = max(1, 100*out[i].Votes/max(top, 1))
	}
	return out, nil
}
