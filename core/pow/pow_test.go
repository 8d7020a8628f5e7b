// SPDX-License-Identifier: AGPL-3.0-or-later

package pow

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/testkit"
	theme "github.com/polder-civic/polder/themes/default"
)

func newService(t *testing.T) *Service {
	s := New(testkit.OpenDB(t))
	s.Bits = 10 // fast tests; the check is the same at any difficulty
	return s
}

func wantMsg(t *testing.T, err error, id string) {
	t.Helper()
	pe, ok := perr.As(err)
	if !ok || pe.MessageID != id {
		t.Fatalf("got %v, want %s", err, id)
	}
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	ch, err := s.Challenge(ctx, "register")
	if err != nil {
		t.Fatal(err)
	}
	nonce, err := Solve(ch)
	if err != nil {
		t.Fatal(err)
	}
	if LeadingZeroBits(ch, nonce) < 10 {
		t.Fatal("Solve returned a nonce below the difficulty")
	}
	// A nonce below the difficulty, another purpose, a forged difficulty.
	bad := "x"
	for i := 0; LeadingZeroBits(ch, bad) >= 10; i++ {
		bad = "x" + string(rune('a'+i))
	}
	wantMsg(t, s.Verify(ctx, "register", ch, bad), "pow.error.invalid")
	wantMsg(t, s.Verify(ctx, "anon", ch, nonce), "pow.error.invalid")
	parts := strings.Split(ch, ".")
	parts[1] = "0"
	wantMsg(t, s.Verify(ctx, "register", strings.Join(parts, "."), "0"), "pow.error.invalid")
	// The right one passes once.
	if err := s.Verify(ctx, "register", ch, nonce); err != nil {
		t.Fatal(err)
	}
	wantMsg(t, s.Verify(ctx, "register", ch, nonce), "pow.error.used")
	// Expired.
	ch2, _ := s.Challenge(ctx, "register")
	n2, _ := Solve(ch2)
	s.now = func() time.Time { return time.Now().UTC().Add(s.TTL + time.Minute) }
	wantMsg(t, s.Verify(ctx, "register", ch2, n2), "pow.error.expired")
	// Another service on the same database shares the secret.
	s.now = func() time.Time { return time.Now().UTC() }
	other := New(s.db)
	if err := other.Verify(ctx, "register", ch2, n2); err != nil {
		t.Fatalf("another instance refuses the challenge: %v", err)
	}
	if _, err := s.Challenge(ctx, "Bad purpose"); err == nil {
		t.Fatal("invalid purpose accepted")
	}
}

func TestRequire(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	e := echo.New()
	h := s.Require("register")(func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	post := func(form url.Values) error {
		req := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = "192.0.2.7:1234"
		return h(e.NewContext(req, httptest.NewRecorder()))
	}
	// Without a solution: NoJSMax posts per hour from one address.
	for i := range NoJSMax {
		if err := post(url.Values{}); err != nil {
			t.Fatalf("no-JS post %d: %v", i, err)
		}
	}
	err := post(url.Values{})
	pe, ok := perr.As(err)
	if !ok || pe.Code != perr.CodeTooMany || pe.Data["Seconds"].(int) <= 0 {
		t.Fatalf("over the no-JS limit: %v", err)
	}
	// A solved challenge still passes, once.
	ch, _ := s.Challenge(ctx, "register")
	n, _ := Solve(ch)
	if err := post(url.Values{FieldChallenge: {ch}, FieldNonce: {n}}); err != nil {
		t.Fatal(err)
	}
	wantMsg(t, post(url.Values{FieldChallenge: {ch}, FieldNonce: {n}}), "pow.error.used")
	wantMsg(t, post(url.Values{FieldChallenge: {ch}, FieldNonce: {"1"}}), "pow.error.invalid")
}

// TestBrowserScript solves a challenge with static/pow.js in node and
// verifies it in Go.
func TestBrowserScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the browser script cannot be run")
	}
	src, err := fs.ReadFile(theme.FS(), "static/pow.js")
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/pow.js"
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	s := newService(t)
	ctx := context.Background()
	ch, _ := s.Challenge(ctx, "statement")
	out, err := exec.Command(node, "-e", `new Function(require("fs").readFileSync(process.argv[1], "utf8"))();
globalThis.PolderPoW.solve(process.argv[2]).then((n) => console.log(n));`, path, ch).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v %s", err, out)
	}
	if err := s.Verify(ctx, "statement", ch, strings.TrimSpace(string(out))); err != nil {
		t.Fatalf("the script's nonce is refused: %v", err)
	}
}

// TestConcurrentReuse: one solved challenge posted 20 times at once is
// accepted exactly once.
func TestConcurrentReuse(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	ch, _ := s.Challenge(ctx, "anon")
	n, _ := Solve(ch)
	errs := make(chan error, 20)
	for range 20 {
		go func() { errs <- s.Verify(ctx, "anon", ch, n) }()
	}
	ok := 0
	for range 20 {
		err := <-errs
		if err == nil {
			ok++
			continue
		}
		wantMsg(t, err, "pow.error.used")
	}
	if ok != 1 {
		t.Fatalf("%d acceptances, want 1", ok)
	}
}
