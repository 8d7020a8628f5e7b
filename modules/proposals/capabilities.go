// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

var errNotMounted = errors.New("proposals: module not mounted yet (core hands it the database when mounting routes)")

// Contributions lists a component's visible proposals (published or
// withdrawn, never drafts or hidden ones) for other modules and the
// synthesis: public fields only.
func (m *Module) Contributions(ctx context.Context, comp *registry.Component, f registry.ContributionFilter) ([]registry.Contribution, error) {
	if m.svc == nil {
		return nil, errNotMounted
	}
	q := m.svc.db.WithContext(ctx).Table("proposals p").Where("p.component_id = ? AND p.state IN ?", comp.ID, publicStates).
		Where(moderation.NotHiddenSQL(ResourceType, "p.id"))
	if f.ThemeID != 0 {
		q = q.Where("p.theme_id = ?", f.ThemeID)
	}
	if f.SessionID != 0 {
		q = q.Where("p.session_id = ?", f.SessionID)
	}
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
	base := ""
	if res, ok := m.srv.SpaceResolver(comp.SpaceType); ok {
		if sp, err := res.ByID(ctx, comp.SpaceID); err == nil {
			base = web.SpacePrefixes[sp.Type] + "/" + sp.Slug + "/c/" + strconv.FormatInt(comp.ID, 10)
		}
	}
	out := make([]registry.Contribution, 0, len(rows))
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
	return out, nil
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
