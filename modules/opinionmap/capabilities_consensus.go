// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"context"
	"fmt"
	"strconv"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// maxConsensus is how many consensus statements are given, as on the
// report page.
const maxConsensus = 5

// Consensus returns what a conversation agrees and divides on, from its
// last computed results, with the same selection as the report page:
// group-informed consensus kept only where a majority of every group
// votes the same way, and the most divisive statements. Statements
// rejected since the computation are left out (their text is no longer
// public). It returns nil, nil before the first computation.
func (m *Module) Consensus(ctx context.Context, comp *registry.Component, space *registry.Space) (*registry.ConversationConsensus, error) {
	if m.svc == nil {
		return nil, fmt.Errorf("opinionmap: consensus asked before the module was mounted")
	}
	res, err := m.svc.Results(ctx, comp.ID)
	if err != nil {
		return nil, fmt.Errorf("loading results of conversation %d: %w", comp.ID, err)
	}
	if res == nil || res.Result == nil {
		return nil, nil
	}
	// No panel split here: the per-group counts are what the filter needs.
	split, err := m.svc.SplitByPanel(ctx, comp.ID, nil, res)
	if err != nil {
		return nil, err
	}
	sts, err := m.svc.Statements(ctx, comp.ID, StateAccepted, StateUnmoderated)
	if err != nil {
		return nil, err
	}
	body := make(map[int64]string, len(sts))
	for _, st := range sts {
		body[st.ID] = st.Body
	}
	r := res.Result
	counts := make(map[int64]opinionmath.Counts, len(r.Statements))
	for _, st := range r.Statements {
		counts[st.ID] = st.All
	}
	base := ""
	if space != nil {
		base = web.SpacePrefixes[space.Type] + "/" + space.Slug + "/c/" + strconv.FormatInt(comp.ID, 10)
	}
	out := &registry.ConversationConsensus{ComponentID: comp.ID, URL: base + "/report", ComputedAt: res.ComputedAt, Groups: len(r.Groups)}
	var gids []int
	for _, g := range r.Groups {
		gids = append(gids, g.ID)
		out.Participants += len(g.Members)
	}
	line := func(id int64) (registry.ConsensusStatement, bool) {
		text, ok := body[id]
		if !ok {
			return registry.ConsensusStatement{}, false
		}
		c := counts[id]
		l := registry.ConsensusStatement{Ref: ID + ":" + strconv.FormatInt(comp.ID, 10) + ":" + strconv.FormatInt(id, 10),
			ID: id, Text: text, Seen: c.Seen, URL: statementURL(base, id)}
		if c.Seen > 0 {
			n := float64(c.Seen)
			l.AgreeShare, l.DisagreeShare, l.PassShare = float64(c.Agree)/n, float64(c.Disagree)/n, float64(c.Pass())/n
		}
		return l, true
	}
	for _, sc := range r.GroupConsensus {
		if len(out.Consensus) == maxConsensus {
			break
		}
		agree := sc.Vote == opinionmath.Agree
		if !split.unites(sc.StatementID, gids, agree) {
			continue
		}
		if l, ok := line(sc.StatementID); ok {
			l.Agree = agree
			out.Consensus = append(out.Consensus, l)
		}
	}
	for _, sc := range r.Divisive {
		if l, ok := line(sc.StatementID); ok {
			out.Divisive = append(out.Divisive, l)
		}
	}
	return out, nil
}

var _ registry.ConsensusProvider = (*Module)(nil)
