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
	"slices"
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
	// hot holds the statements Warm plans on every connection (see Hot).
	hot *hotStatements
}

// hotStatements are the statements registered with Hot.
type hotStatements struct {
	mu   sync.Mutex
	list []hotStatement
}

type hotStatement struct {
	sql  string
	args []any
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
		sqlDB.SetMaxOpenConns(DefaultPoolSize)
		sqlDB.SetMaxIdleConns(DefaultPoolSize)
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
	db := &DB{DB: g.WithContext(ctx), Dialect: dialect, URL: redact(rawURL), hot: &hotStatements{}}
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

// DefaultPoolSize is how many connections a PostgreSQL pool opens at
// most, and keeps idle (see Open), unless SetPoolSize says otherwise.
// Small on purpose: a database server runs about two statements per core
// at once, the hot writes are batched on a couple of connections (votes,
// participants), and every extra backend is one more to warm: on 2 cores
// the first burst of 200 new voters answered in 30-40 ms at p99 with 8
// connections, 90-130 ms with 32. Raise it for a database server with
// more than 4 cores (db_pool, about twice its cores).
const DefaultPoolSize = 8

// SetPoolSize sets how many connections the PostgreSQL pool opens at
// most and keeps idle; n <= 0 keeps the default. SQLite keeps its one.
func (db *DB) SetPoolSize(n int) error {
	if db.Dialect != Postgres || n <= 0 {
		return nil
	}
	sqlDB, err := db.DB.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	return nil
}

// Hot registers a statement that requests run often (a session read, a
// vote), with sample arguments of the types it takes: Warm plans it on
// every connection it opens (EXPLAIN: planned, never executed, so a write
// writes nothing). A fresh PostgreSQL backend loads the catalog entries of
// every table, index, type and operator a statement touches the first
// time it parses and plans one, some milliseconds each: without this, the
// first burst after a start pays that on every connection of the pool,
// a queue of hundreds of milliseconds on a small server. The same text as
// the request's own statement (with ? placeholders) keeps it honest; a
// statement that no longer plans fails Warm.
func (db *DB) Hot(sql string, args ...any) {
	if db.hot == nil {
		return
	}
	db.hot.mu.Lock()
	defer db.hot.mu.Unlock()
	db.hot.list = append(db.hot.list, hotStatement{sql: sql, args: args})
}

// warmConn plans the hot statements on one connection.
func (db *DB) warmConn(ctx context.Context, c *sql.Conn) error {
	if db.hot == nil {
		return nil
	}
	db.hot.mu.Lock()
	list := slices.Clone(db.hot.list)
	db.hot.mu.Unlock()
	tx := db.DB.Session(&gorm.Session{NewDB: true, Context: ctx})
	tx.Statement.ConnPool = c
	for _, h := range list {
		if err := tx.Exec("EXPLAIN "+h.sql, h.args...).Error; err != nil {
			return fmt.Errorf("planning hot statement %q: %w", h.sql, err)
		}
	}
	return nil
}

// Warm opens the PostgreSQL pool's connections now, all at once, plans
// the hot statements on each (see Hot), and leaves them idle in the pool,
// so that the first burst of requests after a start does not open them
// itself: each new connection is a backend start on the database server,
// and requests queue behind them. Servers call it before they listen;
// connections idle for longer than the pool's idle time (5 minutes) are
// closed again. SQLite has one connection and nothing to warm.
func (db *DB) Warm(ctx context.Context) error {
	if db.Dialect != Postgres {
		return nil
	}
	sqlDB, err := db.DB.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	// As many as the pool may hold (SetPoolSize): asking for more would
	// wait forever, since every connection is held until all are open.
	n := sqlDB.Stats().MaxOpenConnections
	if n <= 0 {
		n = DefaultPoolSize
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
			if err == nil {
				err = db.warmConn(ctx, c)
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
