// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

// ShowPage is the data of a proposal's page.
type ShowPage struct {
	Base
	Proposal   *Proposal
	AuthorName string
	Theme      *registry.Theme
	Session    *registry.Session
	Thread     *comments.Thread
	// Supported is true when the viewer supports the proposal.
	Supported bool
	// Hidden is true when moderation hid it (only its author and
	// moderators still see it).
	Hidden bool
	// Editable is true when the viewer may still edit it, until EditUntil.
	Editable  bool
	EditUntil time.Time
	// Own is true when the viewer wrote it.
	Own bool
	// Reasons are the moderation reasons for the report form.
	Reasons []string
	// Stances are the comment stances.
	Stances []string
	// AnswerStates are the evaluator's choices.
	AnswerStates []string
}

// editableUntil returns when a published proposal stops being editable.
func editableUntil(p *Proposal, s Settings) time.Time {
	if p.PublishedAt == nil {
		return time.Time{}
	}
	return p.PublishedAt.Add(time.Duration(s.EditMinutes) * time.Minute)
}

// authorName returns an account's public name.
func (s *Service) authorName(ctx context.Context, id int64) (string, error) {
	var a struct {
		Nickname   string
		Anonymised bool
	}
	err := s.db.WithContext(ctx).Raw("SELECT nickname, anonymised_at IS NOT NULL AS anonymised FROM accounts WHERE id = ?", id).Scan(&a).Error
	if err != nil {
		return "", fmt.Errorf("loading author: %w", err)
	}
	if a.Anonymised || a.Nickname == "" {
		return "—", nil
	}
	return a.Nickname, nil
}

// Supports reports whether an account supports a proposal.
func (s *Service) Supports(ctx context.Context, proposalID, accountID int64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("proposal_supports").Where("proposal_id = ? AND account_id = ?", proposalID, accountID).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("checking support: %w", err)
	}
	return n > 0, nil
}

func (h *handlers) show(c echo.Context) error {
	id, err := proposalID(c)
	if err != nil {
		return err
	}
	sc := h.scope(c)
	ctx := c.Request().Context()
	b := h.base(c, sc)
	viewer := web.AccountID(c)
	p, err := h.svc.Get(ctx, sc, id, viewer, b.CanModerate)
	if err != nil {
		return err
	}
	page := ShowPage{Base: b, Proposal: p, Reasons: moderation.Reasons, Stances: []string{comments.StanceAgree, comments.StanceDisagree, comments.StanceNeutral},
		AnswerStates: []string{AnswerEvaluating, AnswerAccepted, AnswerRejected}}
	page.Theme, _ = sc.Space.Theme(p.ThemeID)
	page.Session, _ = sc.Space.Session(p.SessionID)
	if page.AuthorName, err = h.svc.authorName(ctx, p.AuthorID); err != nil {
		return err
	}
	if page.Hidden, err = h.svc.Moderation.IsHidden(ctx, ResourceType, p.ID); err != nil {
		return err
	}
	page.Own = viewer != 0 && viewer == p.AuthorID
	page.EditUntil = editableUntil(p, sc.Settings)
	page.Editable = page.Own && (p.State == StateDraft || (p.State == StatePublished && h.svc.Now().Before(page.EditUntil)))
	if viewer != 0 {
		if page.Supported, err = h.svc.Supports(ctx, p.ID, viewer); err != nil {
			return err
		}
	}
	if page.Thread, err = h.svc.Comments.Thread(ctx, comments.Ref{OrganisationID: sc.Space.OrganisationID, Type: ResourceType, ID: p.ID}); err != nil {
		return err
	}
	return h.s.Render(c, http.StatusOK, "proposals/show", page)
}

func (h *handlers) apiShow(c echo.Context) error {
	id, err := proposalID(c)
	if err != nil {
		return err
	}
	sc := h.scope(c)
	p, err := h.svc.Get(c.Request().Context(), sc, id, web.AccountID(c), false)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
