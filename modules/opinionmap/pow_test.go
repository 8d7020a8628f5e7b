// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/polder-civic/polder/core/pow"
	"github.com/polder-civic/polder/internal/instancetest"
)

var challengeField = regexp.MustCompile(`name="pow_challenge" value="([^"]+)"`)

// TestAnonymousStatementProofOfWork: an anonymous participant's statement
// form carries a proof of work; solved, it passes (once); unsolved, at
// most pow.NoJSMax statements an hour pass and the next is refused on the
// vote page with when to try again; a signed-in participant needs none;
// the JSON API takes the challenge from GET next.
func TestAnonymousStatementProofOfWork(t *testing.T) {
	e := newEnv(t)
	e.seed("More trains at night")
	c := e.in.Client()
	page := c.Get(e.base).Must(t, http.StatusOK).Contains(t, "/static/pow.js", `name="pow_nonce"`).Body
	m := challengeField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no proof-of-work challenge on the anonymous statement form")
	}
	nonce, err := pow.Solve(m[1])
	if err != nil {
		t.Fatal(err)
	}
	solved := url.Values{"body": {"Solved statement"}, pow.FieldChallenge: {m[1]}, pow.FieldNonce: {nonce}}
	if r := c.PostForm(e.base+"/statements", solved); r.Status != http.StatusSeeOther {
		t.Fatalf("solved statement: %d %s", r.Status, apptestSnippet(r.Body))
	}
	// The same solution again is refused.
	solved.Set("body", "Replayed statement")
	if r := c.PostForm(e.base+"/statements", solved); r.Status == http.StatusSeeOther {
		t.Fatal("a spent challenge was accepted again")
	}
	// Without JavaScript: NoJSMax pass, the next is refused on the page,
	// with the text kept.
	for i := range pow.NoJSMax {
		if r := c.PostForm(e.base+"/statements", url.Values{"body": {"Unsolved statement " + itoa(int64(i))}}); r.Status != http.StatusSeeOther {
			t.Fatalf("unsolved statement %d: %d %s", i, r.Status, apptestSnippet(r.Body))
		}
	}
	r := c.PostForm(e.base+"/statements", url.Values{"body": {"One too many"}})
	r.Must(t, http.StatusTooManyRequests).Contains(t, "Too many statements have come from your network", "Try again in", "One too many</textarea>")
	var n int64
	e.in.App.DB.Table("opinion_statements").Where("component_id = ? AND seed = ?", e.comp.ID, false).Count(&n)
	if n != 1+pow.NoJSMax {
		t.Fatalf("%d participant statements stored, want %d", n, 1+pow.NoJSMax)
	}
	// A too-long statement is refused before any proof of work is spent.
	e.set(map[string]any{"max_length": 20})
	c.PostForm(e.base+"/statements", url.Values{"body": {"A statement far longer than twenty characters"}}).
		Must(t, http.StatusUnprocessableEntity).Contains(t, "at most 20 characters")

	// JSON API: the challenge comes with GET next.
	api := e.in.Client()
	csrf := instancetest.Session(t, e.in, api, 0)
	var next struct {
		Challenge string `json:"pow_challenge"`
	}
	decode(t, api.JSON("GET", "/api/v1"+e.base+"/next", "", "").Must(t, 200).Body, &next)
	if next.Challenge == "" {
		t.Fatal("no challenge in GET next for an anonymous participant")
	}
	nonce, err = pow.Solve(next.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	e.set(map[string]any{"max_length": 140})
	body := `{"body":"Statement through the API","pow_challenge":"` + next.Challenge + `","pow_nonce":"` + nonce + `"}`
	if r := instancetest.JSON(t, e.in, api, "POST", "/api/v1"+e.base+"/statements", csrf, "", body); r.Status != http.StatusCreated {
		t.Fatalf("API statement with a solved challenge: %d %s", r.Status, apptestSnippet(r.Body))
	}
	// Signed in: no proof of work, no limit.
	e.in.CreateAccount("ann@example.org", "a long password 1", false)
	signed := e.in.Client()
	signed.Login("ann@example.org", "a long password 1")
	if b := signed.Get(e.base).Must(t, 200).Body; challengeField.MatchString(b) {
		t.Fatal("a signed-in participant's form carries a proof of work")
	}
	for i := range pow.NoJSMax + 1 {
		if r := signed.PostForm(e.base+"/statements", url.Values{"body": {"Signed statement " + itoa(int64(i))}}); r.Status != http.StatusSeeOther {
			t.Fatalf("signed-in statement %d: %d", i, r.Status)
		}
	}
}
