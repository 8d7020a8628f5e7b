// SPDX-License-Identifier: AGPL-3.0-or-later

package store_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
)

func TestStatementWriteAndTables(t *testing.T) {
	cases := []struct {
		s            store.Statement
		write, touch bool
	}{
		{store.Statement{Kind: "update", Table: "components"}, true, true},
		{store.Statement{Kind: "create", Table: "proposals"}, true, false},
		{store.Statement{Kind: "query", Table: "components"}, false, true},
		{store.Statement{Kind: "raw", SQL: "UPDATE components SET published = TRUE"}, true, true},
		{store.Statement{Kind: "raw", SQL: "  select * from components"}, false, true},
		{store.Statement{Kind: "raw", SQL: "WITH x AS (SELECT 1) UPDATE components SET position = 2"}, true, true},
		{store.Statement{Kind: "row", SQL: "WITH x AS (SELECT id FROM components) SELECT * FROM x"}, false, true},
		{store.Statement{Kind: "raw", SQL: "DELETE FROM component_notes WHERE id = 1"}, true, false},
		{store.Statement{Kind: "raw", SQL: "INSERT INTO x (a) SELECT id FROM \"components\""}, true, true},
		{store.Statement{Kind: "row", SQL: "INSERT INTO components (a) VALUES (1) RETURNING id"}, true, true},
		{store.Statement{Kind: "row", Table: "components", SQL: "SELECT * FROM components"}, false, true},
		// Any ASCII case, whole words only.
		{store.Statement{Kind: "raw", SQL: "with up AS (Insert INTO Components (a) VALUES (1) RETURNING id) SELECT 1"}, true, true},
		{store.Statement{Kind: "raw", SQL: "with up AS (SELECT 1) Select * FROM COMPONENTS"}, false, true},
		{store.Statement{Kind: "raw", SQL: "WITH insert_log AS (SELECT 1) SELECT * FROM components_2"}, false, false},
		{store.Statement{Kind: "raw", SQL: "Delete FROM mycomponents WHERE id = 1"}, true, false},
		{store.Statement{Kind: "raw", SQL: "pragma table_info(components)"}, false, true},
	}
	for _, c := range cases {
		if got := c.s.Write(); got != c.write {
			t.Errorf("%+v: Write() = %v", c.s, got)
		}
		if got := c.s.Touches("components"); got != c.touch {
			t.Errorf("%+v: Touches(components) = %v", c.s, got)
		}
	}
}

type cachedRow struct {
	ID int64
	V  string
}

func (cachedRow) TableName() string { return "cached_rows" }

func openCacheDB(t *testing.T, url string, ttl time.Duration) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.CacheTTL = ttl
	return db
}

// read returns the cached value of row 1 and whether it was loaded now.
func read(t *testing.T, db *store.DB, c *store.Cache[int64, string]) (string, bool) {
	t.Helper()
	loaded := false
	v, err := c.Get(1, func() (string, error) {
		loaded = true
		var r cachedRow
		err := db.First(&r, 1).Error
		return r.V, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, loaded
}

func TestCacheDroppedOnWrite(t *testing.T) {
	url := testkit.TestDatabaseURL(t)
	db := openCacheDB(t, url, time.Hour)
	if err := db.AutoMigrate(&cachedRow{}); err != nil {
		t.Fatal(err)
	}
	db.Create(&cachedRow{ID: 1, V: "a"})
	c, err := store.NewCache[int64, string](db, "cached_rows")
	if err != nil {
		t.Fatal(err)
	}
	if v, loaded := read(t, db, c); v != "a" || !loaded {
		t.Fatalf("first read: %q loaded=%v", v, loaded)
	}
	if _, loaded := read(t, db, c); loaded {
		t.Fatal("second read went to the database")
	}
	// Every kind of write through db drops the cache: model, raw, in a
	// transaction.
	writes := []func() error{
		func() error { return db.Model(&cachedRow{ID: 1}).Update("v", "b").Error },
		func() error { return db.Exec("UPDATE cached_rows SET v = ? WHERE id = 1", "c").Error },
		func() error {
			return db.Tx(context.Background(), func(tx *gorm.DB) error {
				return tx.Model(&cachedRow{ID: 1}).Update("v", "d").Error
			})
		},
	}
	for i, w := range writes {
		if err := w(); err != nil {
			t.Fatal(err)
		}
		want := string(rune('b' + i))
		if v, loaded := read(t, db, c); v != want || !loaded {
			t.Errorf("after write %d: %q loaded=%v, want %q from the database", i, v, loaded, want)
		}
	}
	// Writes to other tables keep it.
	if err := db.Exec("CREATE TABLE cached_other (id INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	db.Exec("INSERT INTO cached_other (id) VALUES (1)")
	if _, loaded := read(t, db, c); loaded {
		t.Error("a write to another table dropped the cache")
	}
}

// A write by another instance (another connection pool, no shared hooks)
// goes unseen until the TTL has passed, then is seen.
func TestCacheTTLBoundsOtherInstances(t *testing.T) {
	url := testkit.TestDatabaseURL(t)
	long := openCacheDB(t, url, time.Hour)
	short := openCacheDB(t, url, 20*time.Millisecond)
	other := openCacheDB(t, url, 0)
	if err := long.AutoMigrate(&cachedRow{}); err != nil {
		t.Fatal(err)
	}
	long.Create(&cachedRow{ID: 1, V: "a"})
	cl, err := store.NewCache[int64, string](long, "cached_rows")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := store.NewCache[int64, string](short, "cached_rows")
	if err != nil {
		t.Fatal(err)
	}
	read(t, long, cl)
	read(t, short, cs)
	if err := other.Exec("UPDATE cached_rows SET v = 'z' WHERE id = 1").Error; err != nil {
		t.Fatal(err)
	}
	if v, _ := read(t, long, cl); v != "a" {
		t.Fatalf("within the TTL: %q, want the cached a", v)
	}
	time.Sleep(30 * time.Millisecond)
	if v, loaded := read(t, short, cs); v != "z" || !loaded {
		t.Fatalf("after the TTL: %q loaded=%v, want z from the database", v, loaded)
	}
}

func TestCacheDisabled(t *testing.T) {
	db := openCacheDB(t, testkit.TestDatabaseURL(t), -1)
	if err := db.AutoMigrate(&cachedRow{}); err != nil {
		t.Fatal(err)
	}
	db.Create(&cachedRow{ID: 1, V: "a"})
	c, err := store.NewCache[int64, string](db, "cached_rows")
	if err != nil {
		t.Fatal(err)
	}
	read(t, db, c)
	if _, loaded := read(t, db, c); !loaded {
		t.Error("a disabled cache kept a value")
	}
}

// Concurrent readers of a missing entry share one load; while an expired
// entry reloads, readers get the expired value without waiting.
func TestCacheOneLoadAtATime(t *testing.T) {
	c := store.NewLocalCache[int64, string](time.Hour)
	release := make(chan struct{})
	var loads atomic.Int32
	slow := func(v string) func() (string, error) {
		return func() (string, error) {
			loads.Add(1)
			<-release
			return v, nil
		}
	}
	const readers = 20
	got := make(chan string, readers)
	for range readers {
		go func() {
			v, err := c.Get(1, slow("a"))
			if err != nil {
				t.Error(err)
			}
			got <- v
		}()
	}
	// Let the readers reach the cache before the load returns.
	time.Sleep(50 * time.Millisecond)
	close(release)
	for range readers {
		if v := <-got; v != "a" {
			t.Errorf("reader got %q, want a", v)
		}
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("%d loads for %d concurrent readers of one key, want 1", n, readers)
	}

	// An expired entry: one reader reloads, the others take the old value.
	s := store.NewLocalCache[int64, string](10 * time.Millisecond)
	if _, err := s.Get(1, func() (string, error) { return "old", nil }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	release = make(chan struct{})
	loads.Store(0)
	first := make(chan string)
	go func() {
		v, _ := s.Get(1, slow("new"))
		first <- v
	}()
	for loads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	v, err := s.Get(1, func() (string, error) { t.Error("a second load ran"); return "", nil })
	if err != nil || v != "old" {
		t.Errorf("during the reload: %q %v, want the expired old", v, err)
	}
	close(release)
	if v := <-first; v != "new" {
		t.Errorf("the reloading reader got %q, want new", v)
	}
	if v, _ := s.Get(1, slow("unused")); v != "new" {
		t.Errorf("after the reload: %q, want new", v)
	}
}

// A Delete or Flush during a load: later readers load anew, and the older
// load's value, which may predate the change, is not kept.
func TestCacheDropDuringLoad(t *testing.T) {
	for _, drop := range []string{"delete", "flush"} {
		c := store.NewLocalCache[int64, string](time.Hour)
		release, started := make(chan struct{}), make(chan struct{})
		done := make(chan string)
		go func() {
			v, _ := c.Get(1, func() (string, error) { close(started); <-release; return "before", nil })
			done <- v
		}()
		<-started
		if drop == "delete" {
			c.Delete(1)
		} else {
			c.Flush()
		}
		v, err := c.Get(1, func() (string, error) { return "after", nil })
		if err != nil || v != "after" {
			t.Errorf("%s: reader after the drop got %q %v, want its own load", drop, v, err)
		}
		close(release)
		if v := <-done; v != "before" {
			t.Errorf("%s: the older load returned %q", drop, v)
		}
		if v, _ := c.Get(1, func() (string, error) { return "reloaded", nil }); v != "after" {
			t.Errorf("%s: cache holds %q, want after (not the older load's value)", drop, v)
		}
	}
}

// A failed load is not shared as a value: a waiting reader loads for
// itself.
func TestCacheFailedLoad(t *testing.T) {
	c := store.NewLocalCache[int64, string](time.Hour)
	release, started := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = c.Get(1, func() (string, error) { close(started); <-release; return "", errors.New("cancelled") })
	}()
	<-started
	got := make(chan string)
	go func() {
		v, _ := c.Get(1, func() (string, error) { return "own", nil })
		got <- v
	}()
	time.Sleep(20 * time.Millisecond)
	close(release)
	if v := <-got; v != "own" {
		t.Errorf("waiter got %q, want its own load after the other failed", v)
	}
}

// Warm leaves a PostgreSQL pool with all its connections open and idle;
// on SQLite it does nothing.
func TestWarm(t *testing.T) {
	db := openCacheDB(t, testkit.TestDatabaseURL(t), 0)
	if err := db.AutoMigrate(&cachedRow{}); err != nil {
		t.Fatal(err)
	}
	// A hot write is planned on every connection, never executed.
	db.Hot("INSERT INTO cached_rows (id, v) VALUES (?, ?)", int64(1), "x")
	if err := db.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	var rows int64
	if err := db.Table("cached_rows").Count(&rows).Error; err != nil || rows != 0 {
		t.Errorf("after Warm: %d rows (%v), want 0", rows, err)
	}
	sqlDB, err := db.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	st := sqlDB.Stats()
	want := 1 // SQLite's single connection, opened by Open's ping
	if db.Dialect == store.Postgres {
		want = store.DefaultPoolSize
	}
	if st.OpenConnections != want || st.Idle != want {
		t.Errorf("after Warm: %d open, %d idle, want %d of each", st.OpenConnections, st.Idle, want)
	}
	if db.Dialect != store.Postgres {
		return
	}
	// A pool of another size is filled, not waited on forever.
	small := openCacheDB(t, testkit.TestDatabaseURL(t), 0)
	sqlSmall, err := small.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	if err := small.SetPoolSize(4); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := small.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sqlSmall.Stats().OpenConnections; n != 4 {
		t.Errorf("after Warm of a pool of 4: %d open", n)
	}
	// A hot statement that no longer plans fails Warm, named.
	small.Hot("SELECT nothing FROM no_such_table WHERE id = ?", int64(1))
	if err := small.Warm(ctx); err == nil || !strings.Contains(err.Error(), "no_such_table") {
		t.Errorf("Warm with a broken hot statement: %v", err)
	}
}

// A full cache drops its expired entries before its fresh ones: with one
// key per session, most entries of a full cache have expired, and
// dropping them all at once would send every active session back to the
// database.
func TestCacheFullDropsExpiredFirst(t *testing.T) {
	const ttl = 50 * time.Millisecond
	c := store.NewLocalCache[int, int](ttl)
	load := func(v int) func() (int, error) { return func() (int, error) { return v, nil } }
	for k := range store.MaxCacheEntries - 1 {
		if _, err := c.Get(k, load(k)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(ttl + 20*time.Millisecond)
	fresh := -1
	if _, err := c.Get(fresh, load(fresh)); err != nil { // the cache is now full
		t.Fatal(err)
	}
	if _, err := c.Get(-2, load(-2)); err != nil { // makes room
		t.Fatal(err)
	}
	if !c.Has(fresh) || !c.Has(-2) {
		t.Errorf("fresh entries dropped with the expired ones: has(-1)=%v has(-2)=%v", c.Has(fresh), c.Has(-2))
	}
	if c.Has(0) || c.Has(store.MaxCacheEntries-2) {
		t.Error("expired entries kept in a full cache")
	}
	// A cache full of fresh entries still keeps its bound.
	c = store.NewLocalCache[int, int](time.Hour)
	for k := range store.MaxCacheEntries + 1 {
		if _, err := c.Get(k, load(k)); err != nil {
			t.Fatal(err)
		}
	}
	if n := store.CacheLen(c); n > store.MaxCacheEntries {
		t.Errorf("%d entries, bound %d", n, store.MaxCacheEntries)
	}
}
