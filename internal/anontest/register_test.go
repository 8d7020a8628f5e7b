// SPDX-License-Identifier: AGPL-3.0-or-later

package anontest

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/pow"
)

var challengeRe = regexp.MustCompile(`name="pow_challenge" value="([^"]+)"`)

// TestRegisterProofOfWork: the registration form carries a challenge and
// the proof-of-work script; a solved form registers; without a solution
// (no JavaScript) one address registers at most pow.NoJSMax times an
// hour, then is told when to try again; a replayed solution is refused.
func TestRegisterProofOfWork(t *testing.T) {
	in := apptest.New(t, app.Options{})
	c := in.Client()
	form := func(i int) url.Values {
		return url.Values{"email": {fmt.Sprintf("p%d@example.org", i)}, "name": {"P"}, "nickname": {fmt.Sprintf("p%d", i)}, "password": {"correct horse battery"}}
	}
	page := c.Get("/register").Must(t, http.StatusOK).Contains(t, `src="/static/pow.js"`, `name="pow_nonce"`)
	m := challengeRe.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatal("no challenge on the registration form")
	}
	nonce, err := pow.Solve(m[1])
	if err != nil {
		t.Fatal(err)
	}
	solved := form(0)
	solved.Set(pow.FieldChallenge, m[1])
	solved.Set(pow.FieldNonce, nonce)
	c.PostForm("/register", solved).Must(t, http.StatusOK)
	// The same solution again.
	again := form(1)
	again.Set(pow.FieldChallenge, m[1])
	again.Set(pow.FieldNonce, nonce)
	c.PostForm("/register", again).Must(t, http.StatusUnprocessableEntity).Contains(t, in.App.Bundle.T("en", "pow.error.used", nil))
	var n int64
	in.App.DB.Table("accounts").Count(&n)
	if n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
	// Without JavaScript.
	for i := 2; i < 2+pow.NoJSMax; i++ {
		c.PostForm("/register", form(i)).Must(t, http.StatusOK)
	}
	r := c.PostForm("/register", form(99)).Must(t, http.StatusTooManyRequests)
	if !strings.Contains(r.Body, "Try again in") {
		t.Fatalf("no wait time in %s", apptest.Snippet(r.Body))
	}
	in.App.DB.Table("accounts").Count(&n)
	if n != 1+pow.NoJSMax {
		t.Fatalf("%d accounts, want %d", n, 1+pow.NoJSMax)
	}
}
