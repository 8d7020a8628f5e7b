// SPDX-License-Identifier: AGPL-3.0-or-later

package anontest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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
	n := pow.BurstThreshold + 2
	// Bursts are counted per clock minute: start early in one, so the
	// posts (an argon2id hash each) do not straddle two.
	if now := time.Now(); now.Second() > 30 {
		time.Sleep(time.Until(now.Truncate(time.Minute).Add(time.Minute)))
	}
	for i := range n {
		post(fmt.Sprintf("198.51.100.%d", 10+i), i)
	}
	post("203.0.113.5", 100)
	post("203.0.113.6", 101)
	admin := in.CreateAccount("admin@example.org", "correct horse battery", true)
	ac := in.Client()
	instancetest.Session(t, in, ac, admin.ID)
	r := ac.Get("/admin/bursts").Must(t, http.StatusOK)
	if strings.Count(r.Body, "<code>register</code>") != 1 || !strings.Contains(r.Body, fmt.Sprintf("<td>%d</td>", n)) {
		t.Fatalf("want one burst of %d registrations:\n%s", n, apptest.Snippet(r.Body[strings.Index(r.Body, "<h1"):]))
	}
	if strings.Contains(r.Body, "198.51.100") {
		t.Fatal("the page shows addresses")
	}
	alice := in.CreateAccount("alice@example.org", "correct horse battery", false)
	pc := in.Client()
	instancetest.Session(t, in, pc, alice.ID)
	pc.Get("/admin/bursts").Must(t, http.StatusForbidden)
}
