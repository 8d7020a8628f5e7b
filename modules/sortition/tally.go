// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"context"
	"fmt"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/modules/sortition/leximin"
)

// The organisers' pool page counts the whole pool: its size, the linked
// accounts and sign-ups, the volunteers per value of the quota table and
// the distinct households. The database counts them (two grouped queries
// per draw), so the page reads only the hundred rows it lists, whatever
// the size of the pool. Draw.Tally is the same tally over rows read into
// Go; the tests compare the two.

// poolStats are the whole-pool figures of the pool page.
type poolStats struct {
	Size, Linked, Signups int
	// WithAddress is the number of volunteers with a household address;
	// Homes the number of distinct addresses among them.
	WithAddress, Homes int
}

func (s *Service) poolStats(ctx context.Context, d *Draw) (poolStats, error) {
	var r struct{ N, Linked, Signups, WithAddress, Homes int64 }
	err := s.srv.DB.WithContext(ctx).Model(&PoolRow{}).
		Select(`COUNT(*) AS n,
			COUNT(CASE WHEN account_id <> 0 THEN 1 END) AS linked,
			COUNT(consented_at) AS signups,
			COUNT(CASE WHEN household <> '' THEN 1 END) AS with_address,
			COUNT(DISTINCT CASE WHEN household <> '' THEN household END) AS homes`).
		Where("draw_id = ?", d.ID).Scan(&r).Error
	if err != nil {
		return poolStats{}, fmt.Errorf("sortition: counting the pool: %w", err)
	}
	return poolStats{Size: int(r.N), Linked: int(r.Linked), Signups: int(r.Signups), WithAddress: int(r.WithAddress), Homes: int(r.Homes)}, nil
}

// valueCountsSQL counts the volunteers per (category index, value index)
// of one draw. Features is a JSON array of value indices; each dialect
// expands it with its own JSON function and the database groups.
var valueCountsSQL = map[store.Dialect]string{
	store.SQLite: `SELECT CAST(j.key AS INTEGER) AS category, CAST(j.value AS INTEGER) AS value, COUNT(*) AS n
		FROM sortition_pool p, json_each(p.features) j
		WHERE p.draw_id = ? GROUP BY j.key, j.value`,
	store.Postgres: `SELECT CAST(e.i - 1 AS INTEGER) AS category, CAST(e.v AS INTEGER) AS value, COUNT(*) AS n
		FROM sortition_pool p CROSS JOIN LATERAL json_array_elements_text(CAST(p.features AS json)) WITH ORDINALITY AS e(v, i)
		WHERE p.draw_id = ? GROUP BY e.i, e.v`,
}

// valueCounts returns counts[c][f], the volunteers with value f of
// category c; indices outside the quota table are not counted (as in
// Draw.Tally).
func (s *Service) valueCounts(ctx context.Context, d *Draw, cats []leximin.Category) ([][]int, error) {
	q, ok := valueCountsSQL[s.srv.DB.Dialect]
	if !ok {
		return nil, fmt.Errorf("sortition: no tally query for the %s dialect", s.srv.DB.Dialect)
	}
	var rows []struct{ Category, Value, N int }
	if err := s.srv.DB.WithContext(ctx).Raw(q, d.ID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("sortition: counting the pool per value: %w", err)
	}
	counts := make([][]int, len(cats))
	for i := range counts {
		counts[i] = make([]int, len(cats[i].Values))
	}
	for _, r := range rows {
		if r.Category >= 0 && r.Category < len(cats) && r.Value >= 0 && r.Value < len(cats[r.Category].Values) {
			counts[r.Category][r.Value] += r.N
		}
	}
	return counts, nil
}

// PoolTally is Draw.Tally counted by the database.
func (s *Service) PoolTally(ctx context.Context, d *Draw) (tally []CategoryTally, diagnosis string, err error) {
	st, err := s.poolStats(ctx, d)
	if err != nil {
		return nil, "", err
	}
	return s.poolTally(ctx, d, st)
}

func (s *Service) poolTally(ctx context.Context, d *Draw, st poolStats) ([]CategoryTally, string, error) {
	cats, err := d.categories()
	if err != nil {
		return nil, "", err
	}
	counts, err := s.valueCounts(ctx, d, cats)
	if err != nil {
		return nil, "", err
	}
	tally := make([]CategoryTally, len(cats))
	for ci, c := range cats {
		ct := CategoryTally{Name: c.Name, Values: make([]ValueTally, len(c.Values))}
		for j, q := range c.Values {
			n := counts[ci][j]
			ct.Values[j] = ValueTally{Value: q.Value, Min: q.Min, Max: q.Max, Count: n, Short: n < q.Min}
		}
		tally[ci] = ct
	}
	// The household rule applies when the draw asks for addresses or an
	// uploaded pool brought some (as leximinPool decides).
	lc := leximin.Counts{Size: st.Size, Values: counts, Households: -1}
	if d.Households || st.WithAddress > 0 {
		lc.Households = st.Size - st.WithAddress + st.Homes
	}
	// The quota table is checked as leximin.Check does; the rows need no
	// check, every stored answer being an index into the table.
	diagnosis := ""
	if err := (&leximin.Pool{Categories: cats}).Validate(); err != nil {
		diagnosis = fmt.Errorf("invalid pool: %w", err).Error()
	} else if err := leximin.CheckCounts(cats, d.PanelSize, lc); err != nil {
		diagnosis = err.Error()
	}
	return tally, diagnosis, nil
}

// PoolRows reads one page of the pool, in pool order.
func (s *Service) PoolRows(ctx context.Context, d *Draw, offset, limit int) ([]PoolRow, error) {
	var rows []PoolRow
	if err := s.srv.DB.WithContext(ctx).Where("draw_id = ?", d.ID).Order("position, id").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("sortition: reading pool: %w", err)
	}
	return rows, nil
}
