// SPDX-License-Identifier: AGPL-3.0-or-later

package store

// MaxCacheEntries and CacheLen let the external tests check a cache's bound.
const MaxCacheEntries = maxCacheEntries

func CacheLen[K comparable, V any](c *Cache[K, V]) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
