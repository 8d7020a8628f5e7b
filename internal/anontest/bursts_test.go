// SPDX-License-Identifier: AGPL-3.0-or-later

package anontest

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/pow"
	"github.com/polder-civic/polder/internal/instancetest"
)

// TestAdminBursts: registrations from many addresses of one /24 within a
// minute show as one burst (a hash, not the addresses); a few from
// another network do not; only organisation admins see the page.
func TestAdminBursts(t *testing.T) {
	in := apptest.New(t, app.Options{})
	c := in.Client()
	csrf := c.CSRF()
	post := func(ip string, i int) {
		form := url.Values{"_csrf": {csrf}, "email": {fmt.Sprintf("b%d@example.org", i)}, "name": {"B"}, "nickname": {fmt.Sprintf("b%d", i)}, "password": {"correct horse battery"}}
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/register", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", ip)
		c.Do(req).Must(t, http.StatusOK)
	}
	// Bursts are counted per clock minute and the posts (an argon2id hash
	// each) may straddle two: with 2T+3 of them, one minute holds more
	// than T whatever the split.
	n := 2*pow.BurstThreshold + 3
	for i := range n {
		post(fmt.Sprintf("198.51.100.%d", 10+i), i)
	}
	post("203.0.113.5", 100)
	post("203.0.113.6", 101)
	admin := in.CreateAccount("admin@example.org", "correct horse battery", true)
	ac := in.Client()
	instancetest.Session(t, in, ac, admin.ID)
	r := ac.Get("/admin/bursts").Must(t, http.StatusOK)
	rows := regexp.MustCompile(`<code>register</code></td>\s*<td><code>([0-9a-f]{16})</code></td>\s*<td>(\d+)</td>`).FindAllStringSubmatch(r.Body, -1)
	if len(rows) < 1 || len(rows) > 2 || strings.Count(r.Body, "<code>register</code>") != len(rows) {
		t.Fatalf("want the burst in one or two minutes:\n%s", apptest.Snippet(r.Body[strings.Index(r.Body, "<h1"):]))
	}
	total := 0
	for _, row := range rows {
		if row[1] != rows[0][1] {
			t.Fatal("the other network's two posts show as a burst")
		}
		k, _ := strconv.Atoi(row[2])
		total += k
	}
	if total > n || total <= pow.BurstThreshold {
		t.Fatalf("burst counts %d of %d posts", total, n)
	}
	if strings.Contains(r.Body, "198.51.100") {
		t.Fatal("the page shows addresses")
	}
	alice := in.CreateAccount("alice@example.org", "correct horse battery", false)
	pc := in.Client()
	instancetest.Session(t, in, pc, alice.ID)
	pc.Get("/admin/bursts").Must(t, http.StatusForbidden)
}
