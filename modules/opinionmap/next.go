// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"context"
	"math/rand/v2"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// Next chooses the next statement to show a participant by the routing
// priority of the last recompute (opinionmath.NextStatement); nil when the
// participant has voted on every visible statement. p may be nil (a
// visitor who has not voted yet).
func (s *Service) Next(ctx context.Context, comp *registry.Component, p *Participant) (*Statement, error) {
	mine, err := s.votedOn(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.NextAfter(ctx, comp, p, mine)
}

// NextAfter is Next given the statements the participant voted on
// (VoteAndList).
func (s *Service) NextAfter(ctx context.Context, comp *registry.Component, p *Participant, mine map[int64]bool) (*Statement, error) {
	sts, err := s.visibleStatements(ctx, comp.ID)
	if err != nil {
		return nil, err
	}
	// Only this participant's votes are needed: routing skips what they
	// voted on and weighs the rest by the stored priorities.
	in := make([]opinionmath.Statement, len(sts))
	for i := range sts {
		in[i] = opinionmath.Statement{ID: sts[i].ID, Moderation: moderation(sts[i].State), Meta: sts[i].Meta}
	}
	var last *opinionmath.Result
	if r, err := s.Results(ctx, comp.ID); err != nil {
		return nil, err
	} else if r != nil {
		last = r.Result
	}
	id, ok := opinionmath.NextStatementOf(in, mine, last, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())), opinionmath.Options{})
	if !ok {
		return nil, nil
	}
	for i := range sts {
		if sts[i].ID == id {
			return &sts[i], nil
		}
	}
	return nil, nil
}
