// SPDX-License-Identifier: AGPL-3.0-or-later

// Package apptest runs a whole Polder instance for tests: a fresh database
// (SQLite, or a PostgreSQL schema when POLDER_TEST_DATABASE_URL is set),
// every migration, the real HTTP server on a loopback port, and browser-like
// clients with cookie jars that fill in CSRF tokens the way a form does.
package apptest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/orgs"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/testkit"
)

// Instance is a running test instance.
type Instance struct {
	T   testing.TB
	App *app.App
	// URL is the server's base URL (http://127.0.0.1:PORT).
	URL string
	// Org is the instance's organisation (host 127.0.0.1).
	Org *orgs.Organisation
	srv *httptest.Server
}

// New starts an instance with the given space types and modules, and one
// organisation. It is shut down when the test ends.
func New(tb testing.TB, opts app.Options) *Instance {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testkit.TestDatabaseURL(tb))
	if err != nil {
		tb.Fatalf("opening test database: %v", err)
	}
	opts.DB = db
	cfg := config.Default()
	cfg.DataDir = tb.TempDir()
	// Test clients play a reverse proxy on loopback, so a test may set
	// X-Forwarded-For to act from several client addresses.
	cfg.TrustedProxies = []string{"127.0.0.0/8", "::1/128"}
	a, err := app.New(ctx, cfg, opts)
	if err != nil {
		db.Close()
		tb.Fatalf("assembling test instance: %v", err)
	}
	org, err := a.Orgs.Ensure(ctx, &orgs.Organisation{Host: "127.0.0.1", Name: "Test city", DefaultLocale: "en", Locales: "en,fr,nl"})
	if err != nil {
		tb.Fatalf("creating organisation: %v", err)
	}
	srv := httptest.NewServer(a.Server.Handler())
	tb.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Instance{T: tb, App: a, URL: srv.URL, Org: org, srv: srv}
}

// CreateAccount makes a confirmed account with a password (no e-mail
// round trip), optionally an organisation admin.
func (in *Instance) CreateAccount(email, password string, orgAdmin bool) *accounts.Account {
	in.T.Helper()
	ctx := context.Background()
	nick := strings.NewReplacer("@", "_", ".", "_").Replace(email)
	if len(nick) > 40 {
		nick = nick[:40]
	}
	var acc *accounts.Account
	var err error
	if orgAdmin {
		acc, err = in.App.Accounts.EnsureAdmin(ctx, in.Org.ID, email, "Admin "+nick, nick, password)
	} else {
		acc, err = in.App.Accounts.Register(ctx, in.Org.ID, accounts.Registration{Email: email, Name: "User " + nick, Nickname: nick, Password: password})
		if err == nil {
			err = in.App.Accounts.DB().Model(acc).Update("confirmed_at", in.App.DB.NowFunc()).Error
		}
	}
	if err != nil {
		in.T.Fatalf("creating account %s: %v", email, err)
	}
	return acc
}

// Client is a browser-like HTTP client with its own cookie jar.
type Client struct {
	in   *Instance
	HTTP *http.Client
}

// Client returns a new visitor client (no session yet). It does not follow
// redirects, so tests see 303s and their Location.
func (in *Instance) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{in: in, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Response is a read response.
type Response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// Do sends a request and reads the whole response.
func (c *Client) Do(req *http.Request) *Response {
	c.in.T.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.in.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Body: string(b), Location: resp.Header.Get("Location"), Header: resp.Header}
}

// Get fetches a path.
func (c *Client) Get(path string) *Response {
	req, _ := http.NewRequest(http.MethodGet, c.in.URL+path, nil)
	return c.Do(req)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// CSRF returns the session's CSRF token, read from a page as a browser
// would.
func (c *Client) CSRF() string {
	c.in.T.Helper()
	// A visitor's home page has no form; the login page always has one.
	for _, page := range []string{"/", "/login"} {
		r := c.Get(page)
		if m := csrfField.FindStringSubmatch(r.Body); m != nil {
			return m[1]
		}
	}
	c.in.T.Fatalf("no CSRF token on the home or login page")
	return ""
}

// PostForm posts a form with the session's CSRF token added.
func (c *Client) PostForm(path string, form url.Values) *Response {
	c.in.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.CSRF())
	}
	return c.PostRaw(path, form)
}

// PostRaw posts a form exactly as given (no CSRF token added).
func (c *Client) PostRaw(path string, form url.Values) *Response {
	req, _ := http.NewRequest(http.MethodPost, c.in.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// JSON sends a JSON API request with a bearer token (may be empty).
func (c *Client) JSON(method, path, token, body string) *Response {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.in.URL+path, rd)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.Do(req)
}

// Login logs the client in through the login form and fails the test if
// it does not succeed.
func (c *Client) Login(email, password string) {
	c.in.T.Helper()
	r := c.PostForm("/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		c.in.T.Fatalf("login as %s: status %d, want 303\n%s", email, r.Status, snippet(r.Body))
	}
}

func snippet(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// Snippet shortens a body for failure messages.
func Snippet(s string) string { return snippet(s) }

// Must fails the test when status differs.
func (r *Response) Must(tb testing.TB, status int) *Response {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status %d, want %d\n%s", r.Status, status, snippet(r.Body))
	}
	return r
}

// Contains fails the test when the body lacks any of the fragments.
func (r *Response) Contains(tb testing.TB, fragments ...string) *Response {
	tb.Helper()
	for _, f := range fragments {
		if !strings.Contains(r.Body, f) {
			tb.Fatalf("body lacks %q\n%s", f, snippet(r.Body))
		}
	}
	return r
}

// RunJobs runs the queued background jobs that are due, one after the
// other, until none is left (the harness has no worker), and returns how
// many ran. A job's failure fails the test.
func (in *Instance) RunJobs() int {
	in.T.Helper()
	n := 0
	for {
		ran, err := in.App.Jobs.RunOne(context.Background())
		if err != nil {
			in.T.Fatalf("running a background job: %v", err)
		}
		if !ran {
			return n
		}
		n++
	}
}
