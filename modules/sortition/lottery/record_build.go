// SPDX-License-Identifier: AGPL-3.0-or-later

package lottery

import "github.com/polder-civic/polder/modules/sortition/leximin"

// NewRecord writes the published record of a draw from a pool: pseudonymous
// ids (keyed by key) and feature values of every volunteer, the quotas,
// and the lottery's equally likely panels (tickets, as indices into the
// pool). It also returns each volunteer's pseudonym, in pool order. The
// command line and the sortition component publish the same record.
func NewRecord(pool *leximin.Pool, k int, households bool, tickets [][]int, key []byte, seed SeedInputs) (*Record, []string) {
	rec := &Record{Seed: seed, PanelSize: k, Households: households}
	for _, c := range pool.Categories {
		rec.Categories = append(rec.Categories, c.Name)
		for _, q := range c.Values {
			rec.Quotas = append(rec.Quotas, Quota{Category: c.Name, Value: q.Value, Min: q.Min, Max: q.Max})
		}
	}
	pseudo := make([]string, len(pool.Volunteers))
	for i, v := range pool.Volunteers {
		pseudo[i] = Pseudonym(key, v.ID)
		m := Member{ID: pseudo[i]}
		for c, f := range v.Features {
			m.Features = append(m.Features, pool.Categories[c].Values[f].Value)
		}
		if households && v.Household != "" {
			m.Household = Pseudonym(key, "household|"+v.Household)
		}
		rec.Pool = append(rec.Pool, m)
	}
	for _, t := range tickets {
		ids := make([]string, len(t))
		for j, i := range t {
			ids[j] = pseudo[i]
		}
		rec.Panels = append(rec.Panels, ids)
	}
	return rec, pseudo
}
