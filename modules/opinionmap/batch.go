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

// group writes the items that arrive together in one batch on
// PostgreSQL (group commit). An item that finds a write slot free is
// written at once, alone: a quiet conversation waits for nothing. Items
// that arrive while every slot is busy queue up, and the next free slot
// writes all of them with one statement in one transaction. Under load
// each item then costs a share of one statement, one commit and one round
// trip instead of its own, which is most of a vote's database CPU; and
// only a couple of connections run the hot writes, so a burst does not
// meet every cold backend of the pool. Batches grow with the load by
// themselves, so no timer or size has to be tuned.
//
// Every item is answered only once its batch has committed, so nothing is
// acknowledged that a crash could lose, and a batch commits whole or not
// at all. A batch that fails (a statement deleted meanwhile, a
// participant merged away at login) is written again one item at a time,
// so only the item at fault gets the error.
type group[T any] struct {
	// exec writes a batch in one statement and sets each item's results.
	exec func(ctx context.Context, batch []*T) error

	mu      sync.Mutex
	queue   []*groupItem[T]
	running int
}

type groupItem[T any] struct {
	v    *T
	done chan struct{}
	err  error
}

// batchSlots is how many batches may be written at once: enough to
// overlap one batch's round trip and commit with the next one's, few
// enough that batches grow under load instead of spreading over the
// connection pool.
const batchSlots = 2

// batchMax bounds a batch, so that one statement stays short.
const batchMax = 256

// write writes v and returns when its batch has committed, or early with
// ctx's error (v may then still be written, as with any write whose
// caller gives up).
func (g *group[T]) write(ctx context.Context, v *T) error {
	it := &groupItem[T]{v: v, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, it)
	var batch []*groupItem[T]
	if g.running < batchSlots {
		g.running++
		batch = g.take()
	}
	g.mu.Unlock()
	if batch != nil {
		g.flush(ctx, batch)
	}
	select {
	case <-it.done:
		return it.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// take removes up to batchMax items from the queue; g.mu is held.
func (g *group[T]) take() []*groupItem[T] {
	n := min(len(g.queue), batchMax)
	batch := slices.Clone(g.queue[:n])
	g.queue = slices.Delete(g.queue, 0, n)
	return batch
}

// flush writes batch, then the items queued meanwhile, in the background
// so the caller's own item is answered at once.
func (g *group[T]) flush(ctx context.Context, batch []*groupItem[T]) {
	// Others' items ride in this batch: the caller leaving must not
	// cancel them.
	ctx = context.WithoutCancel(ctx)
	g.writeBatch(ctx, batch)
	g.mu.Lock()
	if len(g.queue) == 0 {
		g.running--
		g.mu.Unlock()
		return
	}
	next := g.take()
	g.mu.Unlock()
	go g.flush(ctx, next)
}

// writeBatch writes one batch and answers its items.
func (g *group[T]) writeBatch(ctx context.Context, batch []*groupItem[T]) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	vs := make([]*T, len(batch))
	for i, it := range batch {
		vs[i] = it.v
	}
	err := g.exec(ctx, vs)
	if err != nil && len(batch) > 1 {
		// Find the item at fault: each alone, the others still count.
		for _, it := range batch {
			it.err = g.exec(ctx, []*T{it.v})
		}
	} else {
		for _, it := range batch {
			it.err = err
		}
	}
	for _, it := range batch {
		close(it.done)
	}
}

// pendingVote is a vote in a batch; voted is set for those that list.
type pendingVote struct {
	statementID, participantID, componentID int64
	vote                                    int
	list                                    bool
	voted                                   map[int64]bool
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

// writeVotes runs one batch statement for batch's votes.
func writeVotes(ctx context.Context, db *store.DB, now time.Time, batch []*pendingVote) error {
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
	res, err := db.WithContext(ctx).Raw(batchVotes, st.array(), pa.array(), co.array(), vo.array(), now, now, lc.array(), lp.array()).Rows()
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

// batchAnonParticipants and batchAccountParticipants create participants
// in one statement; those that exist already (or were created by a
// concurrent batch) are not returned.
const (
	batchAnonParticipants = `INSERT INTO opinion_participants (component_id, anon_key, created_at)
SELECT component_id, anon_key, ? FROM unnest(?::bigint[], ?::text[]) AS n(component_id, anon_key)
ON CONFLICT DO NOTHING RETURNING id, component_id, anon_key`
	batchAccountParticipants = `INSERT INTO opinion_participants (component_id, account_id, created_at)
SELECT component_id, account_id, ? FROM unnest(?::bigint[], ?::bigint[]) AS n(component_id, account_id)
ON CONFLICT DO NOTHING RETURNING id, component_id, account_id::text`
)

// newParticipant is a participant to create; id stays 0 when it existed.
type newParticipant struct {
	compID int64
	who    Who
	id     int64
}

// createParticipants creates batch's participants, anonymous and
// account ones with a statement each, in a consistent order (concurrent
// batches inserting the same keys then wait for each other instead of
// deadlocking).
func createParticipants(ctx context.Context, db *store.DB, now time.Time, batch []*newParticipant) error {
	type key struct {
		comp int64
		who  Who
	}
	byKey := map[key][]*newParticipant{}
	var anon, acct []key
	for _, p := range batch {
		k := key{p.compID, p.who}
		if byKey[k] == nil {
			if p.who.AccountID != 0 {
				acct = append(acct, k)
			} else {
				anon = append(anon, k)
			}
		}
		byKey[k] = append(byKey[k], p)
	}
	order := func(a, b key) int {
		return cmp.Or(cmp.Compare(a.comp, b.comp), cmp.Compare(a.who.AccountID, b.who.AccountID), strings.Compare(a.who.AnonKey, b.who.AnonKey))
	}
	for _, keys := range [][]key{anon, acct} {
		if len(keys) == 0 {
			continue
		}
		slices.SortFunc(keys, order)
		var comps ids
		var whos textArray
		q := batchAnonParticipants
		if keys[0].who.AccountID != 0 {
			q = batchAccountParticipants
		}
		for _, k := range keys {
			comps.add(k.comp)
			if k.who.AccountID != 0 {
				whos.add(strconv.FormatInt(k.who.AccountID, 10))
			} else {
				whos.add(k.who.AnonKey)
			}
		}
		rows, err := db.WithContext(ctx).Raw(q, now, comps.array(), whos.array()).Rows()
		if err != nil {
			return fmt.Errorf("creating participants: %w", err)
		}
		if err := func() error {
			defer rows.Close()
			for rows.Next() {
				var id, comp int64
				var who string
				if err := rows.Scan(&id, &comp, &who); err != nil {
					return fmt.Errorf("reading participant: %w", err)
				}
				k := key{comp: comp}
				if q == batchAccountParticipants {
					k.who.AccountID, _ = strconv.ParseInt(who, 10, 64)
				} else {
					k.who.AnonKey = who
				}
				for _, p := range byKey[k] {
					p.id = id
				}
			}
			return rows.Err()
		}(); err != nil {
			return fmt.Errorf("creating participants: %w", err)
		}
	}
	return nil
}

// textArray builds a PostgreSQL array literal of strings, each quoted.
type textArray struct{ sb strings.Builder }

func (a *textArray) add(s string) {
	if a.sb.Len() > 0 {
		a.sb.WriteByte(',')
	}
	a.sb.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			a.sb.WriteByte('\\')
		}
		a.sb.WriteRune(r)
	}
	a.sb.WriteByte('"')
}

func (a *textArray) array() string { return "{" + a.sb.String() + "}" }

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
