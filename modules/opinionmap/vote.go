// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

// VotePage is the data of the vote page.
type VotePage struct {
	Base
	Next      *Statement
	Voted     int
	Counts    Counts
	Freshness *Freshness
	// MaxLength is the statement length limit, for the form.
	MaxLength int
	// Challenge is the proof of work of an anonymous visitor's statement
	// form (empty for signed-in participants).
	Challenge string
	// SubmitError and SubmitBody show a refused statement again with why.
	SubmitError *perr.Error
	SubmitBody  string
}

// Freshness says how current the shown results are.
type Freshness struct {
	ComputedAt time.Time
	VotesCount int64
	// Behind is the number of votes cast since (0: up to date).
	Behind int64
}

func (h *handlers) freshness(c echo.Context, counts Counts) (*Results, *Freshness, error) {
	r, err := h.svc.Results(c.Request().Context(), web.Component(c).ID)
	if err != nil || r == nil {
		return nil, nil, err
	}
	return r, &Freshness{ComputedAt: r.ComputedAt, VotesCount: r.VotesCount, Behind: max(0, counts.Votes-r.VotesCount)}, nil
}

func (h *handlers) votePage(c echo.Context) error {
	d, err := h.votePageData(c)
	if err != nil {
		return err
	}
	return h.s.Render(c, http.StatusOK, "opinionmap/vote", d)
}

func (h *handlers) votePageData(c echo.Context) (*VotePage, error) {
	ctx := c.Request().Context()
	b := h.base(c)
	d := &VotePage{Base: b, MaxLength: b.Settings.MaxLength}
	var p *Participant
	if b.CanTakePart {
		var err error
		if p, err = h.participant(c, false); err != nil {
			return nil, err
		}
	}
	if b.CanSubmit && web.Account(c) == nil {
		d.Challenge = h.challenge(c)
	}
	next, err := h.svc.Next(ctx, b.Component, p)
	if err != nil {
		return nil, err
	}
	d.Next = next
	mine, err := h.svc.MyVotes(ctx, p)
	if err != nil {
		return nil, err
	}
	d.Voted = len(mine)
	if d.Counts, err = h.svc.LiveCounts(ctx, b.Component.ID); err != nil {
		return nil, err
	}
	if _, d.Freshness, err = h.freshness(c, d.Counts); err != nil {
		return nil, err
	}
	return d, nil
}

func (h *handlers) vote(c echo.Context, statement int64, vote string) (*Participant, error) {
	v, err := ParseVote(vote)
	if err != nil {
		return nil, err
	}
	p, err := h.participant(c, true)
	if err != nil {
		return nil, err
	}
	return p, h.svc.Vote(c.Request().Context(), web.Component(c), p, statement, v)
}

// voteForm takes the vote page's form: three submit buttons named vote.
func (h *handlers) voteForm(c echo.Context) error {
	id, err := strconv.ParseInt(c.FormValue("statement_id"), 10, 64)
	if err != nil {
		return perr.NotFound("statement")
	}
	if _, err := h.vote(c, id, c.FormValue("vote")); err != nil {
		return err
	}
	return web.Redirect(c, h.url(c, ""))
}

// VoteInput is the vote API's body.
type VoteInput struct {
	StatementID int64  `json:"statement_id"`
	Vote        string `json:"vote"`
}

func (h *handlers) apiVote(c echo.Context) error {
	var in VoteInput
	if err := c.Bind(&in); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	v, err := ParseVote(in.Vote)
	if err != nil {
		return err
	}
	p, err := h.participant(c, true)
	if err != nil {
		return err
	}
	ctx, comp := c.Request().Context(), web.Component(c)
	mine, err := h.svc.VoteAndList(ctx, comp, p, in.StatementID, v)
	if err != nil {
		return err
	}
	next, err := h.svc.NextAfter(ctx, comp, p, mine)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, voteOutput{Next: next, StatementID: in.StatementID, Vote: in.Vote})
}

// voteOutput is the vote API's answer (fields in the order a map gave
// them before: a struct encodes without sorting keys nor boxing values).
type voteOutput struct {
	Next        *Statement `json:"next"`
	StatementID int64      `json:"statement_id"`
	Vote        string     `json:"vote"`
}

func (h *handlers) apiNext(c echo.Context) error {
	var p *Participant
	if _, err := h.who(c, false); err == nil {
		if p, err = h.participant(c, false); err != nil {
			return err
		}
	}
	next, err := h.svc.Next(c.Request().Context(), web.Component(c), p)
	if err != nil {
		return err
	}
	out := map[string]any{"next": next}
	if web.Account(c) == nil && h.base(c).CanSubmit {
		// An anonymous client solves it to submit a statement.
		out["pow_challenge"] = h.challenge(c)
	}
	return c.JSON(http.StatusOK, out)
}
