// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/polder-civic/polder/core/store"
)

// voteBatcher writes the votes that arrive together in one statement on
// PostgreSQL (group commit). A vote that finds a write slot free is
// written at once, alone: a quiet conversation waits for nothing. Votes
// that arrive while every slot is busy queue up, and the next free slot
// writes all of them in one statement and one transaction. Under load
// each vote then costs a share of one statement, one commit and one
// round trip instead of its own, which is most of a vote's database CPU;
// the batches grow with the load by themselves, so no timer or size has
// to be tuned.
//
// Every vote is answered only once its batch has committed, so nothing is
// acknowledged that a crash could lose, and a batch commits whole or not
// at all. A batch that fails (a statement deleted meanwhile, a
// participant merged away at login) is written again one vote at a time,
// so only the vote at fault gets the error.
type voteBatcher struct {
	db  *store.DB
	now func() time.Time

	mu      sync.Mutex
	queue   []*pendingVote
	running int
}

// batchSlots is how many batches may be written at once: enough to
// overlap one batch's round trip and commit with the next one's, few
// enough that batches grow under load instead of spreading over the
// connection pool.
const batchSlots = 2

// batchMax bounds a batch, so that one statement stays short.
const batchMax = 256

type pendingVote struct {
	statementID, participantID, componentID int64
	vote                                    int
	list                                    bool

	done  chan struct{}
	voted map[int64]bool
	err   error
}

// write records v and, when v.list, returns the statements its
// participant has voted on, v's included. It returns when v's batch has
// committed, or early with ctx's error (the vote may then still be
// recorded, as with any write whose caller gives up).
func (b *voteBatcher) write(ctx context.Context, v *pendingVote) (map[int64]bool, error) {
	v.done = make(chan struct{})
	b.mu.Lock()
	b.queue = append(b.queue, v)
	var batch []*pendingVote
	if b.running < batchSlots {
		b.running++
		batch = b.take()
	}
	b.mu.Unlock()
	if batch != nil {
		b.flush(ctx, batch)
	}
	select {
	case <-v.done:
		return v.voted, v.err
	case <-ctx.Done():
		return nil, fmt.Errorf("recording vote: %w", ctx.Err())
	}
}

// take removes up to batchMax votes from the queue; b.mu is held.
func (b *voteBatcher) take() []*pendingVote {
	n := min(len(b.queue), batchMax)
	batch := slices.Clone(b.queue[:n])
	b.queue = slices.Delete(b.queue, 0, n)
	return batch
}

// flush writes batch, then the votes queued meanwhile, in the background
// so the caller's own vote is answered at once.
func (b *voteBatcher) flush(ctx context.Context, batch []*pendingVote) {
	// Others' votes ride in this batch: the caller leaving must not
	// cancel them.
	ctx = context.WithoutCancel(ctx)
	b.writeBatch(ctx, batch)
	b.mu.Lock()
	if len(b.queue) == 0 {
		b.running--
		b.mu.Unlock()
		return
	}
	next := b.take()
	b.mu.Unlock()
	go b.flush(ctx, next)
}

// writeBatch writes one batch and answers its votes.
func (b *voteBatcher) writeBatch(ctx context.Context, batch []*pendingVote) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := b.exec(ctx, batch)
	if err != nil && len(batch) > 1 {
		// Find the vote at fault: each alone, the others still count.
		for _, v := range batch {
			v.err = b.exec(ctx, []*pendingVote{v})
		}
	} else {
		for _, v := range batch {
			v.err = err
		}
	}
	for _, v := range batch {
		close(v.done)
	}
}

// batchVotes is the batch statement: the votes as arrays, one upsert,
// and the voted statements of the participants that asked for them, as
// one text row each. The query sees the table as before the upsert (a
// data-modifying CTE's changes are not visible to its own query), so the
// batch's own votes are added in Go.
const batchVotes = `WITH v AS (
  SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::smallint[]) AS v(statement_id, participant_id, component_id, vote)
), up AS (
  INSERT INTO opinion_votes (statement_id, participant_id, component_id, vote, created_at, updated_at)
  SELECT statement_id, participant_id, component_id, vote, ?, ? FROM v
  ON CONFLICT (statement_id, participant_id) DO UPDATE SET vote = excluded.vote, updated_at = excluded.updated_at
)
SELECT o.participant_id, string_agg(o.statement_id::text, ',')
FROM unnest(?::bigint[], ?::bigint[]) AS l(component_id, participant_id)
JOIN opinion_votes o ON o.component_id = l.component_id AND o.participant_id = l.participant_id
GROUP BY o.participant_id`

// exec runs one batch statement for batch's votes.
func (b *voteBatcher) exec(ctx context.Context, batch []*pendingVote) error {
	rows := dedupeVotes(batch)
	var st, pa, co, vo, lc, lp ids
	listed := map[int64]bool{}
	for _, v := range rows {
		st.add(v.statementID)
		pa.add(v.participantID)
		co.add(v.componentID)
		vo.add(int64(v.vote))
	}
	for _, v := range batch {
		if v.list && !listed[v.participantID] {
			listed[v.participantID] = true
			lc.add(v.componentID)
			lp.add(v.participantID)
		}
	}
	now := b.now()
	res, err := b.db.WithContext(ctx).Raw(batchVotes, st.array(), pa.array(), co.array(), vo.array(), now, now, lc.array(), lp.array()).Rows()
	if err != nil {
		return fmt.Errorf("recording votes: %w", err)
	}
	others, err := scanVoted(res)
	if err != nil {
		return err
	}
	for _, v := range batch {
		if !v.list {
			continue
		}
		voted := map[int64]bool{}
		if s := others[v.participantID]; s != "" {
			if voted, err = parseIDs(s); err != nil {
				return fmt.Errorf("reading votes: %w", err)
			}
		}
		for _, w := range batch {
			if w.participantID == v.participantID {
				voted[w.statementID] = true
			}
		}
		v.voted = voted
	}
	return nil
}

// scanVoted reads (participant id, voted statements as text) rows.
func scanVoted(rows *sql.Rows) (map[int64]string, error) {
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var p int64
		var s sql.NullString
		if err := rows.Scan(&p, &s); err != nil {
			return nil, fmt.Errorf("reading votes: %w", err)
		}
		out[p] = s.String
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading votes: %w", err)
	}
	return out, nil
}

// dedupeVotes returns one vote per (statement, participant), the latest
// queued winning as it would written one after another (an upsert may
// not touch a row twice), sorted by that key: concurrent batches then
// lock rows in the same order and cannot deadlock.
func dedupeVotes(batch []*pendingVote) []*pendingVote {
	type key struct{ statement, participant int64 }
	last := make(map[key]int, len(batch))
	for i, v := range batch {
		last[key{v.statementID, v.participantID}] = i
	}
	rows := make([]*pendingVote, 0, len(last))
	for i, v := range batch {
		if last[key{v.statementID, v.participantID}] == i {
			rows = append(rows, v)
		}
	}
	slices.SortFunc(rows, func(a, c *pendingVote) int {
		return cmp.Or(cmp.Compare(a.statementID, c.statementID), cmp.Compare(a.participantID, c.participantID))
	})
	return rows
}

// ids builds a PostgreSQL array literal of integers (gorm would expand a
// Go slice into a list of parameters).
type ids struct{ sb strings.Builder }

func (a *ids) add(n int64) {
	if a.sb.Len() > 0 {
		a.sb.WriteByte(',')
	}
	a.sb.WriteString(strconv.FormatInt(n, 10))
}

func (a *ids) array() string { return "{" + a.sb.String() + "}" }
