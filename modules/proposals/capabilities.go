// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/registry"
)

var errNotMounted = errors.New("proposals: module not mounted yet (core hands it the database when mounting routes)")

// Contributions lists a component's visible proposals (published or
// withdrawn, never drafts or hidden ones) and the comments on them (not
// deleted, not hidden) for other modules and the synthesis: public fields
// only. Comments take their proposal's theme and session; the date range
// applies to each contribution's own date. A state filter other than
// "published" (e.g. budgets importing "accepted" proposals) leaves
// comments out: they have no answer.
func (m *Module) Contributions(ctx context.Context, comp *registry.Component, f registry.ContributionFilter) ([]registry.Contribution, error) {
	if m.svc == nil {
		return nil, errNotMounted
	}
	parents := func() *gorm.DB {
		q := m.svc.db.WithContext(ctx).Table("proposals p").Where("p.component_id = ? AND p.state IN ?", comp.ID, publicStates).
			Where(moderation.NotHiddenSQL(ResourceType, "p.id"))
		if f.ThemeID != 0 {
			q = q.Where("p.theme_id = ?", f.ThemeID)
		}
		if f.SessionID != 0 {
			q = q.Where("p.session_id = ?", f.SessionID)
		}
		return q
	}
	base := ""
	if m.srv != nil {
		base = m.srv.ComponentURL(ctx, comp)
	}
	var out []registry.Contribution
	if f.Wants(ResourceType) {
		q := parents()
		switch f.State {
		case StatePublished, StateWithdrawn:
			q = q.Where("p.state = ?", f.State)
		case AnswerEvaluating, AnswerAccepted, AnswerRejected:
			q = q.Where("p.answer_state = ?", f.State)
		}
		if !f.From.IsZero() {
			q = q.Where("p.published_at >= ?", f.From.UTC())
		}
		if !f.To.IsZero() {
			q = q.Where("p.published_at < ?", f.To.UTC())
		}
		var rows []Proposal
		if err := q.Order("p.id").Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("listing contributions: %w", err)
		}
		for _, p := range rows {
			state := p.State
			if p.AnswerState != "" && p.State == StatePublished {
				state = p.AnswerState
			}
			created := p.CreatedAt
			if p.PublishedAt != nil {
				created = *p.PublishedAt
			}
			out = append(out, registry.Contribution{Ref: ID + ":" + strconv.FormatInt(comp.ID, 10) + ":" + strconv.FormatInt(p.ID, 10),
				ModuleID: ID, ComponentID: comp.ID, ID: p.ID, Kind: ResourceType, Title: p.Title, Body: p.Body, ThemeID: p.ThemeID,
				SessionID: p.SessionID, AuthorType: p.AuthorKind, AuthorKey: authorKey(p.AuthorID), Supports: p.SupportsCount, State: state, Language: p.Locale,
				URL: base + "/proposals/" + strconv.FormatInt(p.ID, 10), CreatedAt: created})
		}
	}
	if f.Wants(comments.ResourceType) && (f.State == "" || f.State == StatePublished) {
		var rows []struct {
			comments.Comment
			ThemeID, SessionID int64
		}
		q := m.svc.db.WithContext(ctx).Table("comments c").
			Select("c.*, p.theme_id, p.session_id").
			Joins("JOIN (?) p ON p.id = c.resource_id", parents().Select("p.id, p.theme_id, p.session_id")).
			Where("c.resource_type = ? AND c.deleted_at IS NULL", ResourceType).
			Where(moderation.NotHiddenSQL(comments.ResourceType, "c.id"))
		if !f.From.IsZero() {
			q = q.Where("c.created_at >= ?", f.From.UTC())
		}
		if !f.To.IsZero() {
			q = q.Where("c.created_at < ?", f.To.UTC())
		}
		if err := q.Order("c.id").Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("listing comments: %w", err)
		}
		for _, c := range rows {
			out = append(out, registry.Contribution{Ref: ID + ":" + strconv.FormatInt(comp.ID, 10) + ":" + comments.ResourceType + "-" + strconv.FormatInt(c.ID, 10),
				ModuleID: ID, ComponentID: comp.ID, ID: c.ID, Kind: comments.ResourceType, Body: c.Body, ThemeID: c.ThemeID, SessionID: c.SessionID,
				AuthorType: "person", AuthorKey: authorKey(c.AuthorID), State: StatePublished,
				URL: base + "/proposals/" + strconv.FormatInt(c.ResourceID, 10) + "#comment-" + strconv.FormatInt(c.ID, 10), CreatedAt: c.CreatedAt})
		}
	}
	return out, nil
}

// ContributionKinds lists what Contributions gives: proposals and the
// comments on them.
func (m *Module) ContributionKinds() []string {
	return []string{ResourceType, comments.ResourceType}
}

// authorKey is the registry's key of a proposal's author account (none
// when the proposal has no author account).
func authorKey(accountID int64) string {
	if accountID == 0 {
		return ""
	}
	return registry.AuthorKey("account", accountID)
}

// PersonalRecord is what the module holds about one participant.
type PersonalRecord struct {
	Proposals []Proposal         `json:"proposals"`
	Supports  []PersonalSupport  `json:"supports"`
	Comments  []comments.Comment `json:"comments_on_proposals"`
}

// PersonalSupport is one support the participant gave.
type PersonalSupport struct {
	ProposalID int64     `json:"proposal_id"`
	CreatedAt  time.Time `json:"created_at"`
}

// PersonalData returns the participant's proposals (drafts included),
// supports and comments on proposals, for their data download.
func (m *Module) PersonalData(ctx context.Context, accountID int64) (any, error) {
	if m.svc == nil {
		return nil, errNotMounted
	}
	var rec PersonalRecord
	db := m.svc.db.WithContext(ctx)
	if err := db.Where("author_id = ?", accountID).Order("id").Find(&rec.Proposals).Error; err != nil {
		return nil, fmt.Errorf("personal proposals: %w", err)
	}
	if err := db.Table("proposal_supports").Select("proposal_id, created_at").Where("account_id = ?", accountID).Order("proposal_id").Scan(&rec.Supports).Error; err != nil {
		return nil, fmt.Errorf("personal supports: %w", err)
	}
	if err := db.Where("author_id = ? AND resource_type = ?", accountID, ResourceType).Order("id").Find(&rec.Comments).Error; err != nil {
		return nil, fmt.Errorf("personal comments: %w", err)
	}
	if len(rec.Proposals) == 0 && len(rec.Supports) == 0 && len(rec.Comments) == 0 {
		return nil, nil
	}
	return rec, nil
}

// Anonymise deletes the participant's drafts (private, unpublished);
// published proposals, comments and supports stay, shown under the neutral
// name core gives the account. It is idempotent.
func (m *Module) Anonymise(ctx context.Context, accountID int64) error {
	if m.svc == nil {
		return errNotMounted
	}
	if err := m.svc.db.WithContext(ctx).Where("author_id = ? AND state = ?", accountID, StateDraft).Delete(&Proposal{}).Error; err != nil {
		return fmt.Errorf("deleting drafts: %w", err)
	}
	return nil
}
