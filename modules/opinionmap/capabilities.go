// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"context"
	"fmt"
	"strconv"

	"github.com/polder-civic/polder/core/registry"
)

// Contributions returns a conversation's visible statements for other
// modules (the synthesis): public text only, no participant.
func (m *Module) Contributions(ctx context.Context, comp *registry.Component, f registry.ContributionFilter) ([]registry.Contribution, error) {
	if m.svc == nil {
		return nil, fmt.Errorf("opinionmap: contributions asked before the module was mounted")
	}
	if !f.Wants(KindStatement) {
		return nil, nil
	}
	q := m.svc.db.WithContext(ctx).Where("component_id = ? AND state IN ?", comp.ID, []string{StateAccepted, StateUnmoderated})
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	var sts []Statement
	if err := q.Order("id").Find(&sts).Error; err != nil {
		return nil, fmt.Errorf("listing statements: %w", err)
	}
	base := ""
	if m.srv != nil {
		base = m.srv.ComponentURL(ctx, comp)
	}
	// Authors: a signed-in participant counts as their account (the same
	// key as their proposals), an anonymous one as themselves.
	keys := map[int64]string{}
	{
		var ps []Participant
		authors := m.svc.db.Model(&Statement{}).Select("participant_id").Where("component_id = ? AND participant_id IS NOT NULL", comp.ID)
		if err := m.svc.db.WithContext(ctx).Where("id IN (?)", authors).Find(&ps).Error; err != nil {
			return nil, fmt.Errorf("listing statement authors: %w", err)
		}
		for _, p := range ps {
			if p.AccountID != nil {
				keys[p.ID] = registry.AuthorKey("account", *p.AccountID)
			} else {
				keys[p.ID] = registry.AuthorKey("opinionmap-participant", p.ID)
			}
		}
	}
	out := make([]registry.Contribution, 0, len(sts))
	for _, st := range sts {
		author := "person"
		if st.Seed {
			author = "facilitator"
		}
		key := ""
		if st.ParticipantID != nil && !st.Seed {
			key = keys[*st.ParticipantID]
		}
		out = append(out, registry.Contribution{Ref: ID + ":" + strconv.FormatInt(comp.ID, 10) + ":" + strconv.FormatInt(st.ID, 10),
			ModuleID: ID, ComponentID: comp.ID, ID: st.ID, Kind: KindStatement, Title: st.Body, Body: st.Body,
			AuthorType: author, AuthorKey: key, State: st.State, CreatedAt: st.CreatedAt, URL: statementURL(base, st.ID)})
	}
	return out, nil
}

// KindStatement is the Contribution.Kind of a conversation's statements.
const KindStatement = "statement"

// ContributionKinds lists what Contributions gives: statements.
func (m *Module) ContributionKinds() []string { return []string{KindStatement} }

// statementURL is the public page of a statement under a component's
// address (empty when the address is unknown).
func statementURL(base string, id int64) string {
	if base == "" {
		return ""
	}
	return base + "/statements/" + strconv.FormatInt(id, 10)
}

var _ registry.ContributionSource = (*Module)(nil)
