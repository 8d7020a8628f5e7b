// SPDX-License-Identifier: AGPL-3.0-or-later

// Package store opens Polder's database (PostgreSQL in production, an
// embedded pure-Go SQLite by default), runs the embedded migrations of core
// and of every module, and offers small transaction helpers.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL dialect behind a database.
type Dialect string

// The dialects Polder runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database with its dialect.
type DB struct {
	*gorm.DB
	Dialect Dialect
	// URL is the location the database was opened from, without password.
	URL string
	// CacheTTL is how long in-process caches built on this database (see
	// NewCache) keep values; 0 means DefaultCacheTTL, negative disables them.
	CacheTTL time.Duration
}

// ParseURL tells the dialect of a database URL and the DSN its driver takes.
// Accepted: postgres://… or postgresql://…, sqlite:PATH, sqlite://PATH, or a
// bare file path (SQLite).
func ParseURL(raw string) (Dialect, string, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return "", "", errors.New("empty database URL")
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite://"):
		return SQLite, strings.TrimPrefix(raw, "sqlite://"), nil
	case strings.HasPrefix(raw, "sqlite:"):
		return SQLite, strings.TrimPrefix(raw, "sqlite:"), nil
	case strings.Contains(raw, "://"):
		return "", "", fmt.Errorf("unsupported database URL scheme in %q (use postgres:// or sqlite:)", redact(raw))
	default:
		return SQLite, raw, nil
	}
}

// Open connects to the database named by rawURL. SQLite files are created
// with their folder; they run in WAL mode with a busy timeout and one
// connection, which serialises writers so that quota checks and the writes
// they guard cannot interleave.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	cfg := &gorm.Config{
		Logger: logger.New(slogWriter{}, logger.Config{SlowThreshold: 500 * time.Millisecond, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true,
			// Never write values (password hashes, tokens) into the logs.
			ParameterizedQueries: true}),
		NowFunc: func() time.Time { return time.Now().UTC() },
		// Each statement of ours runs in explicit transactions where it
		// matters; gorm's implicit per-write transaction only adds latency.
		SkipDefaultTransaction: true,
		TranslateError:         true,
	}
	var g *gorm.DB
	switch dialect {
	case Postgres:
		g, err = gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("opening PostgreSQL %s: %w", redact(rawURL), err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, fmt.Errorf("opening PostgreSQL pool: %w", err)
		}
		// As many idle as open: with fewer, a burst that returns its
		// connections closes the surplus, and the next burst opens them
		// again (a PostgreSQL backend start each, a tail in latency).
		sqlDB.SetMaxOpenConns(PoolSize)
		sqlDB.SetMaxIdleConns(PoolSize)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	case SQLite:
		if dsn != ":memory:" && !strings.HasPrefix(dsn, "file:") {
			if dir := filepath.Dir(dsn); dir != "." {
				if err := os.MkdirAll(dir, 0o750); err != nil {
					return nil, fmt.Errorf("creating database folder %s: %w", dir, err)
				}
			}
		}
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		g, err = gorm.Open(sqlite.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("opening SQLite %s: %w", rawURL, err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, fmt.Errorf("opening SQLite pool: %w", err)
		}
		sqlDB.SetMaxOpenConns(1)
	}
	db := &DB{DB: g.WithContext(ctx), Dialect: dialect, URL: redact(rawURL)}
	if err := db.Ping(ctx); err != nil {
		return nil, err
	}
	return db, nil
}

// Ping checks the connection.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.DB.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("pinging %s: %w", db.URL, err)
	}
	return nil
}

// PoolSize is how many connections a PostgreSQL pool opens at most, and
// keeps idle (see Open).
const PoolSize = 32

// Warm opens the PostgreSQL pool's connections now, all at once, and
// leaves them idle in the pool, so that the first burst of requests after
// a start does not open them itself: each new connection is a backend
// start on the database server, and requests queue behind them. Servers
// call it before they listen; connections idle for longer than the
// pool's idle time (5 minutes) are closed again. SQLite has one
// connection and nothing to warm.
func (db *DB) Warm(ctx context.Context) error {
	if db.Dialect != Postgres {
		return nil
	}
	sqlDB, err := db.DB.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	// As many as the pool may hold, which its owner may have changed
	// since Open: asking for more would wait forever, since every
	// connection is held until all are open.
	n := PoolSize
	if m := sqlDB.Stats().MaxOpenConnections; m > 0 && m < n {
		n = m
	}
	conns := make([]*sql.Conn, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			c, err := sqlDB.Conn(ctx)
			if err == nil {
				err = c.PingContext(ctx)
			}
			conns[i], errs[i] = c, err
		})
	}
	wg.Wait()
	// Closing a held connection returns it to the pool, idle.
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("warming the connection pool of %s: %w", db.URL, err)
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Tx runs fn in a transaction, committing when it returns nil.
// Caches dropped by its writes are dropped again once it ends, since a
// concurrent request may have re-read the old rows before the commit.
func (db *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	w := &txWrites{}
	err := db.DB.WithContext(context.WithValue(ctx, txWritesKey{}, w)).Transaction(fn)
	w.run()
	return err
}

// LockRow returns a query that locks the selected rows until the end of the
// transaction on PostgreSQL (SELECT … FOR UPDATE). SQLite needs nothing:
// its single connection already serialises writers.
func (db *DB) LockRow(tx *gorm.DB) *gorm.DB {
	if db.Dialect == Postgres {
		return tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	return tx
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "duplicate key value")
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

type slogWriter struct{}

func (slogWriter) Printf(format string, args ...any) {
	slog.Warn("database", "msg", fmt.Sprintf(format, args...))
}

type txKey struct{}

// WithTx returns a context carrying tx, so that a service called with it
// (such as the audit log) writes in that transaction: its row commits or
// rolls back with the change it records, and costs no commit of its own.
func WithTx(ctx context.Context, tx *gorm.DB) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// InTx reports whether ctx carries a transaction (see WithTx).
func InTx(ctx context.Context) bool {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok && tx != nil
}

// Conn returns the transaction ctx carries (see WithTx), else db bound to
// ctx.
func (db *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok && tx != nil {
		return tx
	}
	return db.DB.WithContext(ctx)
}
