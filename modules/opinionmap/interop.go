// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/modules/opinionmap/polisdata"
)

// polisDatetime is the datetime column's layout in Pol.is exports.
const polisDatetime = "Mon Jan 02 15:04:05 MST 2006"

// ImportStats says what an import loaded.
type ImportStats struct {
	Statements, Participants, Votes int
	// Skipped counts votes on statements the export does not list.
	Skipped int
}

func stateOf(moderated int) string {
	switch {
	case moderated > 0:
		return StateAccepted
	case moderated < 0:
		return StateRejected
	}
	return StateUnmoderated
}

// Import loads a Pol.is export into an empty conversation: its comments
// as statements (moderation kept), its voters and authors as anonymous
// participants (their Pol.is ids kept as external ids) and each voter's
// latest vote per comment with its time. It runs in one transaction.
func (s *Service) Import(ctx context.Context, compID int64, e *polisdata.Export) (ImportStats, error) {
	var st ImportStats
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Statement{}).Where("component_id = ?", compID).Count(&n).Error; err != nil {
			return fmt.Errorf("checking conversation: %w", err)
		}
		if n > 0 {
			return perr.Conflict("opinionmap.error.not_empty", nil)
		}
		now := s.Now()
		parts := map[int64]int64{} // Pol.is id → our id
		ensure := func(ext int64, at time.Time) (int64, error) {
			if id, ok := parts[ext]; ok {
				return id, nil
			}
			e := ext
			p := Participant{ComponentID: compID, ExternalID: &e, CreatedAt: at}
			if err := tx.Create(&p).Error; err != nil {
				return 0, fmt.Errorf("adding participant %d: %w", ext, err)
			}
			parts[ext] = p.ID
			return p.ID, nil
		}
		comments := slices.Clone(e.Comments)
		slices.SortFunc(comments, func(a, b polisdata.Comment) int { return int(a.ID - b.ID) })
		stmts := map[int64]int64{}
		for _, c := range comments {
			at := msTime(c.Timestamp, now)
			ext := c.ID
			row := Statement{ComponentID: compID, Body: c.Body, State: stateOf(c.Moderated), ExternalID: &ext, CreatedAt: at}
			if c.AuthorID >= 0 {
				pid, err := ensure(c.AuthorID, at)
				if err != nil {
					return err
				}
				row.ParticipantID = &pid
			}
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("adding statement %d: %w", c.ID, err)
			}
			stmts[c.ID] = row.ID
		}
		votes := e.LatestVotes()
		batch := make([]Vote, 0, 1000)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if err := tx.CreateInBatches(batch, 500).Error; err != nil {
				return fmt.Errorf("adding votes: %w", err)
			}
			batch = batch[:0]
			return nil
		}
		for _, v := range votes {
			sid, ok := stmts[v.CommentID]
			if !ok || v.Vote < -1 || v.Vote > 1 {
				st.Skipped++
				continue
			}
			at := msTime(v.Timestamp, now)
			pid, err := ensure(v.VoterID, at)
			if err != nil {
				return err
			}
			batch = append(batch, Vote{StatementID: sid, ParticipantID: pid, ComponentID: compID, Vote: v.Vote, CreatedAt: at, UpdatedAt: at})
			st.Votes++
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		st.Statements, st.Participants = len(stmts), len(parts)
		return nil
	})
	return st, err
}

func msTime(ms int64, fallback time.Time) time.Time {
	if ms <= 0 {
		return fallback
	}
	return time.UnixMilli(ms).UTC()
}

// Export writes a conversation in Pol.is's export format. Ids are the
// Pol.is ones when the whole conversation came from an import (so an
// export of an import reads like the original), else ours. Groups come
// from the last recompute (−1 when none or not clustered).
func (s *Service) Export(ctx context.Context, compID int64) (*polisdata.Export, error) {
	sts, err := s.Statements(ctx, compID, StateAccepted, StateUnmoderated, StateRejected)
	if err != nil {
		return nil, err
	}
	var parts []Participant
	if err := s.db.WithContext(ctx).Where("component_id = ?", compID).Order("id").Find(&parts).Error; err != nil {
		return nil, fmt.Errorf("loading participants: %w", err)
	}
	external := true
	for _, st := range sts {
		external = external && st.ExternalID != nil
	}
	for _, p := range parts {
		external = external && p.ExternalID != nil
	}
	sid := map[int64]int64{}
	for _, st := range sts {
		sid[st.ID] = st.ID
		if external {
			sid[st.ID] = *st.ExternalID
		}
	}
	pid := map[int64]int64{}
	for _, p := range parts {
		pid[p.ID] = p.ID
		if external {
			pid[p.ID] = *p.ExternalID
		}
	}
	res, err := s.Results(ctx, compID)
	if err != nil {
		return nil, err
	}
	var votes []Vote
	if err := s.db.WithContext(ctx).Where("component_id = ?", compID).Order("updated_at, participant_id, statement_id").Find(&votes).Error; err != nil {
		return nil, fmt.Errorf("loading votes: %w", err)
	}
	e := &polisdata.Export{}
	type tally struct{ agree, disagree int }
	perStmt := map[int64]*tally{}
	perPart := map[int64]*polisdata.Participant{}
	for _, p := range parts {
		g := -1
		if res != nil {
			g = res.GroupOf(p.ID)
		}
		perPart[p.ID] = &polisdata.Participant{ID: pid[p.ID], Group: g, Votes: map[int64]int{}}
	}
	for _, v := range votes {
		cid, ok := sid[v.StatementID]
		if !ok {
			continue // a vote on a statement now pending
		}
		at := v.UpdatedAt.UTC()
		e.Votes = append(e.Votes, polisdata.Vote{Timestamp: at.UnixMilli(), Datetime: at.Format(polisDatetime), CommentID: cid, VoterID: pid[v.ParticipantID], Vote: v.Vote})
		t := perStmt[v.StatementID]
		if t == nil {
			t = &tally{}
			perStmt[v.StatementID] = t
		}
		pp := perPart[v.ParticipantID]
		pp.NVotes++
		pp.Votes[cid] = v.Vote
		switch v.Vote {
		case 1:
			t.agree++
			pp.NAgree++
		case -1:
			t.disagree++
			pp.NDisagree++
		}
	}
	for _, st := range sts {
		at := st.CreatedAt.UTC()
		author := int64(-1)
		if st.ParticipantID != nil {
			author = pid[*st.ParticipantID]
			if pp := perPart[*st.ParticipantID]; pp != nil {
				pp.NComments++
			}
		}
		mod := 0
		switch st.State {
		case StateAccepted:
			mod = 1
		case StateRejected:
			mod = -1
		}
		c := polisdata.Comment{Timestamp: at.UnixMilli(), Datetime: at.Format(polisDatetime), ID: sid[st.ID], AuthorID: author, Moderated: mod, Body: st.Body}
		if t := perStmt[st.ID]; t != nil {
			c.Agrees, c.Disagrees = t.agree, t.disagree
		}
		e.Comments = append(e.Comments, c)
		e.VoteColumns = append(e.VoteColumns, sid[st.ID])
	}
	for _, p := range parts {
		if pp := perPart[p.ID]; pp.NVotes > 0 || pp.NComments > 0 {
			e.Participants = append(e.Participants, *pp)
		}
	}
	return e, nil
}
