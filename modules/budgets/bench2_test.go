// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkBasketReadHTTP measures the same route stack as the checkout
// (session, account, permission) with a read-only handler, to separate
// the platform's per-request cost from the checkout's.
func BenchmarkBasketReadHTTP(b *testing.B) {
	e := newEnv(b)
	admin := e.user("admin", true)
	bud, _ := e.budget(admin, `{"title":"Bench","total":2000}`, 100)
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	voters := make([]*user, 32)
	for i := range voters {
		voters[i] = e.user("bench", false)
		voters[i].Client.HTTP.Transport = tr
	}
	path := "/budgets/" + itoa(bud.ID) + "/basket"
	var next atomic.Int64
	b.ResetTimer()
	cpu := startCPU(e)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if r := e.json(voters[w], "GET", path, ""); r.Status != 200 {
					b.Errorf("status %d", r.Status)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	cpu.report(b)
}

// BenchmarkCheckoutService checks out b.N ballots by calling the service
// from 32 goroutines, without HTTP: the checkout's own capacity.
func BenchmarkCheckoutService(b *testing.B) {
	e := newEnv(b)
	admin := e.user("admin", true)
	bud, p := e.budget(admin, `{"title":"Bench","total":2000}`, 100, 200, 300, 400, 500)
	ids := make([]int64, b.N)
	now := time.Now().UTC()
	for i := range ids {
		u := e.user("bench", false)
		ids[i] = u.Acc.ID
		for k := range 3 {
			if err := e.in.App.DB.Exec("INSERT INTO budget_basket_items (budget_id, account_id, project_id, points, created_at) VALUES (?, ?, ?, 1, ?)",
				bud.ID, u.Acc.ID, p[(i+k)%len(p)], now).Error; err != nil {
				b.Fatal(err)
			}
		}
	}
	var next atomic.Int64
	b.ResetTimer()
	cpu := startCPU(e)
	start := time.Now()
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ids) {
					return
				}
				if _, err := e.svc().Checkout(context.Background(), bud, ids[i]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ballots/s")
	cpu.report(b)
	if n := e.count("SELECT COUNT(DISTINCT account_id) FROM budget_ballots WHERE budget_id = ?", bud.ID); n != b.N {
		b.Fatalf("%d ballots for %d checkouts", n, b.N)
	}
}
