// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import "context"

// BatchVote is one vote of WriteBatch.
type BatchVote struct {
	StatementID, ParticipantID int64
	Vote                       int
}

// WriteBatch writes votes as one batch, as votes arriving together are
// on PostgreSQL, and returns each vote's error and its participant's
// voted statements.
func (s *Service) WriteBatch(compID int64, votes []BatchVote) ([]error, []map[int64]bool) {
	batch := make([]*groupItem[pendingVote], len(votes))
	for i, v := range votes {
		batch[i] = &groupItem[pendingVote]{v: &pendingVote{statementID: v.StatementID, participantID: v.ParticipantID, componentID: compID, vote: v.Vote, list: true}, done: make(chan struct{})}
	}
	s.votes.writeBatch(context.Background(), batch)
	errs, voted := make([]error, len(batch)), make([]map[int64]bool, len(batch))
	for i, it := range batch {
		errs[i], voted[i] = it.err, it.v.voted
	}
	return errs, voted
}
