// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"context"
	"testing"
	"time"

	"github.com/alexedwards/scs/gormstore"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
)

// openSessionStore is one instance's session store (its own pool and
// cache) on the database at url.
func openSessionStore(t *testing.T, url string, ttl time.Duration) (sessionStore, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.CacheTTL = ttl
	gs, err := gormstore.NewWithCleanupInterval(db.DB, 0)
	if err != nil {
		t.Fatal(err)
	}
	return newSessionStore(db, gs), db
}

// TestSessionCache: an instance reads its own saves at once; another
// instance's logout is seen after the cache TTL, and a save made
// meanwhile on a session read before the logout does not bring the
// session back.
func TestSessionCache(t *testing.T) {
	url := testkit.TestDatabaseURL(t)
	a, db := openSessionStore(t, url, time.Hour)
	b, _ := openSessionStore(t, url, time.Hour)
	exp := time.Now().Add(time.Hour)
	find := func(s sessionStore, tok string) string {
		t.Helper()
		d, ok, err := s.Find(tok)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "(none)"
		}
		return string(d)
	}
	commit := func(s sessionStore, tok, data string) {
		t.Helper()
		if err := s.Commit(tok, []byte(data), exp); err != nil {
			t.Fatal(err)
		}
	}
	// One instance reads what it wrote, though the old row was cached.
	commit(a, "tok1", "one")
	if got := find(a, "tok1"); got != "one" {
		t.Fatalf("after the first save: %q", got)
	}
	commit(a, "tok1", "two")
	if got := find(a, "tok1"); got != "two" {
		t.Errorf("after the second save: %q, want two", got)
	}
	// b caches tok1, a ends it: b still sees it until its TTL (the
	// documented delay between instances), but b's save does not
	// recreate it.
	if got := find(b, "tok1"); got != "two" {
		t.Fatalf("other instance: %q", got)
	}
	if err := a.Delete("tok1"); err != nil {
		t.Fatal(err)
	}
	if got := find(a, "tok1"); got != "(none)" {
		t.Errorf("ended session found on its own instance: %q", got)
	}
	if got := find(b, "tok1"); got != "two" {
		t.Errorf("other instance within its TTL: %q, want the cached two", got)
	}
	commit(b, "tok1", "three")
	var n int64
	if err := db.Table("sessions").Where("token = ?", "tok1").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a save on another instance brought the ended session back")
	}
	if got := find(b, "tok1"); got != "(none)" {
		t.Errorf("after its save: %q, want none", got)
	}
	// A session new to an instance is created; a missing one is no error.
	commit(b, "tok2", "new")
	if got := find(a, "tok2"); got != "new" {
		t.Errorf("new session seen elsewhere: %q", got)
	}
	if got := find(a, "missing"); got != "(none)" {
		t.Errorf("missing session: %q", got)
	}
}

// TestSessionCacheTTL: with a short TTL, another instance's change is
// seen once it has passed; a session that expires while cached is not
// returned.
func TestSessionCacheTTL(t *testing.T) {
	url := testkit.TestDatabaseURL(t)
	a, _ := openSessionStore(t, url, 50*time.Millisecond)
	b, _ := openSessionStore(t, url, 50*time.Millisecond)
	if err := a.Commit("tok", []byte("one"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if d, ok, _ := b.Find("tok"); !ok || string(d) != "one" {
		t.Fatalf("first read: %q %v", d, ok)
	}
	if err := a.Commit("tok", []byte("two"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if d, ok, _ := b.Find("tok"); !ok || string(d) != "two" {
		t.Errorf("after the TTL: %q %v, want two", d, ok)
	}
	// A session that expires while cached (an hour's TTL here).
	c, _ := openSessionStore(t, url, time.Hour)
	if err := c.Commit("short", []byte("x"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Find("short"); !ok {
		t.Fatal("fresh session not found")
	}
	time.Sleep(1200 * time.Millisecond)
	if _, ok, _ := c.Find("short"); ok {
		t.Error("expired session found in the cache")
	}
}
