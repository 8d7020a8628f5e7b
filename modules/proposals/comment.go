// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

// Comment adds a comment (or a reply) on a visible, published proposal
// through core's comment service.
func (s *Service) Comment(ctx context.Context, sc *Scope, acc *accounts.Account, id, parentID int64, body, stance string) (*comments.Comment, error) {
	if acc == nil {
		return nil, perr.Unauthorised()
	}
	if !sc.Settings.CommentsEnabled {
		return nil, perr.Conflict("comments.closed", nil)
	}
	p, err := s.Get(ctx, sc, id, 0, false)
	if err != nil {
		return nil, err
	}
	if p.State != StatePublished {
		return nil, perr.Conflict("proposals.error.not_published", nil)
	}
	cm, err := s.Comments.Add(ctx, comments.Ref{OrganisationID: sc.Space.OrganisationID, Type: ResourceType, ID: p.ID}, acc.ID, parentID, body, stance)
	if err != nil {
		return nil, err
	}
	if err := s.refreshCommentCount(ctx, sc, p.ID); err != nil {
		return nil, err
	}
	return cm, nil
}

// refreshCommentCount recounts a proposal's visible comments; listings
// show the stored count.
func (s *Service) refreshCommentCount(ctx context.Context, sc *Scope, proposalID int64) error {
	n, err := s.Comments.Count(ctx, comments.Ref{OrganisationID: sc.Space.OrganisationID, Type: ResourceType, ID: proposalID})
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Exec("UPDATE proposals SET comments_count = ? WHERE id = ?", n, proposalID).Error
}

// commentOf loads a comment and checks it belongs to a proposal of the
// scope's component.
func (s *Service) commentOf(ctx context.Context, sc *Scope, commentID int64) (*comments.Comment, error) {
	cm, err := s.Comments.Get(ctx, sc.Space.OrganisationID, commentID)
	if err != nil {
		return nil, err
	}
	if cm.ResourceType != ResourceType {
		return nil, perr.NotFound("comment")
	}
	if _, err := s.Get(ctx, sc, cm.ResourceID, 0, true); err != nil {
		return nil, perr.NotFound("comment")
	}
	return cm, nil
}

func commentID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("cid"), 10, 64)
	if err != nil || id <= 0 {
		return 0, perr.NotFound("comment")
	}
	return id, nil
}

func (h *handlers) comment(c echo.Context, sc *Scope, id int64) error {
	parent, _ := strconv.ParseInt(c.FormValue("parent_id"), 10, 64)
	_, err := h.svc.Comment(c.Request().Context(), sc, web.Account(c), id, parent, c.FormValue("body"), c.FormValue("stance"))
	return err
}

// CommentEditPage is the data of the comment edit form.
type CommentEditPage struct {
	Base
	Comment *comments.Comment
	Stances []string
	Error   string
}

func (h *handlers) commentEditForm(c echo.Context) error {
	cid, err := commentID(c)
	if err != nil {
		return err
	}
	sc := h.scope(c)
	cm, err := h.svc.commentOf(c.Request().Context(), sc, cid)
	if err != nil {
		return err
	}
	if cm.AuthorID != web.AccountID(c) {
		return perr.Forbidden()
	}
	return h.s.Render(c, http.StatusOK, "proposals/comment_edit", CommentEditPage{Base: h.base(c, sc), Comment: cm, Stances: []string{comments.StanceAgree, comments.StanceDisagree, comments.StanceNeutral}})
}

func (h *handlers) commentEdit(c echo.Context) error {
	cid, err := commentID(c)
	if err != nil {
		return err
	}
	sc := h.scope(c)
	ctx := c.Request().Context()
	cm, err := h.svc.commentOf(ctx, sc, cid)
	if err != nil {
		return err
	}
	edited, err := h.svc.Comments.Edit(ctx, sc.Space.OrganisationID, cm.ID, web.AccountID(c), c.FormValue("body"), c.FormValue("stance"))
	if err != nil {
		return err
	}
	h.s.Flash(c, "comments.flash.edited")
	return web.Redirect(c, h.url(c, "/proposals/"+strconv.FormatInt(edited.ResourceID, 10)+"#comment-"+strconv.FormatInt(edited.ID, 10)))
}

func (h *handlers) commentDelete(c echo.Context) error {
	cid, err := commentID(c)
	if err != nil {
		return err
	}
	sc := h.scope(c)
	ctx := c.Request().Context()
	cm, err := h.svc.commentOf(ctx, sc, cid)
	if err != nil {
		return err
	}
	if _, err := h.svc.Comments.Delete(ctx, sc.Space.OrganisationID, cm.ID, web.AccountID(c)); err != nil {
		return err
	}
	if err := h.svc.refreshCommentCount(ctx, sc, cm.ResourceID); err != nil {
		return err
	}
	h.s.Flash(c, "comments.flash.deleted")
	return web.Redirect(c, h.url(c, "/proposals/"+strconv.FormatInt(cm.ResourceID, 10)))
}

func (h *handlers) apiComments(c echo.Context) error {
	id, err := proposalID(c)
	if err != nil {
		return err
	}
	sc := h.scope(c)
	ctx := c.Request().Context()
	if c.Request().Method == http.MethodPost {
		var in struct {
			ParentID int64  `json:"parent_id"`
			Body     string `json:"body"`
			Stance   string `json:"stance"`
		}
		if err := c.Bind(&in); err != nil {
			return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
		}
		cm, err := h.svc.Comment(ctx, sc, web.Account(c), id, in.ParentID, in.Body, in.Stance)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, cm)
	}
	if _, err := h.svc.Get(ctx, sc, id, 0, false); err != nil {
		return err
	}
	t, err := h.svc.Comments.Thread(ctx, comments.Ref{OrganisationID: sc.Space.OrganisationID, Type: ResourceType, ID: id})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
