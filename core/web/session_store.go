// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"fmt"
	"time"

	"github.com/alexedwards/scs/gormstore"
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
//     session data.
type sessionStore struct {
	*gormstore.GORMStore
	db      *gorm.DB
	dialect store.Dialect
}

const upsertSession = `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
	ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`

// upsertSessionAsync is upsertSession as its own transaction that does not
// wait for the WAL flush: set_config(…, true) lasts until the end of the
// statement's implicit transaction, and its commit reads the setting. One
// round trip, where BEGIN, SET LOCAL, the upsert and COMMIT take four.
const upsertSessionAsync = upsertSession + `
	RETURNING set_config('synchronous_commit', 'off', true)`

// Commit writes the session's data and expiry, creating its row if needed.
func (s sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	q := upsertSession
	if s.dialect == store.Postgres {
		q = upsertSessionAsync
	}
	if err := s.db.Exec(q, token, b, expiry).Error; err != nil {
		return fmt.Errorf("saving session: %w", err)
	}
	return nil
}
