// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// Results is the last recompute of a conversation as pages read it.
type Results struct {
	ComponentID       int64
	VotesCount        int64
	ParticipantsCount int64
	ComputedAt        time.Time
	Duration          time.Duration
	Result            *opinionmath.Result
	// group and point index the participants of Result.
	group map[int64]int
	point map[int64]opinionmath.Point
}

// GroupOf returns a participant's group, −1 when not clustered.
func (r *Results) GroupOf(participantID int64) int {
	if g, ok := r.group[participantID]; ok {
		return g
	}
	return -1
}

// Point returns a participant's position on the map.
func (r *Results) Point(participantID int64) (opinionmath.Point, bool) {
	p, ok := r.point[participantID]
	return p, ok
}

func (r *Results) index() {
	r.group, r.point = map[int64]int{}, map[int64]opinionmath.Point{}
	for _, p := range r.Result.Participants {
		r.point[p.ID] = p.Point
		if p.Clustered {
			r.group[p.ID] = p.Group
		}
	}
}

func moderation(state string) opinionmath.Moderation {
	switch state {
	case StateAccepted:
		return opinionmath.Accepted
	case StateUnmoderated:
		return opinionmath.Unmoderated
	}
	return opinionmath.Rejected
}

// Matrix loads a conversation's vote matrix. Pending statements are left
// out altogether (nobody has seen them); rejected ones stay as columns,
// zeroed by the math, as Pol.is does.
func (s *Service) Matrix(ctx context.Context, compID int64) (*opinionmath.Matrix, int64, error) {
	sts, err := s.Statements(ctx, compID, StateAccepted, StateUnmoderated, StateRejected)
	if err != nil {
		return nil, 0, err
	}
	m := opinionmath.NewMatrix()
	for _, st := range sts {
		m.SetStatement(opinionmath.Statement{ID: st.ID, Moderation: moderation(st.State), Meta: st.Meta})
	}
	rows, err := s.db.WithContext(ctx).Model(&Vote{}).Select("participant_id, statement_id, vote").
		Where("component_id = ?", compID).Order("participant_id, statement_id").Rows()
	if err != nil {
		return nil, 0, fmt.Errorf("loading votes: %w", err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var pid, sid int64
		var v int
		if err := rows.Scan(&pid, &sid, &v); err != nil {
			return nil, 0, fmt.Errorf("reading vote: %w", err)
		}
		m.AddParticipant(pid)
		if err := m.SetVote(pid, sid, opinionmath.Vote(v)); err != nil {
			// A vote on a pending statement (moderated back) is not in the math.
			continue
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("reading votes: %w", err)
	}
	return m, n, nil
}

// runJob is the recompute job's handler.
func (s *Service) runJob(ctx context.Context, j *jobs.Job, progress func(int, string)) error {
	compID, err := strconv.ParseInt(j.Payload, 10, 64)
	if err != nil {
		return fmt.Errorf("recompute job payload %q: %w", j.Payload, err)
	}
	progress(10, "loading votes")
	started := s.Now()
	if _, err := s.Recompute(ctx, compID); err != nil {
		return err
	}
	// Votes that arrived while this run loaded and computed may have been
	// debounced in memory (schedule): run again for them.
	var later int64
	if err := s.db.WithContext(ctx).Model(&Vote{}).Where("component_id = ? AND updated_at >= ?", compID, started).Limit(1).Count(&later).Error; err != nil {
		return fmt.Errorf("checking for later votes: %w", err)
	}
	if later > 0 && s.jobs != nil {
		s.enqueue(ctx, compID, time.Second)
	}
	return nil
}

// Recompute runs the math on a conversation now, warm-started from the
// previous run's history, and stores the result with the votes it
// reflects.
func (s *Service) Recompute(ctx context.Context, compID int64) (*Results, error) {
	start := time.Now()
	m, n, err := s.Matrix(ctx, compID)
	if err != nil {
		return nil, err
	}
	var hist *opinionmath.History
	if prev, err := s.loadResults(ctx, compID); err != nil {
		slog.Warn("opinionmap: previous result unreadable, cold start", "component", compID, "err", err)
	} else if prev != nil {
		hist = prev.Result.History
	}
	res, err := opinionmath.Compute(m, hist, opinionmath.Options{Seed: uint64(compID)})
	if err != nil {
		return nil, fmt.Errorf("computing opinion map of component %d: %w", compID, err)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(res); err != nil {
		return nil, fmt.Errorf("encoding result: %w", err)
	}
	r := &Results{ComponentID: compID, VotesCount: n, ParticipantsCount: int64(m.NumParticipants()), ComputedAt: s.Now(), Duration: time.Since(start), Result: res}
	row := storedResult{ComponentID: compID, VotesCount: n, ParticipantsCount: r.ParticipantsCount, ComputedAt: r.ComputedAt,
		DurationMs: r.Duration.Milliseconds(), Result: buf.Bytes()}
	if err := s.db.WithContext(ctx).Save(&row).Error; err != nil {
		return nil, fmt.Errorf("storing result: %w", err)
	}
	r.index()
	s.mu.Lock()
	s.cache[compID] = r
	s.mu.Unlock()
	slog.Info("opinionmap: recomputed", "component", compID, "votes", n, "participants", r.ParticipantsCount, "groups", len(res.Groups), "took", r.Duration)
	return r, nil
}

// Results returns the last stored recompute, nil when none ran yet. It is
// cached in memory and reloaded when another instance stored a newer one.
func (s *Service) Results(ctx context.Context, compID int64) (*Results, error) {
	s.mu.Lock()
	c, checked := s.cache[compID], s.checked[compID]
	s.mu.Unlock()
	// Within visibleTTL of the last check, the cached result is used as
	// is: voting does not need to-the-second results.
	if c != nil && time.Since(checked) < visibleTTL {
		return c, nil
	}
	defer func() {
		s.mu.Lock()
		s.checked[compID] = time.Now()
		s.mu.Unlock()
	}()
	var at storedResult
	if err := s.db.WithContext(ctx).Select("computed_at").Where("component_id = ?", compID).Limit(1).Find(&at).Error; err != nil {
		return nil, fmt.Errorf("checking result: %w", err)
	}
	if at.ComputedAt.IsZero() {
		return nil, nil
	}
	if c != nil && c.ComputedAt.Equal(at.ComputedAt) {
		return c, nil
	}
	r, err := s.loadResults(ctx, compID)
	if err != nil || r == nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[compID] = r
	s.mu.Unlock()
	return r, nil
}

func (s *Service) loadResults(ctx context.Context, compID int64) (*Results, error) {
	var row storedResult
	if err := s.db.WithContext(ctx).Where("component_id = ?", compID).Limit(1).Find(&row).Error; err != nil {
		return nil, fmt.Errorf("loading result: %w", err)
	}
	if row.ComponentID == 0 {
		return nil, nil
	}
	var res opinionmath.Result
	if err := gob.NewDecoder(bytes.NewReader(row.Result)).Decode(&res); err != nil {
		return nil, fmt.Errorf("decoding result: %w", err)
	}
	r := &Results{ComponentID: compID, VotesCount: row.VotesCount, ParticipantsCount: row.ParticipantsCount,
		ComputedAt: row.ComputedAt.UTC(), Duration: time.Duration(row.DurationMs) * time.Millisecond, Result: &res}
	r.index()
	return r, nil
}
