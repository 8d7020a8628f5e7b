// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/alexedwards/scs/gormstore"
	"github.com/alexedwards/scs/v2"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/store"
)

// sessionStore is scs's gorm store (table, lookup, deletion, expiry
// clean-up) with a cheaper save, which runs on every request that changes
// its session (each filing's flash message, for one):
//
//   - one upsert, where gormstore reads the row and then writes it;
//   - on PostgreSQL, without waiting for the WAL flush
//     (synchronous_commit off for that statement's transaction only). A session is
//     no civic record: a server crash may lose the last fraction of a
//     second of session saves (a flash message, a fresh login), never
//     corrupt anything. Deletions (logout, session ends) stay synchronous,
//     so a crash cannot bring an ended session back, and security checks
//     that matter live on the account (its session epoch), not in the
//     session data;
//   - reads from an in-process cache of rows by token (rows): a session is
//     read by every request (every vote) and rarely changes. This
//     process's saves and deletions drop the entry, so a single instance
//     always reads what it wrote; with several instances, another one's
//     save or logout is seen here after at most the cache TTL (cache_ttl,
//     as the other caches). A save of a session this process has read
//     updates the row and never creates it: a session ended meanwhile (a
//     logout on another instance) stays ended instead of coming back.
type sessionStore struct {
	*gormstore.GORMStore
	db      *gorm.DB
	dialect store.Dialect
	rows    *store.Cache[string, sessionRow]
}

// sessionRow is a cached session row.
type sessionRow struct {
	data   []byte
	expiry time.Time
}

// errNoSession is a lookup that found no live row; it is not cached (a
// miss costs a query, as it did before: random tokens must not fill the
// cache).
var errNoSession = errors.New("no such session")

// findSession is the session read, one per request whose session is not
// cached.
const findSession = "SELECT data, expiry FROM sessions WHERE token = ? AND expiry >= ? LIMIT 1"

func newSessionStore(db *store.DB, gs *gormstore.GORMStore) sessionStore {
	db.Hot(findSession, "", time.Now())
	ttl := db.CacheTTL
	if ttl == 0 {
		ttl = store.DefaultCacheTTL
	}
	return sessionStore{GORMStore: gs, db: db.DB, dialect: db.Dialect, rows: store.NewLocalCache[string, sessionRow](ttl)}
}

const upsertSession = `INSERT INTO sessions (token, data, expiry) VALUES (@token, @data, @expiry)
	ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`

// asyncCommit makes a session write its own transaction that does not
// wait for the WAL flush: set_config(…, true) lasts until the end of the
// statement's implicit transaction, and its commit reads the setting. One
// round trip, where BEGIN, SET LOCAL, the write and COMMIT take four.
const asyncCommit = `
	RETURNING set_config('synchronous_commit', 'off', true)`

// Find reads a live session's data, from the cache or with gormstore's
// lookup (same condition) without the model mapping.
func (s sessionStore) Find(token string) ([]byte, bool, error) {
	r, err := s.rows.Get(token, func() (sessionRow, error) {
		var r sessionRow
		err := s.db.Raw(findSession, token, time.Now()).Row().Scan(&r.data, &r.expiry)
		if errors.Is(err, sql.ErrNoRows) {
			return r, errNoSession
		}
		if err != nil {
			return r, fmt.Errorf("loading session: %w", err)
		}
		return r, nil
	})
	if errors.Is(err, errNoSession) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if time.Now().After(r.expiry) {
		return nil, false, nil
	}
	return r.data, true, nil
}

const updateSession = `UPDATE sessions SET data = @data, expiry = @expiry WHERE token = @token`

// Commit writes the session's data and expiry: an update for a session
// this process has read (gone means ended elsewhere: nothing is written),
// an upsert for a new one.
func (s sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	defer s.rows.Delete(token)
	q := upsertSession
	if s.rows.Has(token) {
		q = updateSession
	}
	if s.dialect == store.Postgres {
		q += asyncCommit
	}
	if err := s.db.Exec(q, map[string]any{"token": token, "data": b, "expiry": expiry}).Error; err != nil {
		return fmt.Errorf("saving session: %w", err)
	}
	return nil
}

// Delete ends a session.
func (s sessionStore) Delete(token string) error {
	defer s.rows.Delete(token)
	if err := s.GORMStore.Delete(token); err != nil {
		return fmt.Errorf("deleting session: %w", err)
	}
	return nil
}

// sessionCodec is scs's gob codec with a cache of decoded sessions keyed
// by their bytes. A gob decoder compiles its type plan anew for every
// session, so decoding cost more CPU than the session's query on every
// request (a vote, a page view); most sessions are read many times
// between changes. Decode hands out a copy of the cached map, since scs
// changes the map it gets; the values themselves are scalars (ids, tokens,
// times), which nobody changes in place.
type sessionCodec struct {
	scs.GobCodec
	mu    sync.Mutex
	cache map[string]decodedSession
}

type decodedSession struct {
	deadline time.Time
	values   map[string]any
}

// sessionCodecMax bounds the cache; a full cache starts over (no LRU
// bookkeeping on the hot path). A session is a few hundred bytes.
const sessionCodecMax = 8192

func newSessionCodec() *sessionCodec {
	return &sessionCodec{cache: map[string]decodedSession{}}
}

// Decode decodes b, from the cache when the same bytes were seen.
func (c *sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	c.mu.Lock()
	d, ok := c.cache[string(b)]
	c.mu.Unlock()
	if !ok {
		deadline, values, err := c.GobCodec.Decode(b)
		if err != nil {
			return time.Time{}, nil, fmt.Errorf("decoding session: %w", err)
		}
		d = decodedSession{deadline: deadline, values: values}
		c.mu.Lock()
		if len(c.cache) >= sessionCodecMax {
			clear(c.cache)
		}
		c.cache[string(b)] = d
		c.mu.Unlock()
	}
	return d.deadline, maps.Clone(d.values), nil
}
