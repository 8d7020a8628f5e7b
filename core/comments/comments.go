// SPDX-License-Identifier: AGPL-3.0-or-later

// Package comments is the core comment service any module attaches to its
// resources: threaded comments (a reply to a reply to a comment, depth at
// most MaxDepth), each with a stance (agree, disagree, neutral) towards the
// resource, which authors can edit and delete, and participants can report
// through core/moderation. Hidden comments are left out of threads.
package comments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// ResourceType is the moderation resource type of comments.
const ResourceType = "comment"

// Stances a comment takes towards the resource it comments on.
const (
	StanceAgree    = "agree"
	StanceDisagree = "disagree"
	StanceNeutral  = "neutral"
)

// MaxDepth is the deepest reply level: 0 is a top comment, so depth 3 is
// a reply to a reply to a reply.
const MaxDepth = 3

// MaxBody bounds a comment's length in characters.
const MaxBody = 5000

// Comment is one comment.
type Comment struct {
	ID             int64
	OrganisationID int64
	ResourceType   string
	ResourceID     int64
	ParentID       *int64
	Depth          int
	AuthorID       int64
	Body           string
	Stance         string
	EditedAt       *time.Time
	DeletedAt      *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Deleted reports whether the author deleted the comment (its replies
// stay, under a placeholder).
func (c *Comment) Deleted() bool { return c.DeletedAt != nil }

// Ref names the resource comments attach to.
type Ref struct {
	OrganisationID int64
	Type           string
	ID             int64
}

// Node is a comment in a thread with its author's display name and replies.
type Node struct {
	Comment
	AuthorName string
	Replies    []*Node
}

// Thread is the visible comments of a resource as a tree, with counts.
type Thread struct {
	Roots []*Node
	Count int
	// ByStance counts visible, non-deleted comments per stance.
	ByStance map[string]int
}

// Service stores comments.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the comment service.
func New(db *store.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// ValidStance reports whether s is a stance.
func ValidStance(s string) bool {
	return s == StanceAgree || s == StanceDisagree || s == StanceNeutral
}

func validate(body, stance string) (string, error) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	fields := map[string]string{}
	if body == "" {
		fields["body"] = "comments.error.empty"
	} else if len([]rune(body)) > MaxBody {
		fields["body"] = "comments.error.too_long"
	}
	if !ValidStance(stance) {
		fields["stance"] = "comments.error.stance"
	}
	if len(fields) > 0 {
		return "", &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Data: map[string]any{"Max": MaxBody}, Fields: fields}
	}
	return body, nil
}

// Add writes a comment on ref, as a reply to parentID when non-zero.
func (s *Service) Add(ctx context.Context, ref Ref, authorID, parentID int64, body, stance string) (*Comment, error) {
	if stance == "" {
		stance = StanceNeutral
	}
	body, err := validate(body, stance)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &Comment{OrganisationID: ref.OrganisationID, ResourceType: ref.Type, ResourceID: ref.ID, AuthorID: authorID,
		Body: body, Stance: stance, CreatedAt: now, UpdatedAt: now}
	if parentID != 0 {
		parent, err := s.Get(ctx, ref.OrganisationID, parentID)
		if err != nil {
			return nil, err
		}
		if parent.ResourceType != ref.Type || parent.ResourceID != ref.ID {
			return nil, perr.NotFound("comment")
		}
		if parent.Depth >= MaxDepth {
			return nil, perr.Invalid("comments.error.depth", map[string]any{"Max": MaxDepth})
		}
		hidden, err := moderationHidden(ctx, s.db, parent.ID)
		if err != nil {
			return nil, err
		}
		if hidden || parent.Deleted() {
			return nil, perr.Invalid("comments.error.parent_gone", nil)
		}
		c.ParentID = &parent.ID
		c.Depth = parent.Depth + 1
	}
	if err := s.db.WithContext(ctx).Create(c).Error; err != nil {
		return nil, fmt.Errorf("saving comment: %w", err)
	}
	return c, nil
}

func moderationHidden(ctx context.Context, db *store.DB, id int64) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Table("comments").Where("id = ? AND NOT "+moderation.NotHiddenSQL(ResourceType, "comments.id"), id).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("checking comment moderation: %w", err)
	}
	return n > 0, nil
}

// Get loads a comment of an organisation.
func (s *Service) Get(ctx context.Context, orgID, id int64) (*Comment, error) {
	var c Comment
	err := s.db.WithContext(ctx).Where("organisation_id = ? AND id = ?", orgID, id).First(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("comment")
	}
	if err != nil {
		return nil, fmt.Errorf("loading comment %d: %w", id, err)
	}
	return &c, nil
}

// Edit changes the body and stance of one's own comment.
func (s *Service) Edit(ctx context.Context, orgID, id, authorID int64, body, stance string) (*Comment, error) {
	body, err := validate(body, stance)
	if err != nil {
		return nil, err
	}
	c, err := s.Get(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if c.AuthorID != authorID {
		return nil, perr.Forbidden()
	}
	if c.Deleted() {
		return nil, perr.NotFound("comment")
	}
	now := s.now()
	if err := s.db.WithContext(ctx).Model(c).Updates(map[string]any{"body": body, "stance": stance, "edited_at": now, "updated_at": now}).Error; err != nil {
		return nil, fmt.Errorf("editing comment: %w", err)
	}
	c.Body, c.Stance, c.EditedAt = body, stance, &now
	return c, nil
}

// Delete removes one's own comment: its text is erased, its replies stay.
func (s *Service) Delete(ctx context.Context, orgID, id, authorID int64) (*Comment, error) {
	c, err := s.Get(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if c.AuthorID != authorID {
		return nil, perr.Forbidden()
	}
	if c.Deleted() {
		return c, nil
	}
	now := s.now()
	if err := s.db.WithContext(ctx).Model(c).Updates(map[string]any{"body": "", "deleted_at": now, "updated_at": now}).Error; err != nil {
		return nil, fmt.Errorf("deleting comment: %w", err)
	}
	c.Body, c.DeletedAt = "", &now
	return c, nil
}

// Thread returns the visible comments of a resource as a tree. Hidden
// comments and, with them, their replies are left out; deleted comments
// with visible replies stay as placeholders.
func (s *Service) Thread(ctx context.Context, ref Ref) (*Thread, error) {
	type row struct {
		Comment
		AuthorName string
		Anonymised bool
	}
	var rows []row
	err := s.db.WithContext(ctx).Table("comments").
		Select("comments.*, accounts.nickname AS author_name, accounts.anonymised_at IS NOT NULL AS anonymised").
		Joins("JOIN accounts ON accounts.id = comments.author_id").
		Where("comments.organisation_id = ? AND comments.resource_type = ? AND comments.resource_id = ?", ref.OrganisationID, ref.Type, ref.ID).
		Where(moderation.NotHiddenSQL(ResourceType, "comments.id")).
		Order("comments.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("loading comments: %w", err)
	}
	t := &Thread{ByStance: map[string]int{}}
	nodes := map[int64]*Node{}
	for _, r := range rows {
		n := &Node{Comment: r.Comment, AuthorName: r.AuthorName}
		if r.Anonymised {
			n.AuthorName = "—"
		}
		nodes[n.ID] = n
		if n.ParentID == nil {
			t.Roots = append(t.Roots, n)
		} else if p, ok := nodes[*n.ParentID]; ok {
			p.Replies = append(p.Replies, n)
		} else {
			// The parent is hidden: so is the reply.
			delete(nodes, n.ID)
			continue
		}
		if !n.Deleted() {
			t.Count++
			t.ByStance[n.Stance]++
		}
	}
	return t, nil
}

// Count returns the number of visible, non-deleted comments of a resource
// (replies under a hidden comment are not visible, so it walks the thread).
func (s *Service) Count(ctx context.Context, ref Ref) (int, error) {
	t, err := s.Thread(ctx, ref)
	if err != nil {
		return 0, err
	}
	return t.Count, nil
}
