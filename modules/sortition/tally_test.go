// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/polder-civic/polder/modules/sortition"
	"github.com/polder-civic/polder/modules/sortition/leximin"
)

// genCategories draws a quota table of ncat categories with 2 to 6 values
// each; generous gives every value the bounds 0..k (a reachable table),
// otherwise the lower quotas are drawn up to a third of k.
func genCategories(rng *rand.Rand, ncat, k int, generous bool) []leximin.Category {
	cats := make([]leximin.Category, ncat)
	for c := range cats {
		cats[c].Name = fmt.Sprintf("cat%d", c)
		for v := range 2 + rng.IntN(5) {
			q := leximin.Quota{Value: fmt.Sprintf("c%dv%d", c, v), Max: k}
			if !generous {
				q.Min = rng.IntN(k/3 + 1)
				q.Max = q.Min + rng.IntN(k)
			}
			cats[c].Values = append(cats[c].Values, q)
		}
	}
	return cats
}

// genDraw stores a draw with the quota table and a pool of n volunteers
// on component compID: value v of a category is drawn with weight v+1,
// except the last value of the first category, which no one has (a value
// the grouped query returns no row for); with homes > 0, the household
// rule is on and each volunteer has, with probability addressed, one of
// homes addresses; a third are sign-ups and half of the others are linked
// to an account.
func genDraw(e *env, rng *rand.Rand, compID int64, cats []leximin.Category, n, k, homes int, addressed float64) *sortition.Draw {
	households := homes > 0
	e.t.Helper()
	cj, err := json.Marshal(cats)
	if err != nil {
		e.t.Fatal(err)
	}
	now := time.Now().UTC()
	d := &sortition.Draw{OrganisationID: e.in.Org.ID, ComponentID: compID, SpaceID: e.space.ID, PanelSize: k, Categories: string(cj),
		PoolSize: n, Status: sortition.StatusCollecting, Households: households, SignupOpenedAt: &now, CreatedAt: now, UpdatedAt: now}
	if err := e.in.App.DB.Create(d).Error; err != nil {
		e.t.Fatal(err)
	}
	rows := make([]sortition.PoolRow, n)
	for i := range rows {
		f := make([]int, len(cats))
		for c := range cats {
			nv := len(cats[c].Values)
			if c == 0 {
				nv-- // the last value of the first category stays empty
			}
			total := nv * (nv + 1) / 2
			x := rng.IntN(total)
			for v := 0; v < nv; v++ {
				if x < v+1 {
					f[c] = v
					break
				}
				x -= v + 1
			}
		}
		fj, _ := json.Marshal(f)
		rows[i] = sortition.PoolRow{DrawID: d.ID, Position: i, ExternalID: fmt.Sprintf("v%d", i), Features: string(fj)}
		if households && rng.Float64() < addressed {
			rows[i].Household = fmt.Sprintf("street %d", rng.IntN(homes))
		}
		// Not real accounts: only counted (a sign-up always has one).
		if i%3 == 0 {
			rows[i].ConsentedAt = &now
			rows[i].AccountID = int64(1_000_000 + i)
		} else if i%2 == 0 {
			rows[i].AccountID = int64(1_000_000 + i)
		}
	}
	if err := e.in.App.DB.CreateInBatches(rows, 500).Error; err != nil {
		e.t.Fatal(err)
	}
	return d
}

// TestPoolTallySQLMatchesGo: the tally the database counts (the pool
// page's) equals the tally over the rows read into Go, with and without
// households, for reachable and unreachable quota tables, on an empty
// pool, and another draw's pool is not counted. Runs on the test database
// (SQLite, or PostgreSQL with POLDER_TEST_DATABASE_URL).
func TestPoolTallySQLMatchesGo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.mod.Service()
	rng := rand.New(rand.NewPCG(7, 11))
	// Decoys: pools of other components, stored before and after the one
	// counted, whose rows must not count.
	decoy := func(key string) {
		t.Helper()
		c, err := e.in.App.Components.Enable(ctx, e.comp.SpaceType, e.comp.SpaceID, sortition.ID, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		genDraw(e, rng, c.ID, genCategories(rng, 4, 30, true), 300, 30, 100, 0.5)
	}
	decoy("decoy-before")

	const k = 30
	for i, tc := range []struct {
		name          string
		n             int
		generous      bool
		homes         int     // 0: no household rule
		addressed     float64 // share of volunteers with an address
		wantReachable bool
	}{
		{"reachable", 1500, true, 0, 0, true},
		{"reachable with households", 1500, true, 500, 0.5, true},
		{"short values", 1500, false, 500, 0.5, false},
		{"few households", 300, true, 20, 1, false},
		{"few households, some without an address", 40, true, 12, 0.7, false},
		{"empty pool", 0, true, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.in.App.DB.Where("component_id = ?", e.comp.ID).Delete(&sortition.Draw{}).Error; err != nil {
				t.Fatal(err)
			}
			cats := genCategories(rng, 4, k, tc.generous)
			d := genDraw(e, rng, e.comp.ID, cats, tc.n, k, tc.homes, tc.addressed)
			decoy(fmt.Sprintf("decoy-after-%d", i))
			rows, err := svc.Pool(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.n {
				t.Fatalf("%d rows stored, want %d", len(rows), tc.n)
			}
			want, wantDiag, err := d.Tally(rows)
			if err != nil {
				t.Fatal(err)
			}
			got, gotDiag, err := svc.PoolTally(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("SQL tally\n%v\nGo tally\n%v", got, want)
			}
			if gotDiag != wantDiag {
				t.Fatalf("SQL diagnosis %q\nGo diagnosis %q", gotDiag, wantDiag)
			}
			// Both branches of the diagnosis are compared.
			if (wantDiag == "") != tc.wantReachable {
				t.Fatalf("diagnosis %q: the generated table is not the intended case", wantDiag)
			}
			// The page's whole-pool figures, counted in SQL.
			linked := 0
			for _, r := range rows {
				if r.AccountID != 0 {
					linked++
				}
			}
			page := e.admin.Get(e.base+"/pool").Must(t, http.StatusOK)
			page.Contains(t, fmt.Sprintf("Stored: %d volunteers, panel of %d, %d linked to accounts.", tc.n, k, linked))
			if tc.n > 0 {
				page.Contains(t, "<td>0</td><td>v0</td>")
			}
			if tc.n > 100 {
				page.Contains(t, fmt.Sprintf("Page 1 of %d", (tc.n+99)/100))
			}
		})
	}
}

// BenchmarkPoolTally: the pool page's tally of a 100,000-volunteer pool
// (4 categories): counted by the database ("sql", what the page runs),
// over the rows read into Go ("go", what the page did before), and the
// whole pool page ("page").
//
//	go test -run '^$' -bench PoolTally -benchtime 5x ./modules/sortition/
func BenchmarkPoolTally(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	svc := e.mod.Service()
	rng := rand.New(rand.NewPCG(3, 5))
	const n, k = 100_000, 150
	d := genDraw(e, rng, e.comp.ID, genCategories(rng, 4, k, true), n, k, n/3, 0.5)
	b.Run("sql", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := svc.PoolTally(ctx, d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			rows, err := svc.Pool(ctx, d)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := d.Tally(rows); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			e.admin.Get(e.base+"/pool").Must(b, http.StatusOK)
		}
	})
}
