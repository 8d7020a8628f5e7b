// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/polder-civic/polder/core/store"
)

// Full-text search differs by dialect, so its structures are created here,
// idempotently, when the module is mounted, rather than in the portable
// migrations:
//
//   - PostgreSQL: one GIN expression index per text-search configuration
//     (english, french, dutch, simple) over title || ' ' || body; queries
//     use the configuration of the visitor's locale.
//   - SQLite: an FTS5 table over title and body (unicode61 tokenizer,
//     diacritics removed, no stemming), kept in step by triggers.
//
// When this fails (an SQLite build without FTS5), search falls back to
// LIKE on every word, and a warning is logged.

var ftsConfigs = []string{"english", "french", "dutch", "simple"}

// ensureSearch creates the search structures; it reports whether indexed
// search is available.
func ensureSearch(ctx context.Context, db *store.DB) bool {
	var err error
	if db.Dialect == store.Postgres {
		for _, cfg := range ftsConfigs {
			err = db.WithContext(ctx).Exec("CREATE INDEX IF NOT EXISTS proposals_fts_" + cfg + " ON proposals USING GIN (to_tsvector('" + cfg + "', title || ' ' || body))").Error
			if err != nil {
				break
			}
		}
	} else {
		err = ensureSQLiteFTS(ctx, db)
	}
	if err != nil {
		slog.Warn("proposals: full-text index unavailable, search falls back to LIKE", "err", err)
		return false
	}
	return true
}

func ensureSQLiteFTS(ctx context.Context, db *store.DB) error {
	var n int64
	if err := db.WithContext(ctx).Raw("SELECT COUNT(*) FROM sqlite_master WHERE name = 'proposals_fts'").Scan(&n).Error; err != nil {
		return fmt.Errorf("checking the FTS table: %w", err)
	}
	stmts := []string{
		`CREATE VIRTUAL TABLE IF NOT EXISTS proposals_fts USING fts5(title, body, content='proposals', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
		`CREATE TRIGGER IF NOT EXISTS proposals_fts_ai AFTER INSERT ON proposals BEGIN
			INSERT INTO proposals_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END`,
		`CREATE TRIGGER IF NOT EXISTS proposals_fts_ad AFTER DELETE ON proposals BEGIN
			INSERT INTO proposals_fts(proposals_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END`,
		`CREATE TRIGGER IF NOT EXISTS proposals_fts_au AFTER UPDATE OF title, body ON proposals BEGIN
			INSERT INTO proposals_fts(proposals_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
			INSERT INTO proposals_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END`,
	}
	if n == 0 {
		// Index the proposals filed before the table existed.
		stmts = append(stmts, `INSERT INTO proposals_fts(proposals_fts) VALUES ('rebuild')`)
	}
	for _, s := range stmts {
		if err := db.WithContext(ctx).Exec(s).Error; err != nil {
			return fmt.Errorf("creating the FTS table: %w", err)
		}
	}
	return nil
}

// ftsMatch turns a visitor's words into an FTS5 query: every word must
// appear (as a prefix), and nothing the visitor types is FTS5 syntax.
func ftsMatch(search string) string {
	var parts []string
	for _, w := range strings.Fields(search) {
		w = strings.Map(func(r rune) rune {
			if r == '"' {
				return -1
			}
			return r
		}, w)
		if w != "" {
			parts = append(parts, `"`+w+`"*`)
		}
		if len(parts) == 8 {
			break
		}
	}
	return strings.Join(parts, " ")
}
