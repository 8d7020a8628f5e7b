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
	l, err := s.loadMatrix(ctx, compID, time.Time{})
	if err != nil {
		return nil, 0, err
	}
	return l.m, l.votes, nil
}

// loaded is a vote matrix with what changed since a moment.
type loaded struct {
	m     *opinionmath.Matrix
	votes int64
	// changed are the participants with a vote cast or changed at or after
	// since, and recent the number of such votes.
	changed []int64
	recent  int
}

func (s *Service) loadMatrix(ctx context.Context, compID int64, since time.Time) (*loaded, error) {
	sts, err := s.Statements(ctx, compID, StateAccepted, StateUnmoderated, StateRejected)
	if err != nil {
		return nil, err
	}
	l := &loaded{m: opinionmath.NewMatrix()}
	for _, st := range sts {
		l.m.SetStatement(opinionmath.Statement{ID: st.ID, Moderation: moderation(st.State), Meta: st.Meta})
	}
	rows, err := s.db.WithContext(ctx).Model(&Vote{}).Select("participant_id, statement_id, vote, updated_at").
		Where("component_id = ?", compID).Order("participant_id, statement_id").Rows()
	if err != nil {
		return nil, fmt.Errorf("loading votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid, sid int64
		var v int
		var at time.Time
		if err := rows.Scan(&pid, &sid, &v, &at); err != nil {
			return nil, fmt.Errorf("reading vote: %w", err)
		}
		l.m.AddParticipant(pid)
		if err := l.m.SetVote(pid, sid, opinionmath.Vote(v)); err != nil {
			// A vote on a pending statement (moderated back) is not in the math.
			continue
		}
		l.votes++
		if !since.IsZero() && !at.Before(since) {
			l.recent++
			if n := len(l.changed); n == 0 || l.changed[n-1] != pid {
				l.changed = append(l.changed, pid)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading votes: %w", err)
	}
	return l, nil
}

// clockSkew widens "votes since the last run" for the incremental
// update: votes are stamped by the instance that took them, the run by
// the one that computed it. Counting a vote twice only re-projects its
// participant once more, which changes nothing.
const clockSkew = time.Second

// incrementalShare is the largest share of a conversation's votes that
// may have arrived since the last full run for the recompute to take the
// incremental path (at most opinionmath's FullEvery, 1,000 votes).
const incrementalShare = 0.1

// incrementalOK says whether a recompute may update prev rather than
// recompute in full: prev has groups, the statements and their
// moderation are those prev saw (a new, moderated or removed statement
// changes the map's axes), and prev's participants are, in order, the
// first rows of the matrix (none left, as after an anonymous participant
// merged into an account).
func incrementalOK(m *opinionmath.Matrix, prev *opinionmath.Result) bool {
	if prev == nil || prev.History == nil || len(prev.Groups) == 0 {
		return false
	}
	sts := m.Statements()
	if len(sts) != len(prev.Statements) {
		return false
	}
	for i, st := range sts {
		p := prev.Statements[i]
		if p.ID != st.ID || p.InMath != (st.Moderation != opinionmath.Rejected && !st.Meta) {
			return false
		}
	}
	ps := m.Participants()
	if len(ps) < len(prev.Participants) {
		return false
	}
	for i, p := range prev.Participants {
		if ps[i] != p.ID {
			return false
		}
	}
	return true
}

// runJob is the recompute job's handler.
func (s *Service) runJob(ctx context.Context, j *jobs.Job, progress func(int, string)) error {
	compID, err := strconv.ParseInt(j.Payload, 10, 64)
	if err != nil {
		return fmt.Errorf("recompute job payload %q: %w", j.Payload, err)
	}
	progress(10, "loading votes")
	// Votes cast while this runs were scheduled by their own debounce
	// window (schedule), which enqueues a successor to a running job.
	_, err = s.Recompute(ctx, compID)
	return err
}

// Recompute runs the math on a conversation now, warm-started from the
// previous run's history, and stores the result with the votes it
// reflects.
//
// When few votes came since the last full run, it takes opinionmath's
// incremental Update instead: the participants who voted since are
// re-projected on the previous map and join the nearest base cluster's
// group, and every statistic (repness, consensus, divisive statements,
// routing priorities) is recomputed from all current votes. The rule:
// incremental when incrementalOK holds and the votes cast or changed
// since the last full run, these included, are fewer than
// min(1,000, 10% of the votes); otherwise a full run (which resets the
// count). So the map's axes and groups are at most 10% of the votes (and
// 1,000 votes) behind, and a small conversation, cheap to compute, is
// always computed in full.
func (s *Service) Recompute(ctx context.Context, compID int64) (*Results, error) {
	start := time.Now()
	// The result reflects the votes as of now: later ones are counted as
	// new by the next run.
	asOf := s.Now()
	prev, err := s.loadResults(ctx, compID)
	if err != nil {
		slog.Warn("opinionmap: previous result unreadable, cold start", "component", compID, "err", err)
		prev = nil
	}
	var since time.Time
	if prev != nil {
		since = prev.ComputedAt.Add(-clockSkew)
	}
	l, err := s.loadMatrix(ctx, compID, since)
	if err != nil {
		return nil, err
	}
	opts := opinionmath.Options{Seed: uint64(compID), FullEvery: min(1000, max(1, int(incrementalShare*float64(l.votes))))}
	var res *opinionmath.Result
	if prev != nil && incrementalOK(l.m, prev.Result) {
		res, err = opinionmath.Update(l.m, prev.Result, l.changed, l.recent, opts)
	} else {
		var hist *opinionmath.History
		if prev != nil {
			hist = prev.Result.History
		}
		res, err = opinionmath.Compute(l.m, hist, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("computing opinion map of component %d: %w", compID, err)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(res); err != nil {
		return nil, fmt.Errorf("encoding result: %w", err)
	}
	r := &Results{ComponentID: compID, VotesCount: l.votes, ParticipantsCount: int64(l.m.NumParticipants()), ComputedAt: asOf, Duration: time.Since(start), Result: res}
	row := storedResult{ComponentID: compID, VotesCount: l.votes, ParticipantsCount: r.ParticipantsCount, ComputedAt: r.ComputedAt,
		DurationMs: r.Duration.Milliseconds(), Result: buf.Bytes()}
	if err := s.db.WithContext(ctx).Save(&row).Error; err != nil {
		return nil, fmt.Errorf("storing result: %w", err)
	}
	r.index()
	s.mu.Lock()
	s.cache[compID] = r
	s.mu.Unlock()
	slog.Info("opinionmap: recomputed", "component", compID, "votes", l.votes, "participants", r.ParticipantsCount,
		"groups", len(res.Groups), "incremental", res.Incremental, "took", r.Duration)
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
	if time.Since(checked) < visibleTTL {
		// Also when none is stored yet (c nil): voting on a fresh
		// conversation must not query for it on every vote.
		return c, nil
	}
	// The first caller after the interval checks; the others meanwhile
	// use the cached result as before, rather than all checking (and
	// loading a new result) at once.
	s.mu.Lock()
	if time.Since(s.checked[compID]) < visibleTTL {
		s.mu.Unlock()
		return c, nil
	}
	s.checked[compID] = time.Now()
	s.mu.Unlock()
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
