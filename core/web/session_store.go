// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"fmt"
	"time"

	"github.com/alexedwards/scs/gormstore"
	"gorm.io/gorm"
)

// sessionStore is scs's gorm store (table, lookup, expiry clean-up) with
// one change: saving a session is a single upsert, where gormstore reads
// the row first and then updates it (two round trips on every request that
// changes its session, such as each filing's flash message).
type sessionStore struct {
	*gormstore.GORMStore
	db *gorm.DB
}

// Commit writes the session's data and expiry, creating its row if needed.
func (s sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	err := s.db.Exec(`INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, expiry).Error
	if err != nil {
		return fmt.Errorf("saving session: %w", err)
	}
	return nil
}
