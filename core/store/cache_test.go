// SPDX-License-Identifier: AGPL-3.0-or-later

package store_test

import (
	"context"
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
