// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

// target builds the moderation target of a proposal or of a comment on
// one, checking it belongs to the scope's component.
func (s *Service) target(ctx context.Context, sc *Scope, resourceType string, id int64, baseURL string) (moderation.Target, error) {
	t := moderation.Target{OrganisationID: sc.Space.OrganisationID, SpaceID: sc.Space.ID, ResourceType: resourceType, ResourceID: id}
	switch resourceType {
	case ResourceType:
		p, err := s.Get(ctx, sc, id, 0, true)
		if err != nil {
			return t, err
		}
		t.AuthorID, t.Excerpt = p.AuthorID, p.Title+" — "+p.Body
		t.Link = baseURL + "/proposals/" + strconv.FormatInt(p.ID, 10)
	case comments.ResourceType:
		cm, err := s.commentOf(ctx, sc, id)
		if err != nil {
			return t, err
		}
		t.AuthorID, t.Excerpt = cm.AuthorID, cm.Body
		t.Link = baseURL + "/proposals/" + strconv.FormatInt(cm.ResourceID, 10) + "#comment-" + strconv.FormatInt(cm.ID, 10)
	default:
		return t, perr.NotFound("resource")
	}
	return t, nil
}

// Report records a participant's report of a proposal or comment; the
// component's auto_hide_reports setting hides it after that many reports.
func (s *Service) Report(ctx context.Context, sc *Scope, acc *accounts.Account, resourceType string, id int64, reason, details, baseURL string) (*moderation.Moderation, error) {
	if acc == nil {
		return nil, perr.Unauthorised()
	}
	t, err := s.target(ctx, sc, resourceType, id, baseURL)
	if err != nil {
		return nil, err
	}
	m, err := s.Moderation.Report(ctx, t, acc.ID, reason, details, sc.Settings.AutoHideReports)
	if err != nil {
		return nil, err
	}
	if m.Hidden() && resourceType == comments.ResourceType {
		s.recountFor(ctx, sc, id)
	}
	if s.audit != nil {
		s.audit.Record(ctx, web.AuditEntry{OrganisationID: sc.Space.OrganisationID, ActorID: acc.ID, ActorLabel: acc.Nickname, Action: "moderation.report",
			ResourceType: resourceType, ResourceID: strconv.FormatInt(id, 10), SpaceID: sc.Space.ID, Details: "reason=" + reason})
	}
	return m, nil
}

// recountFor refreshes the comment count of the proposal a comment is on.
func (s *Service) recountFor(ctx context.Context, sc *Scope, commentID int64) {
	if cm, err := s.Comments.Get(ctx, sc.Space.OrganisationID, commentID); err == nil {
		_ = s.refreshCommentCount(ctx, sc, cm.ResourceID)
	}
}

// Moderate hides or unhides a proposal or a comment by a moderator's
// decision.
func (s *Service) Moderate(ctx context.Context, sc *Scope, mod *accounts.Account, moderationID int64, hide bool) (*moderation.Moderation, error) {
	if mod == nil {
		return nil, perr.Unauthorised()
	}
	m, err := s.Moderation.ByID(ctx, sc.Space.OrganisationID, moderationID)
	if err != nil {
		return nil, err
	}
	if m.SpaceID != sc.Space.ID {
		return nil, perr.NotFound("moderation")
	}
	t := moderation.Target{OrganisationID: m.OrganisationID, SpaceID: m.SpaceID, ResourceType: m.ResourceType, ResourceID: m.ResourceID, Link: m.Link}
	if hide {
		m, err = s.Moderation.Hide(ctx, t, mod.ID)
	} else {
		m, err = s.Moderation.Unhide(ctx, t, mod.ID)
	}
	if err != nil {
		return nil, err
	}
	if m.ResourceType == comments.ResourceType {
		s.recountFor(ctx, sc, m.ResourceID)
	}
	action := "moderation.unhide"
	if hide {
		action = "moderation.hide"
	}
	if s.audit != nil {
		s.audit.Record(ctx, web.AuditEntry{OrganisationID: sc.Space.OrganisationID, ActorID: mod.ID, ActorLabel: mod.Nickname, Action: action,
			ResourceType: m.ResourceType, ResourceID: strconv.FormatInt(m.ResourceID, 10), SpaceID: sc.Space.ID})
	}
	return m, nil
}

// ReportPage is the data of the report form.
type ReportPage struct {
	Base
	ResourceType string
	ResourceID   int64
	Action       string
	Reasons      []string
	Error        string
}

func (h *handlers) reportForm(resourceType string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("rid"), 10, 64)
		if err != nil {
			return perr.NotFound(resourceType)
		}
		sc := h.scope(c)
		if _, err := h.svc.target(c.Request().Context(), sc, resourceType, id, h.url(c, "")); err != nil {
			return err
		}
		return h.s.Render(c, http.StatusOK, "proposals/report", ReportPage{Base: h.base(c, sc), ResourceType: resourceType, ResourceID: id,
			Action: c.Request().URL.Path, Reasons: moderation.Reasons})
	}
}

func (h *handlers) report(resourceType string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("rid"), 10, 64)
		if err != nil {
			return perr.NotFound(resourceType)
		}
		sc := h.scope(c)
		var in struct {
			Reason  string `json:"reason" form:"reason"`
			Details string `json:"details" form:"details"`
		}
		if err := c.Bind(&in); err != nil {
			return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
		}
		m, err := h.svc.Report(c.Request().Context(), sc, web.Account(c), resourceType, id, in.Reason, in.Details, h.url(c, ""))
		if err != nil {
			return err
		}
		if web.IsAPI(c) {
			return c.JSON(http.StatusOK, map[string]any{"reported": true, "hidden": m.Hidden()})
		}
		h.s.Flash(c, "moderation.flash.reported")
		return web.Redirect(c, h.url(c, ""))
	}
}

// QueuePage is the data of the moderator queue.
type QueuePage struct {
	Base
	Reported, Hidden []moderation.QueueItem
}

func (h *handlers) queue(c echo.Context) error {
	sc := h.scope(c)
	ctx := c.Request().Context()
	types := []string{ResourceType, comments.ResourceType}
	rep, err := h.svc.Moderation.Queue(ctx, sc.Space.OrganisationID, sc.Space.ID, types, false)
	if err != nil {
		return err
	}
	hid, err := h.svc.Moderation.Queue(ctx, sc.Space.OrganisationID, sc.Space.ID, types, true)
	if err != nil {
		return err
	}
	if web.IsAPI(c) {
		return c.JSON(http.StatusOK, map[string]any{"reported": rep, "hidden": hid})
	}
	return h.s.Render(c, http.StatusOK, "proposals/moderation", QueuePage{Base: h.base(c, sc), Reported: rep, Hidden: hid})
}

func (h *handlers) moderate(hide bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		mid, err := strconv.ParseInt(c.Param("mid"), 10, 64)
		if err != nil {
			return perr.NotFound("moderation")
		}
		m, err := h.svc.Moderate(c.Request().Context(), h.scope(c), web.Account(c), mid, hide)
		if err != nil {
			return err
		}
		if web.IsAPI(c) {
			return c.JSON(http.StatusOK, map[string]any{"id": m.ID, "hidden": m.Hidden()})
		}
		if hide {
			h.s.Flash(c, "moderation.flash.hidden")
		} else {
			h.s.Flash(c, "moderation.flash.unhidden")
		}
		return web.Redirect(c, h.url(c, "/moderation"))
	}
}
