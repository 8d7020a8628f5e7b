// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
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
type Cache[K comparable, V any] struct {
	ttl time.Duration
	mu  sync.Mutex
	gen uint64
	m   map[K]cacheEntry[V]
}

type cacheEntry[V any] struct {
	v       V
	expires time.Time
}

// NewCache returns a cache of rows of tables, dropped after every write to
// them through db (see OnWrite for when to call it), with db's CacheTTL. A
// negative TTL disables caching.
func NewCache[K comparable, V any](db *DB, tables ...string) (*Cache[K, V], error) {
	ttl := db.CacheTTL
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	c := &Cache[K, V]{ttl: ttl, m: map[K]cacheEntry[V]{}}
	if ttl < 0 {
		return c, nil
	}
	if err := db.OnWrite(c.Flush, tables...); err != nil {
		return nil, err
	}
	return c, nil
}

// Get returns the value of k, calling load when it is missing or expired.
// A value loaded while a write dropped the cache is returned but not kept,
// since it may predate the write.
func (c *Cache[K, V]) Get(k K, load func() (V, error)) (V, error) {
	if c == nil || c.ttl < 0 {
		return load()
	}
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[k]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if len(c.m) >= maxCacheEntries {
			c.m = map[K]cacheEntry[V]{}
		}
		c.m[k] = cacheEntry[V]{v: v, expires: now.Add(c.ttl)}
	}
	c.mu.Unlock()
	return v, nil
}

// Flush drops every value.
func (c *Cache[K, V]) Flush() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen++
	clear(c.m)
	c.mu.Unlock()
}
