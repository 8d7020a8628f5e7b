// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/testkit"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/proposals"
)

// Benchmarks run on SQLite by default and on PostgreSQL with
// POLDER_TEST_DATABASE_URL set; each reports the median (p50) and 95th
// percentile request time measured by the client over loopback, which
// bounds the server time from above.

// bulkAuthors inserts n participant accounts directly.
func bulkAuthors(tb testing.TB, e *env, n int) []accounts.Account {
	tb.Helper()
	now := time.Now().UTC()
	out := make([]accounts.Account, n)
	for i := range out {
		email := fmt.Sprintf("bench%d@example.org", i)
		out[i] = accounts.Account{OrganisationID: e.in.Org.ID, Email: &email, Name: "Bench", Nickname: fmt.Sprintf("bench%d", i), Kind: accounts.KindPerson, ConfirmedAt: &now}
	}
	if err := e.in.App.DB.CreateInBatches(out, 500).Error; err != nil {
		tb.Fatal(err)
	}
	return out
}

// bulkProposals inserts n published proposals spread over the fixture's
// themes and sessions.
func bulkProposals(tb testing.TB, e *env, authors []accounts.Account, n int) {
	tb.Helper()
	sp := e.space()
	now := time.Now().UTC()
	batch := make([]proposals.Proposal, 0, 1000)
	for i := range n {
		th, se := sp.Themes[i%len(sp.Themes)], sp.Sessions[(i/len(sp.Themes))%2]
		at := now.Add(-time.Duration(n-i) * time.Minute)
		title := fmt.Sprintf("Proposal %d on %s", i, th.Key)
		// Each body names one of 50 topics, so a search matches 2%.
		body := fmt.Sprintf("Text of proposal %d about topic%d: more trams, safer bicycles and better insulated homes for everyone in the city.", i, i%50)
		batch = append(batch, proposals.Proposal{ComponentID: e.comp.ID, SpaceID: sp.ID, ThemeID: th.ID, SessionID: se.ID, AuthorID: authors[i%len(authors)].ID,
			AuthorKind: "person", Title: title, Body: body, Locale: "en", State: proposals.StatePublished, CountsQuota: true,
			SupportsCount: (i * 7919) % 97, Fingerprint: proposals.Fingerprint(title, body), PublishedAt: &at, CreatedAt: at, UpdatedAt: at})
		if len(batch) == cap(batch) || i == n-1 {
			if err := e.in.App.DB.CreateInBatches(batch, 250).Error; err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := e.in.App.DB.Exec("UPDATE proposals SET organisation_id = ?", e.in.Org.ID).Error; err != nil {
		tb.Fatal(err)
	}
	if e.in.App.DB.Dialect == "postgres" {
		// The steady state autovacuum keeps: statistics and the visibility
		// map that lets counts use index-only scans.
		e.in.App.DB.Exec("VACUUM ANALYZE proposals")
	} else {
		e.in.App.DB.Exec("ANALYZE")
	}
}

// processCPU is the CPU time this process has used (server, client and,
// on SQLite, the database engine; PostgreSQL's own CPU is not included).
// Less sensitive than wall time to other work on a loaded machine.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[len(d)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkListByTheme measures the listing page of a component holding
// 10,000 proposals, filtered by theme (HTML page, and the JSON API).
func BenchmarkListByTheme(b *testing.B) {
	e := newEnv(b)
	bulkProposals(b, e, bulkAuthors(b, e, 500), 10000)
	theme := strconv.FormatInt(e.theme("housing").ID, 10)
	for _, c := range []struct{ name, path string }{
		{"page/recent", e.base + "?theme=" + theme},
		{"page/supported", e.base + "?theme=" + theme + "&sort=supported"},
		{"page/random", e.base + "?theme=" + theme + "&sort=random"},
		{"page/search", e.base + "?theme=" + theme + "&q=topic17"},
		{"api/recent", "/api/v1" + e.base + "/proposals?theme=" + theme},
	} {
		b.Run(testkit.Dialect()+"/"+c.name, func(b *testing.B) {
			cl := e.in.Client()
			cl.Get(c.path).Must(b, 200).Contains(b, "Proposal")
			var d []time.Duration
			cpu := processCPU(b)
			for b.Loop() {
				start := time.Now()
				if r := cl.Get(c.path); r.Status != 200 {
					b.Fatalf("status %d", r.Status)
				}
				d = append(d, time.Since(start))
			}
			reportCPU(b, cpu)
			reportPercentiles(b, d)
		})
	}
	// The same work without HTTP: the database time of one page.
	svc := proposals.NewService(e.in.App.DB, e.in.App.Components, nil)
	sc := svc.Scope(e.space(), e.comp)
	themeID := e.theme("housing").ID
	for _, c := range []struct {
		name string
		q    proposals.ListQuery
	}{
		{"domain/recent", proposals.ListQuery{ThemeID: themeID}},
		{"domain/supported", proposals.ListQuery{ThemeID: themeID, Sort: proposals.SortSupported}},
		{"domain/random", proposals.ListQuery{ThemeID: themeID, Sort: proposals.SortRandom, Seed: 7}},
		{"domain/search", proposals.ListQuery{ThemeID: themeID, Search: "topic17", Locale: "en"}},
	} {
		b.Run(testkit.Dialect()+"/"+c.name, func(b *testing.B) {
			var d []time.Duration
			cpu := processCPU(b)
			for b.Loop() {
				start := time.Now()
				if _, err := svc.List(b.Context(), sc, c.q); err != nil {
					b.Fatal(err)
				}
				d = append(d, time.Since(start))
			}
			reportCPU(b, cpu)
			reportPercentiles(b, d)
		})
	}
	b.Run(testkit.Dialect()+"/domain/counts", func(b *testing.B) {
		var d []time.Duration
		cpu := processCPU(b)
		for b.Loop() {
			start := time.Now()
			if _, err := svc.Counts(b.Context(), sc); err != nil {
				b.Fatal(err)
			}
			d = append(d, time.Since(start))
		}
		reportCPU(b, cpu)
		reportPercentiles(b, d)
	})
}

// BenchmarkFile measures filing a proposal through the HTTP form, quota
// check included, one author after the other (each author files at most
// its quota, 100 per session, so the check always runs and passes).
func BenchmarkFile(b *testing.B) {
	e := newEnv(b)
	e.set(map[string]any{"quota_theme_session": 0, "quota_session": 100, "quota_total": 100}, nil)
	authors := bulkAuthors(b, e, 1000)
	bulkProposals(b, e, authors, 10000)
	clients := make([]*user, len(authors))
	for i := range authors {
		c := e.in.Client()
		clients[i] = &user{Acc: &authors[i], Client: c, CSRF: instancetest.Session(b, e.in, c, authors[i].ID)}
	}
	theme := strconv.FormatInt(e.theme("mobility").ID, 10)
	i := 0
	b.Run(testkit.Dialect(), func(b *testing.B) {
		var d []time.Duration
		cpu := processCPU(b)
		for b.Loop() {
			u := clients[i%len(clients)]
			i++
			form := url.Values{"theme_id": {theme}, "title": {"Benchmark proposal " + strconv.Itoa(i)}, "body": {"A benchmark proposal body, long enough."}}
			start := time.Now()
			r := u.Post(e.base+"/proposals", form)
			d = append(d, time.Since(start))
			if r.Status != 303 {
				b.Fatalf("status %d: %s", r.Status, apptest.Snippet(r.Body))
			}
		}
		reportCPU(b, cpu)
		reportPercentiles(b, d)
	})
}

// BenchmarkFileSustained fires filings from 1,000 authors in parallel
// (quota 2 per theme and session, so most later filings are refused) and
// reports accepted+refused filings per second; afterwards no author may
// exceed the quota.
func BenchmarkFileSustained(b *testing.B) {
	e := newEnv(b)
	e.set(map[string]any{"quota_theme_session": 2}, nil)
	authors := bulkAuthors(b, e, 1000)
	clients := make([]*user, len(authors))
	for i := range authors {
		c := e.in.Client()
		clients[i] = &user{Acc: &authors[i], Client: c, CSRF: instancetest.Session(b, e.in, c, authors[i].ID)}
	}
	theme := strconv.FormatInt(e.theme("mobility").ID, 10)
	var next, accepted atomic.Int64
	b.Run(testkit.Dialect(), func(b *testing.B) {
		start, cpu := time.Now(), processCPU(b)
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				k := next.Add(1)
				u := clients[int(k)%len(clients)]
				r := u.Post(e.base+"/proposals", url.Values{"theme_id": {theme}, "title": {"Sustained " + strconv.FormatInt(k, 10)}, "body": {"A sustained filing body, long enough."}})
				switch r.Status {
				case 303:
					accepted.Add(1)
				case 409:
				default:
					b.Errorf("status %d", r.Status)
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "filings/s")
		reportCPU(b, cpu)
	})
	var over int64
	e.in.App.DB.Raw("SELECT COUNT(*) FROM (SELECT author_id FROM proposals GROUP BY author_id, theme_id, session_id HAVING COUNT(*) > 2) x").Scan(&over)
	if over != 0 {
		b.Fatalf("%d authors over the quota", over)
	}
	b.Logf("accepted %d filings, quota never exceeded", accepted.Load())
}
