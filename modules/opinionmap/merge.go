// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/web"
)

// AnonKey is the anonymous participant key of a browser session, derived
// from the session's secret (its CSRF token): it lives as long as the
// session, survives a login (core keeps the secret when it rotates the
// session token), needs no extra cookie nor session write, and
// concurrent first votes of one browser agree on it.
func AnonKey(sessionSecret string) string {
	sum := sha256.Sum256([]byte("opinionmap.anon:" + sessionSecret))
	return hex.EncodeToString(sum[:])
}

// MergeSession moves what a visitor did anonymously in a session to the
// account they have just logged in with (core calls it after every
// login, see web.SessionMerger).
func (m *Module) MergeSession(ctx context.Context, sessionSecret string, accountID int64) error {
	if m.svc == nil {
		return nil
	}
	_, err := m.svc.MergeAnonymous(ctx, AnonKey(sessionSecret), accountID)
	return err
}

// MergeAnonymous moves the anonymous participant of a session key, in
// every conversation where it took part, to the account's participant:
// its votes (where both voted on a statement, the more recent vote is
// kept) and its statements; the anonymous participant is then deleted.
// Where the account has no participant yet, the anonymous one simply
// becomes the account's. Each conversation is merged in one transaction,
// and its recompute scheduled (participants changed). It returns the
// number of conversations merged.
func (s *Service) MergeAnonymous(ctx context.Context, anonKey string, accountID int64) (int, error) {
	var anons []Participant
	// By key alone (any conversation): the opinion_participants_anon_key
	// index.
	if err := s.db.WithContext(ctx).Where("anon_key = ?", anonKey).Find(&anons).Error; err != nil {
		return 0, fmt.Errorf("finding anonymous participants: %w", err)
	}
	merged := 0
	for _, anon := range anons {
		if err := s.db.Tx(ctx, func(tx *gorm.DB) error { return mergeInto(tx, anon, accountID) }); err != nil {
			return merged, fmt.Errorf("merging participant %d into account %d: %w", anon.ID, accountID, err)
		}
		merged++
		s.participants.Delete(partKey{anon.ComponentID, Who{AnonKey: anonKey}})
		s.participants.Delete(partKey{anon.ComponentID, Who{AccountID: accountID}})
		if s.jobs != nil {
			s.enqueue(ctx, anon.ComponentID, 0)
		}
		slog.Info("opinionmap: anonymous participant merged into account", "component", anon.ComponentID, "participant", anon.ID, "account", accountID)
	}
	return merged, nil
}

func mergeInto(tx *gorm.DB, anon Participant, accountID int64) error {
	var acc Participant
	if err := tx.Where("component_id = ? AND account_id = ?", anon.ComponentID, accountID).Limit(1).Find(&acc).Error; err != nil {
		return fmt.Errorf("loading the account's participant: %w", err)
	}
	if acc.ID == 0 {
		// No participant for the account yet: the anonymous one becomes it.
		return tx.Model(&Participant{}).Where("id = ?", anon.ID).
			Updates(map[string]any{"account_id": accountID, "anon_key": nil}).Error
	}
	// Votes and statements by component and participant: the indexes
	// start with the component (by participant alone, PostgreSQL would
	// read every conversation's entries).
	var theirs, mine []Vote
	if err := tx.Where("component_id = ? AND participant_id = ?", anon.ComponentID, anon.ID).Find(&theirs).Error; err != nil {
		return fmt.Errorf("loading anonymous votes: %w", err)
	}
	if err := tx.Where("component_id = ? AND participant_id = ?", anon.ComponentID, acc.ID).Find(&mine).Error; err != nil {
		return fmt.Errorf("loading the account's votes: %w", err)
	}
	have := make(map[int64]Vote, len(mine))
	for _, v := range mine {
		have[v.StatementID] = v
	}
	for _, v := range theirs {
		cur, ok := have[v.StatementID]
		if !ok {
			continue
		}
		// Both voted: the more recent vote wins (on a tie, the account's).
		if v.UpdatedAt.After(cur.UpdatedAt) {
			if err := tx.Model(&Vote{}).Where("statement_id = ? AND participant_id = ?", v.StatementID, acc.ID).
				Updates(map[string]any{"vote": v.Vote, "updated_at": v.UpdatedAt}).Error; err != nil {
				return fmt.Errorf("keeping the more recent vote: %w", err)
			}
		}
		if err := tx.Where("statement_id = ? AND participant_id = ?", v.StatementID, anon.ID).Delete(&Vote{}).Error; err != nil {
			return fmt.Errorf("dropping the older vote: %w", err)
		}
	}
	if err := tx.Model(&Vote{}).Where("component_id = ? AND participant_id = ?", anon.ComponentID, anon.ID).Update("participant_id", acc.ID).Error; err != nil {
		return fmt.Errorf("moving votes: %w", err)
	}
	if err := tx.Model(&Statement{}).Where("component_id = ? AND participant_id = ?", anon.ComponentID, anon.ID).Update("participant_id", acc.ID).Error; err != nil {
		return fmt.Errorf("moving statements: %w", err)
	}
	if err := tx.Where("id = ?", anon.ID).Delete(&Participant{}).Error; err != nil {
		return fmt.Errorf("deleting the anonymous participant: %w", err)
	}
	return nil
}

var _ web.SessionMerger = (*Module)(nil)
