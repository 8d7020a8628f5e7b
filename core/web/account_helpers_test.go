// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/mail"
)

// accountInstance starts an instance whose mails are recorded.
func accountInstance(t *testing.T, opts app.Options) (*apptest.Instance, *mail.Recorder) {
	t.Helper()
	in := apptest.New(t, opts)
	rec := mail.NewRecorder()
	in.App.Accounts.Mailer = rec
	return in, rec
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// pageCSRF reads the CSRF token from a page, as a browser would.
func pageCSRF(t *testing.T, c *apptest.Client, path string) string {
	t.Helper()
	r := c.Get(path)
	m := csrfInput.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no CSRF token on %s (status %d)\n%s", path, r.Status, apptest.Snippet(r.Body))
	}
	return m[1]
}

// post sends a form with the CSRF token of the page it comes from.
func post(t *testing.T, c *apptest.Client, page, action string, form url.Values) *apptest.Response {
	t.Helper()
	form.Set("_csrf", pageCSRF(t, c, page))
	return c.PostRaw(action, form)
}

// login logs a client in through the login form.
func login(t *testing.T, c *apptest.Client, email, password string) *apptest.Response {
	t.Helper()
	return post(t, c, "/login", "/login", url.Values{"email": {email}, "password": {password}})
}

var mailToken = regexp.MustCompile(`(https?://[^\s]+)\?token=([A-Za-z0-9_-]+)`)

// linkIn returns the link and token of the last mail sent to an address.
func linkIn(t *testing.T, rec *mail.Recorder, to, path string) (link, token string) {
	t.Helper()
	m, ok := rec.Last(to)
	if !ok {
		t.Fatalf("no mail sent to %s", to)
	}
	sm := mailToken.FindStringSubmatch(m.Text)
	if sm == nil || !strings.HasSuffix(sm[1], path) {
		t.Fatalf("mail to %s has no %s link:\n%s", to, path, m.Text)
	}
	return sm[1], sm[2]
}

// count counts rows of a table matching a condition.
func count(t *testing.T, in *apptest.Instance, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := in.App.DB.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

// sessionCookie returns the client's session cookie value.
func sessionCookie(t *testing.T, in *apptest.Instance, c *apptest.Client) string {
	t.Helper()
	u, _ := url.Parse(in.URL)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "polder_session" {
			return ck.Value
		}
	}
	return ""
}

// jsonReq sends a JSON request with the session's CSRF token header.
func jsonReq(t *testing.T, in *apptest.Instance, c *apptest.Client, method, path, csrf, body string) *apptest.Response {
	t.Helper()
	req, _ := http.NewRequest(method, in.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	return c.Do(req)
}
