// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
)

// resultCacheEntries bounds the decoded results kept in memory. A
// published synthesis is read by every visitor of the space, and decoding
// its stored JSON (20 MB for 100,000 contributions) cost 250 ms and
// 150 MB of allocations a page view (BenchmarkPublishedPage); the
// decoded form of such a result takes about 40 MB (docs/operations.md).
const resultCacheEntries = 8

// resultKey names one stored state of a version's result: any write to
// the row (a build, a label edit, publication) moves UpdatedAt and so
// misses the cache, in this process or after another instance's write.
type resultKey struct {
	id      int64
	updated int64
}

// decoded is a version's result ready for reading, shared by concurrent
// requests: read-only once cached.
type decoded struct {
	res *Result
	// sources indexes res.Contributions by id.
	sources map[string]Source
}

func newDecoded(res *Result) *decoded {
	d := &decoded{res: res, sources: map[string]Source{}}
	if res != nil {
		d.sources = make(map[string]Source, len(res.Contributions))
		for _, c := range res.Contributions {
			d.sources[c.ID] = c
		}
	}
	return d
}

type resultCache struct {
	lru   *lru.Cache[resultKey, *decoded]
	loads singleflight.Group
}

func newResultCache() *resultCache {
	c, err := lru.New[resultKey, *decoded](resultCacheEntries)
	if err != nil {
		panic(fmt.Sprintf("synthesis: result cache: %v", err)) // only for a size < 1
	}
	return &resultCache{lru: c}
}

// Get loads a version of a component without its result (Result is
// empty; readResult gives it, cached): callers check visibility before
// any result is read, and a 20 MB column is not read for a status.
func (s *Service) Get(ctx context.Context, comp *registry.Component, id int64) (*Synthesis, error) {
	var syn Synthesis
	err := s.srv.DB.WithContext(ctx).Omit("result").Where("id = ? AND component_id = ?", id, comp.ID).Limit(1).Find(&syn).Error
	if err != nil {
		return nil, fmt.Errorf("loading synthesis: %w", err)
	}
	if syn.ID == 0 {
		return nil, perr.NotFound("synthesis")
	}
	return &syn, nil
}

// readResult gives the decoded result of a version read by Get, from
// the cache, decoding it on a miss (one decode at a time per version).
func (s *Service) readResult(ctx context.Context, syn *Synthesis) (*decoded, error) {
	key := resultKey{id: syn.ID, updated: syn.UpdatedAt.UnixNano()}
	if d, ok := s.results.lru.Get(key); ok {
		return d, nil
	}
	// The load serves every request waiting for it: it must not end with
	// the first one's.
	ctx = context.WithoutCancel(ctx)
	v, err, _ := s.results.loads.Do(strconv.FormatInt(key.id, 10)+"/"+strconv.FormatInt(key.updated, 10), func() (any, error) {
		var row struct {
			Result    string
			UpdatedAt time.Time
		}
		if err := s.srv.DB.WithContext(ctx).Model(&Synthesis{}).Select("result", "updated_at").Where("id = ?", syn.ID).Take(&row).Error; err != nil {
			return nil, fmt.Errorf("loading synthesis %d result: %w", syn.ID, err)
		}
		res, err := (&Synthesis{ID: syn.ID, Result: row.Result}).decodeResult()
		if err != nil {
			return nil, err
		}
		d := newDecoded(res)
		// A write between the two reads: serve what was read, keep
		// nothing (the row and its result may not match).
		if row.UpdatedAt.UnixNano() == key.updated {
			s.results.lru.Add(key, d)
		}
		return d, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*decoded), nil
}
