// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/apptest"
)

// BenchmarkCheckoutHTTP checks out b.N ballots through the JSON API, from
// 32 concurrent clients, each voter with a prepared basket of three
// projects. It reports ballots/s and fails if a ballot is lost or doubled.
// Run on PostgreSQL with POLDER_TEST_DATABASE_URL set:
//
//	go test ./modules/budgets -run '^$' -bench CheckoutHTTP -benchtime 3000x
//
// Two ways in: the browser's session cookie with its CSRF header, and a
// personal API token (Bearer), which skips the server-side session.
func BenchmarkCheckoutHTTP(b *testing.B) {
	b.Run("session", func(b *testing.B) { benchCheckout(b, false) })
	b.Run("token", func(b *testing.B) { benchCheckout(b, true) })
}

func benchCheckout(b *testing.B, bearer bool) {
	e := newEnv(b)
	admin := e.user("admin", true)
	bud, p := e.budget(admin, `{"title":"Bench","total":2000,"knapsack":true}`, 100, 200, 300, 400, 500)
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	voters := make([]*user, b.N)
	tokens := make([]string, b.N)
	now := time.Now().UTC()
	for i := range voters {
		u := e.user("bench", false)
		u.Client.HTTP.Transport = tr
		if bearer {
			_, secret, err := e.in.App.Accounts.CreateAPIToken(context.Background(), u.Acc.ID, "bench")
			if err != nil {
				b.Fatal(err)
			}
			tokens[i] = secret
		}
		for k := range 3 {
			if err := e.in.App.DB.Exec("INSERT INTO budget_basket_items (budget_id, account_id, project_id, points, created_at) VALUES (?, ?, ?, 1, ?)",
				bud.ID, u.Acc.ID, p[(i+k)%len(p)], now).Error; err != nil {
				b.Fatal(err)
			}
		}
		voters[i] = u
	}
	path := "/budgets/" + itoa(bud.ID) + "/checkout"
	var next atomic.Int64
	var failed atomic.Int64
	b.ResetTimer()
	cpu := startCPU(e)
	start := time.Now()
	var wg sync.WaitGroup
	for range benchClients() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(voters) {
					return
				}
				var r *apptest.Response
				if bearer {
					r = voters[i].Client.JSON("POST", e.api+path, tokens[i], "")
				} else {
					r = e.json(voters[i], "POST", path, "")
				}
				if r.Status != 200 {
					if failed.Add(1) == 1 {
						b.Logf("status %d: %.200s", r.Status, r.Body)
					}
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/took.Seconds(), "ballots/s")
	cpu.report(b)
	if failed.Load() != 0 {
		b.Fatalf("%d checkouts failed", failed.Load())
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballots WHERE budget_id = ?", bud.ID); n != b.N {
		b.Fatalf("%d ballots for %d checkouts", n, b.N)
	}
	if n := e.count("SELECT COUNT(DISTINCT account_id) FROM budget_ballots WHERE budget_id = ?", bud.ID); n != b.N {
		b.Fatalf("%d distinct voters for %d checkouts", n, b.N)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballot_lines l JOIN budget_ballots x ON x.id = l.ballot_id WHERE x.budget_id = ?", bud.ID); n != 3*b.N {
		b.Fatalf("%d ballot lines, want %d", n, 3*b.N)
	}
}

// benchClients is the number of concurrent HTTP clients
// (POLDER_BENCH_CLIENTS, default 32).
func benchClients() int {
	if n, err := strconv.Atoi(os.Getenv("POLDER_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 32
}
