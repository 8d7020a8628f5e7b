// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"errors"
	"sync"
	"time"
)

// DefaultCacheTTL is how long in-process caches of rather static rows
// (organisations, spaces, components) trust what they read, when the
// configuration does not say (DB.CacheTTL).
const DefaultCacheTTL = 2 * time.Second

// maxCacheEntries bounds a cache: keys such as host names come from
// requests, so an unbounded map could be grown at will.
const maxCacheEntries = 10000

// Cache keeps values read from the database for a short time. Writes
// through this process drop the whole cache (see NewCache), so a change is
// visible here at once; the TTL bounds how long another instance's write
// goes unseen. Values are shared: callers must treat them as read-only.
//
// One load per key runs at a time: under load, many requests find the
// same entry expired at once, and each loading it would queue hundreds of
// identical queries for the database's connections every TTL. While a
// load runs, the others take the expired value (older by at most that
// load) or, when there is none, wait for the load.
type Cache[K comparable, V any] struct {
	ttl     time.Duration
	mu      sync.Mutex
	gen     uint64
	m       map[K]cacheEntry[V]
	loading map[K]*cacheLoad[V]
}

type cacheEntry[V any] struct {
	v       V
	expires time.Time
}

// cacheLoad is a load in progress; done is closed when v and err are set.
type cacheLoad[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// NewCache returns a cache of rows of tables, dropped after every write to
// them through db (see OnWrite for when to call it), with db's CacheTTL. A
// negative TTL disables caching.
func NewCache[K comparable, V any](db *DB, tables ...string) (*Cache[K, V], error) {
	ttl := db.CacheTTL
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	c := NewLocalCache[K, V](ttl)
	if ttl < 0 {
		return c, nil
	}
	if err := db.OnWrite(c.Flush, tables...); err != nil {
		return nil, err
	}
	return c, nil
}

// NewLocalCache returns a cache with its own TTL and no write hooks: its
// owner drops what changes (Delete, Flush). A negative TTL disables it.
func NewLocalCache[K comparable, V any](ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, m: map[K]cacheEntry[V]{}, loading: map[K]*cacheLoad[V]{}}
}

// Get returns the value of k, calling load when it is missing or expired
// (see Cache for concurrent calls). A value loaded while a write dropped
// the cache is returned but not kept, since it may predate the write.
func (c *Cache[K, V]) Get(k K, load func() (V, error)) (V, error) {
	if c == nil || c.ttl < 0 {
		return load()
	}
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[k]
	if ok && now.Before(e.expires) {
		c.mu.Unlock()
		return e.v, nil
	}
	if l := c.loading[k]; l != nil {
		c.mu.Unlock()
		if ok {
			return e.v, nil
		}
		<-l.done
		if l.err == nil {
			return l.v, nil
		}
		// The loader's error may be its own (its request cancelled):
		// this caller tries for itself.
		return load()
	}
	l := &cacheLoad[V]{done: make(chan struct{})}
	c.loading[k] = l
	gen := c.gen
	c.mu.Unlock()
	// Deferred so that a panicking load does not leave waiters blocked.
	defer func() {
		c.mu.Lock()
		if c.loading[k] == l {
			delete(c.loading, k)
		}
		if l.err == nil && c.gen == gen {
			if len(c.m) >= maxCacheEntries {
				c.evict(now)
			}
			c.m[k] = cacheEntry[V]{v: l.v, expires: now.Add(c.ttl)}
		}
		c.mu.Unlock()
		close(l.done)
	}()
	l.err = errLoadPanicked
	l.v, l.err = load()
	return l.v, l.err
}

// evict makes room in a full cache (c.mu held): expired entries go
// first, since with many keys (one per session) most are; when that frees
// less than a tenth, everything goes, as the bound is what matters then.
func (c *Cache[K, V]) evict(now time.Time) {
	for k, e := range c.m {
		if !now.Before(e.expires) {
			delete(c.m, k)
		}
	}
	if len(c.m) >= maxCacheEntries*9/10 {
		c.m = map[K]cacheEntry[V]{}
	}
}

// errLoadPanicked is what waiters see when the load they waited for
// panicked (they then load for themselves).
var errLoadPanicked = errors.New("cache load panicked")

// Has says whether the cache holds a value for k, expired or not: the
// value was read from the database by this process and not dropped since.
func (c *Cache[K, V]) Has(k K) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	_, ok := c.m[k]
	c.mu.Unlock()
	return ok
}

// Delete drops the value of k, and lets the next Get load it anew even
// while an older load runs.
func (c *Cache[K, V]) Delete(k K) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen++
	delete(c.m, k)
	delete(c.loading, k)
	c.mu.Unlock()
}

// Flush drops every value; loads running now keep nothing.
func (c *Cache[K, V]) Flush() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen++
	clear(c.m)
	clear(c.loading)
	c.mu.Unlock()
}
