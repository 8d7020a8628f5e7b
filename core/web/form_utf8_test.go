// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
)

// TestFormNotUTF8 posts forms whose text is not UTF-8 (Latin-1 "café"):
// refused with 400 before any handler stores it, with the CSRF token in
// the form or in the header; the same form in UTF-8 reaches the handler.
func TestFormNotUTF8(t *testing.T) {
	in := apptest.New(t, app.Options{})
	in.CreateAccount("ida@example.org", "correct horse battery", false)
	c := in.Client()
	csrf := pageCSRF(t, c, "/login")
	post := func(body string, header bool) *apptest.Response {
		if !header {
			body += "&_csrf=" + csrf
		}
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/account/tokens", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		return c.Do(req)
	}
	login(t, c, "ida@example.org", "correct horse battery").Must(t, http.StatusSeeOther)
	csrf = pageCSRF(t, c, "/account/tokens")
	before := count(t, in, "api_tokens", "")
	post("name=caf%E9", false).Must(t, http.StatusBadRequest)
	post("name=caf%E9", true).Must(t, http.StatusBadRequest)
	post("caf%E9=x", false).Must(t, http.StatusBadRequest)
	post("name=a%zz", true).Must(t, http.StatusBadRequest)
	if n := count(t, in, "api_tokens", ""); n != before {
		t.Fatalf("%d tokens stored from refused forms", n-before)
	}
	if r := post("name=caf%C3%A9", false); r.Status >= 400 {
		t.Fatalf("UTF-8 form refused: %d", r.Status)
	}
	if n := count(t, in, "api_tokens", ""); n != before+1 {
		t.Fatalf("UTF-8 form stored %d tokens, want 1", n-before)
	}
}
