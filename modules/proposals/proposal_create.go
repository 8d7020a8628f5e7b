// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
)

// FileInput is a new proposal.
type FileInput struct {
	ThemeID int64 `json:"theme_id"`
	// SessionID defaults to the current session; another session is
	// refused (filing happens in the session that is open).
	SessionID int64 `json:"session_id"`
	Draft
	// Publish files the proposal at once; otherwise it is kept as a draft
	// (drafts use no quota until published).
	Publish bool   `json:"publish"`
	Locale  string `json:"locale"`
}

// mayAuthor checks who the component lets author proposals.
func mayAuthor(sc *Scope, author *accounts.Account) error {
	if author == nil {
		return perr.Unauthorised()
	}
	if author.Kind == accounts.KindGroup && !sc.Settings.GroupsMayAuthor {
		return perr.New(perr.CodeForbidden, "proposals.error.groups_not_allowed", nil)
	}
	if sc.Settings.Authors == AuthorsVerified && !author.Confirmed() {
		return perr.New(perr.CodeForbidden, "proposals.error.verified_only", nil)
	}
	return nil
}

// openSession checks that filing is open in the session a proposal goes
// to: it must be the space's current session, with proposals open.
func openSession(sc *Scope, sessionID int64, locale string, now time.Time) (*registry.Session, error) {
	cur := sc.Space.CurrentSession(now)
	if sessionID != 0 {
		se, ok := sc.Space.Session(sessionID)
		if !ok {
			return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "proposals.error.session", Fields: map[string]string{"session_id": "proposals.error.session"}}
		}
		if cur == nil || cur.ID != se.ID {
			return nil, closedError(sc, locale, now)
		}
	}
	if cur == nil || !sc.SessionSettings(cur.ID).ProposalsOpen || sc.Space.Status != registry.StatusPublished {
		return nil, closedError(sc, locale, now)
	}
	return cur, nil
}

func closedError(sc *Scope, locale string, now time.Time) error {
	data := map[string]any{"Next": ""}
	if next := sc.Space.NextSession(now); next != nil {
		data["Next"] = next.StartsAt.UTC().Format("2006-01-02")
		data["NextTitle"] = next.Title.In(locale, "en")
	}
	return perr.Conflict("proposals.error.closed", data)
}

// File writes a new proposal, as a draft or published. Publishing checks
// the author's quotas and inserts under the author's locked participant
// row, so concurrent filings by one author cannot both pass the check.
func (s *Service) File(ctx context.Context, sc *Scope, author *accounts.Account, in FileInput) (*Proposal, error) {
	if err := mayAuthor(sc, author); err != nil {
		return nil, err
	}
	now := s.Now()
	theme, ok := sc.Space.Theme(in.ThemeID)
	if !ok {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "proposals.error.theme", Fields: map[string]string{"theme_id": "proposals.error.theme"}}
	}
	session, err := openSession(sc, in.SessionID, in.Locale, now)
	if err != nil {
		return nil, err
	}
	d := in.Draft.normalise()
	if err := d.Validate(sc.Settings); err != nil {
		return nil, err
	}
	p := &Proposal{OrganisationID: sc.Space.OrganisationID, ComponentID: sc.Component.ID, SpaceID: sc.Space.ID, ThemeID: theme.ID,
		SessionID: session.ID, AuthorID: author.ID, AuthorKind: author.Kind, Title: d.Title, Body: d.Body, Locale: in.Locale,
		State: StateDraft, CreatedAt: now, UpdatedAt: now}
	if p.AuthorKind == "" {
		p.AuthorKind = accounts.KindPerson
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if in.Publish {
			if err := s.claimQuota(tx, sc, p, theme, session, in.Locale, now); err != nil {
				return err
			}
		}
		if err := tx.Create(p).Error; err != nil {
			return fmt.Errorf("saving proposal: %w", err)
		}
		action := "create_draft"
		if in.Publish {
			action = "publish"
		}
		// In the transaction: the entry commits with the proposal, and
		// the filing waits for one commit, not two.
		s.record(store.WithTx(ctx, tx), sc, author.ID, author.Nickname, action, p, "fingerprint="+p.Fingerprint)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// claimQuota locks the author's row, checks the three quotas and marks p
// published and counting. It runs inside the transaction that then writes
// p, so the check and the write are one atomic step.
func (s *Service) claimQuota(tx *gorm.DB, sc *Scope, p *Proposal, theme *registry.Theme, session *registry.Session, locale string, now time.Time) error {
	// Counting the filing first locks the author's row (as lockParticipant
	// does) in the same statement; a refusal rolls the count back.
	if err := tx.Exec(`INSERT INTO proposal_participants (component_id, account_id, filed, supports) VALUES (?, ?, 1, 0)
		ON CONFLICT (component_id, account_id) DO UPDATE SET filed = proposal_participants.filed + 1`, sc.Component.ID, p.AuthorID).Error; err != nil {
		return fmt.Errorf("locking participant row: %w", err)
	}
	u, err := usage(tx, sc.Component.ID, p.AuthorID, theme.ID, session.ID)
	if err != nil {
		return err
	}
	if err := checkQuota(sc.Settings.QuotasFor(p.AuthorKind), u, sc, theme, session, locale, now); err != nil {
		return err
	}
	p.State = StatePublished
	p.CountsQuota = true
	p.PublishedAt = &now
	p.Fingerprint = Fingerprint(p.Title, p.Body)
	p.UpdatedAt = now
	return nil
}

// NewPage is the data of the filing form.
type NewPage struct {
	Base
	Input  FileInput
	Errors map[string]string
	// Error is the translated reason a submission was refused (quota,
	// closed session), shown above the form.
	Error string
	Quota *QuotaReport
}

func (h *handlers) newForm(c echo.Context) error {
	sc := h.scope(c)
	in := FileInput{}
	in.ThemeID, _ = strconv.ParseInt(c.QueryParam("theme"), 10, 64)
	return h.renderNew(c, sc, http.StatusOK, in, nil)
}

func (h *handlers) renderNew(c echo.Context, sc *Scope, status int, in FileInput, err error) error {
	page := NewPage{Base: h.base(c, sc), Input: in, Errors: map[string]string{}}
	if err != nil {
		pe, ok := perr.As(err)
		if !ok || pe.Code == perr.CodeInternal || pe.Code == perr.CodeForbidden || pe.Code == perr.CodeUnauthorised {
			return err
		}
		status = web.StatusOf(pe.Code)
		loc := web.Locale(c)
		for k, id := range pe.Fields {
			page.Errors[k] = h.s.Bundle.T(loc, id, pe.Data)
		}
		page.Error = h.s.Bundle.T(loc, pe.MessageID, pe.Data)
	}
	if acc := web.Account(c); acc != nil {
		q, qerr := h.svc.Remaining(c.Request().Context(), sc, acc.ID, acc.Kind)
		if qerr != nil {
			return qerr
		}
		page.Quota = q
	}
	return h.s.Render(c, status, "proposals/new", page)
}

func (h *handlers) create(c echo.Context) error {
	if err := web.RequireForm(c); err != nil {
		return err
	}
	sc := h.scope(c)
	in := FileInput{Locale: web.Locale(c)}
	in.ThemeID, _ = strconv.ParseInt(c.FormValue("theme_id"), 10, 64)
	in.SessionID, _ = strconv.ParseInt(c.FormValue("session_id"), 10, 64)
	in.Title, in.Body = c.FormValue("title"), c.FormValue("body")
	in.Publish = c.FormValue("draft") == ""
	p, err := h.svc.File(c.Request().Context(), sc, web.Account(c), in)
	if err != nil {
		// The form comes back with the author's text and the reason.
		return h.renderNew(c, sc, 0, in, err)
	}
	if p.State == StateDraft {
		h.s.Flash(c, "proposals.flash.draft_saved")
	} else {
		h.s.Flash(c, "proposals.flash.published")
	}
	return web.Redirect(c, h.url(c, "/proposals/"+strconv.FormatInt(p.ID, 10)))
}

func (h *handlers) apiCreate(c echo.Context) error {
	var in FileInput
	if err := c.Bind(&in); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	if in.Locale == "" {
		in.Locale = web.Locale(c)
	}
	p, err := h.svc.File(c.Request().Context(), h.scope(c), web.Account(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}
