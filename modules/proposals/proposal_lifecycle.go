// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

// Publish files an author's draft, checking quotas as File does.
func (s *Service) Publish(ctx context.Context, sc *Scope, author *accounts.Account, id int64, locale string) (*Proposal, error) {
	if err := mayAuthor(sc, author); err != nil {
		return nil, err
	}
	p, err := s.Get(ctx, sc, id, author.ID, true)
	if err != nil {
		return nil, err
	}
	if p.AuthorID != author.ID {
		return nil, perr.Forbidden()
	}
	if p.State != StateDraft {
		return nil, perr.Conflict("proposals.error.not_draft", nil)
	}
	now := s.Now()
	session, err := openSession(sc, 0, locale, now)
	if err != nil {
		return nil, err
	}
	theme, ok := sc.Space.Theme(p.ThemeID)
	if !ok {
		return nil, perr.Invalid("proposals.error.theme", nil)
	}
	// A draft written in an earlier session is filed in the current one.
	p.SessionID = session.ID
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.claimQuota(tx, sc, p, theme, session, locale, now); err != nil {
			return err
		}
		res := tx.Model(&Proposal{}).Where("id = ? AND state = ?", p.ID, StateDraft).Updates(map[string]any{
			"state": p.State, "session_id": p.SessionID, "counts_quota": true, "published_at": now, "fingerprint": p.Fingerprint, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("publishing proposal: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return perr.Conflict("proposals.error.not_draft", nil)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, sc, author.ID, author.Nickname, "publish", p, "fingerprint="+p.Fingerprint)
	return p, nil
}

// Edit changes a draft, or a published proposal within the edit window;
// a published proposal gets a new fingerprint, and the audit log keeps
// the old one.
func (s *Service) Edit(ctx context.Context, sc *Scope, author *accounts.Account, id int64, d Draft) (*Proposal, error) {
	if author == nil {
		return nil, perr.Unauthorised()
	}
	p, err := s.Get(ctx, sc, id, author.ID, true)
	if err != nil {
		return nil, err
	}
	if p.AuthorID != author.ID {
		return nil, perr.Forbidden()
	}
	now := s.Now()
	switch {
	case p.State == StateDraft:
	case p.State == StatePublished && now.Before(editableUntil(p, sc.Settings)):
	default:
		return nil, perr.Conflict("proposals.error.edit_closed", map[string]any{"Minutes": sc.Settings.EditMinutes})
	}
	d = d.normalise()
	if err := d.Validate(sc.Settings); err != nil {
		return nil, err
	}
	old := p.Fingerprint
	p.Title, p.Body, p.UpdatedAt = d.Title, d.Body, now
	if p.State == StatePublished {
		p.Fingerprint = Fingerprint(p.Title, p.Body)
	}
	if err := s.db.WithContext(ctx).Model(&Proposal{}).Where("id = ?", p.ID).Updates(map[string]any{
		"title": p.Title, "body": p.Body, "fingerprint": p.Fingerprint, "updated_at": now}).Error; err != nil {
		return nil, fmt.Errorf("editing proposal: %w", err)
	}
	s.record(ctx, sc, author.ID, author.Nickname, "edit", p, "fingerprint="+old+" -> "+p.Fingerprint)
	return p, nil
}

// Withdraw withdraws one's published proposal; it stays visible, marked
// withdrawn. It gives the quota back only when the settings say so.
func (s *Service) Withdraw(ctx context.Context, sc *Scope, author *accounts.Account, id int64) (*Proposal, error) {
	if author == nil {
		return nil, perr.Unauthorised()
	}
	p, err := s.Get(ctx, sc, id, author.ID, true)
	if err != nil {
		return nil, err
	}
	if p.AuthorID != author.ID {
		return nil, perr.Forbidden()
	}
	if p.State != StatePublished {
		return nil, perr.Conflict("proposals.error.not_published", nil)
	}
	now := s.Now()
	upd := map[string]any{"state": StateWithdrawn, "withdrawn_at": now, "updated_at": now}
	if sc.Settings.WithdrawalReturnsQuota {
		upd["counts_quota"] = false
		p.CountsQuota = false
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		// The author's row is locked so a quota given back cannot race a
		// filing.
		if _, err := s.lockParticipant(tx, sc.Component.ID, author.ID); err != nil {
			return err
		}
		res := tx.Model(&Proposal{}).Where("id = ? AND state = ?", p.ID, StatePublished).Updates(upd)
		if res.Error != nil {
			return fmt.Errorf("withdrawing proposal: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return perr.Conflict("proposals.error.not_published", nil)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.State, p.WithdrawnAt = StateWithdrawn, &now
	s.record(ctx, sc, author.ID, author.Nickname, "withdraw", p, "")
	return p, nil
}

// Answer sets the official answer of an evaluator (the route checks the
// permission).
func (s *Service) Answer(ctx context.Context, sc *Scope, evaluator *accounts.Account, id int64, state, text string) (*Proposal, error) {
	if evaluator == nil {
		return nil, perr.Unauthorised()
	}
	if state != AnswerEvaluating && state != AnswerAccepted && state != AnswerRejected {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "proposals.error.answer_state", Fields: map[string]string{"answer_state": "proposals.error.answer_state"}}
	}
	d := Draft{Body: text}.normalise()
	if len([]rune(d.Body)) > 10000 {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "proposals.error.answer_long", Fields: map[string]string{"answer_text": "proposals.error.answer_long"}}
	}
	p, err := s.Get(ctx, sc, id, 0, true)
	if err != nil {
		return nil, err
	}
	if p.State != StatePublished {
		return nil, perr.Conflict("proposals.error.not_published", nil)
	}
	now := s.Now()
	if err := s.db.WithContext(ctx).Model(&Proposal{}).Where("id = ?", p.ID).Updates(map[string]any{
		"answer_state": state, "answer_text": d.Body, "answered_at": now, "updated_at": now}).Error; err != nil {
		return nil, fmt.Errorf("answering proposal: %w", err)
	}
	p.AnswerState, p.AnswerText, p.AnsweredAt = state, d.Body, &now
	s.record(ctx, sc, evaluator.ID, evaluator.Nickname, "answer", p, "state="+state)
	return p, nil
}

// EditPage is the data of the edit form.
type EditPage struct {
	Base
	Proposal *Proposal
	Input    Draft
	Errors   map[string]string
	Error    string
}

func (h *handlers) editForm(c echo.Context) error {
	id, err := proposalID(c)
	if err != nil {
		return err
	}
	sc := h.scope(c)
	p, err := h.svc.Get(c.Request().Context(), sc, id, web.AccountID(c), true)
	if err != nil {
		return err
	}
	if p.AuthorID != web.AccountID(c) {
		return perr.Forbidden()
	}
	return h.s.Render(c, http.StatusOK, "proposals/edit", EditPage{Base: h.base(c, sc), Proposal: p, Input: Draft{Title: p.Title, Body: p.Body}, Errors: map[string]string{}})
}

func (h *handlers) edit(c echo.Context) error {
	if err := web.RequireForm(c); err != nil {
		return err
	}
	id, err := proposalID(c)
	if err != nil {
		return err
	}
	sc := h.scope(c)
	d := Draft{Title: c.FormValue("title"), Body: c.FormValue("body")}
	p, err := h.svc.Edit(c.Request().Context(), sc, web.Account(c), id, d)
	if err != nil {
		pe, ok := perr.As(err)
		if !ok || (pe.Code != perr.CodeInvalid && pe.Code != perr.CodeConflict) {
			return err
		}
		page := EditPage{Base: h.base(c, sc), Proposal: &Proposal{ID: id}, Input: d, Errors: map[string]string{}}
		loc := web.Locale(c)
		for k, mid := range pe.Fields {
			page.Errors[k] = h.s.Bundle.T(loc, mid, pe.Data)
		}
		page.Error = h.s.Bundle.T(loc, pe.MessageID, pe.Data)
		return h.s.Render(c, web.StatusOf(pe.Code), "proposals/edit", page)
	}
	h.s.Flash(c, "proposals.flash.saved")
	return web.Redirect(c, h.url(c, "/proposals/"+strconv.FormatInt(p.ID, 10)))
}

// postAction runs a lifecycle action from a form button and redirects to
// the proposal with a flash message.
func (h *handlers) postAction(flash string, do func(c echo.Context, sc *Scope, id int64) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := proposalID(c)
		if err != nil {
			return err
		}
		if err := do(c, h.scope(c), id); err != nil {
			return err
		}
		h.s.Flash(c, flash)
		return web.Redirect(c, h.url(c, "/proposals/"+strconv.FormatInt(id, 10)))
	}
}

func (h *handlers) publish(c echo.Context, sc *Scope, id int64) error {
	_, err := h.svc.Publish(c.Request().Context(), sc, web.Account(c), id, web.Locale(c))
	return err
}

func (h *handlers) withdraw(c echo.Context, sc *Scope, id int64) error {
	_, err := h.svc.Withdraw(c.Request().Context(), sc, web.Account(c), id)
	return err
}

func (h *handlers) answer(c echo.Context, sc *Scope, id int64) error {
	_, err := h.svc.Answer(c.Request().Context(), sc, web.Account(c), id, c.FormValue("answer_state"), c.FormValue("answer_text"))
	return err
}

// apiAction runs an action for the JSON API and returns the proposal.
func (h *handlers) apiAction(do func(c echo.Context, sc *Scope, id int64) (*Proposal, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := proposalID(c)
		if err != nil {
			return err
		}
		p, err := do(c, h.scope(c), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, p)
	}
}

func (h *handlers) apiEdit(c echo.Context, sc *Scope, id int64) (*Proposal, error) {
	var d Draft
	if err := c.Bind(&d); err != nil {
		return nil, perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	return h.svc.Edit(c.Request().Context(), sc, web.Account(c), id, d)
}

func (h *handlers) apiPublish(c echo.Context, sc *Scope, id int64) (*Proposal, error) {
	return h.svc.Publish(c.Request().Context(), sc, web.Account(c), id, web.Locale(c))
}

func (h *handlers) apiWithdraw(c echo.Context, sc *Scope, id int64) (*Proposal, error) {
	return h.svc.Withdraw(c.Request().Context(), sc, web.Account(c), id)
}

func (h *handlers) apiAnswer(c echo.Context, sc *Scope, id int64) (*Proposal, error) {
	var in struct {
		State string `json:"answer_state"`
		Text  string `json:"answer_text"`
	}
	if err := c.Bind(&in); err != nil {
		return nil, perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	return h.svc.Answer(c.Request().Context(), sc, web.Account(c), id, in.State, in.Text)
}
