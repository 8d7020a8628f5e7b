// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
)

// CSP allows only this origin: no inline script, no third-party host.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

func byteSize(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%dM", n>>20)
	}
	return fmt.Sprintf("%dK", (n+1023)>>10)
}

func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServer(http.FS(fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

func (s *Server) recoverer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				slog.Error("panic in handler", "panic", r, "path", c.Request().URL.Path, "stack", string(debug.Stack()))
				err = perr.New(perr.CodeInternal, "error.internal", nil)
			}
		}()
		return next(c)
	}
}

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		lvl := slog.LevelDebug
		if status >= 500 {
			lvl = slog.LevelError
		}
		slog.Log(c.Request().Context(), lvl, "request", "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", status, "took", time.Since(start), "id", c.Response().Header().Get(echo.HeaderXRequestID))
		return nil
	}
}

func (s *Server) resolveOrg(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		org, err := s.Orgs.Resolve(c.Request().Context(), c.Request().Host)
		if err != nil {
			return err
		}
		c.Set(keyOrg, org)
		return next(c)
	}
}

const sessionAccountKey = "account_id"

func (s *Server) loadAccount(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		org := Org(c)
		if auth := c.Request().Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
			// Personal access tokens authenticate API scripts; such
			// requests carry no cookie, so CSRF does not apply to them.
			c.Set(keyAPI, true)
			acc, err := s.Accounts.ByAPIToken(ctx, org.ID, strings.TrimPrefix(auth, "Bearer "))
			if err != nil {
				return err
			}
			c.Set(keyAccount, acc)
			return next(c)
		}
		if strings.HasPrefix(c.Path(), "/api/") || strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Set(keyAPI, true)
		}
		if id := s.Sessions.GetInt64(ctx, sessionAccountKey); id != 0 {
			acc, err := s.Accounts.Get(ctx, org.ID, id)
			if err == nil && acc.AnonymisedAt == nil {
				c.Set(keyAccount, acc)
			} else {
				s.Sessions.Remove(ctx, sessionAccountKey)
			}
		}
		return next(c)
	}
}

func (s *Server) resolveLocale(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		org := Org(c)
		offered := org.LocaleList()
		loc := ""
		if q := c.QueryParam("locale"); q != "" && contains(offered, q) {
			// The language switcher is a plain link: remember the choice.
			loc = q
			s.Sessions.Put(c.Request().Context(), "locale", q)
		} else if l := s.Sessions.GetString(c.Request().Context(), "locale"); contains(offered, l) {
			loc = l
		} else if a := Account(c); a != nil && contains(offered, a.Locale) {
			loc = a.Locale
		} else {
			loc = s.negotiate(c.Request().Header.Get("Accept-Language"), offered)
		}
		c.Set(keyLocale, loc)
		c.Response().Header().Set("Content-Language", loc)
		return next(c)
	}
}

// negotiations remembers Accept-Language answers: i18n.Negotiate builds a
// language matcher each time, a visible share of a request's CPU, and
// browsers send few distinct headers. Bounded, since the header is the
// client's to choose.
type negotiations struct {
	mu sync.Mutex
	m  map[string]string
}

const maxNegotiations = 1000

func (s *Server) negotiate(acceptLanguage string, offered []string) string {
	key := strings.Join(offered, ",") + "\x00" + acceptLanguage
	n := &s.negotiated
	n.mu.Lock()
	loc, ok := n.m[key]
	n.mu.Unlock()
	if ok {
		return loc
	}
	loc = i18n.Negotiate(acceptLanguage, offered)
	n.mu.Lock()
	if n.m == nil || len(n.m) >= maxNegotiations {
		n.m = map[string]string{}
	}
	n.m[key] = loc
	n.mu.Unlock()
	return loc
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const csrfSessionKey = "csrf"

// CSRFToken returns the session's CSRF token, creating it if needed. The
// token lives in the server-side session: no extra cookie.
func (s *Server) CSRFToken(c echo.Context) string {
	ctx := c.Request().Context()
	tok := s.Sessions.GetString(ctx, csrfSessionKey)
	if tok == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(err)
		}
		tok = base64.RawURLEncoding.EncodeToString(b[:])
		s.Sessions.Put(ctx, csrfSessionKey, tok)
	}
	return tok
}

// csrf refuses state-changing requests whose token (form field _csrf or
// header X-CSRF-Token) does not match the session's. Bearer-token API
// requests are exempt: they carry no ambient credential.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if strings.HasPrefix(c.Request().Header.Get("Authorization"), "Bearer ") {
			return next(c)
		}
		want := s.Sessions.GetString(c.Request().Context(), csrfSessionKey)
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			ct := c.Request().Header.Get(echo.HeaderContentType)
			if strings.HasPrefix(ct, echo.MIMEApplicationForm) || strings.HasPrefix(ct, echo.MIMEMultipartForm) {
				got = c.FormValue("_csrf")
			}
		}
		if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return perr.New(perr.CodeForbidden, "error.csrf", nil)
		}
		return next(c)
	}
}

// Login binds the account to a fresh session token (rotation defeats
// session fixation).
func (s *Server) Login(c echo.Context, accountID int64) error {
	ctx := c.Request().Context()
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renewing session: %w", err)
	}
	s.Sessions.Put(ctx, sessionAccountKey, accountID)
	s.Sessions.Put(ctx, "auth_at", time.Now().Unix())
	return nil
}

// Logout ends the session.
func (s *Server) Logout(c echo.Context) error {
	return s.Sessions.Destroy(c.Request().Context())
}

// Flash stores a message (an i18n id) shown on the next page.
func (s *Server) Flash(c echo.Context, messageID string) {
	s.Sessions.Put(c.Request().Context(), "flash", messageID)
}
