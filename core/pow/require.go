// SPDX-License-Identifier: AGPL-3.0-or-later

package pow

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
)

// Form fields a protected form posts.
const (
	FieldChallenge = "pow_challenge"
	FieldNonce     = "pow_nonce"
)

// Without JavaScript a browser cannot solve a challenge: such submissions
// are accepted, at most NoJSMax per NoJSWindow per IP address and purpose.
const (
	NoJSMax    = 5
	NoJSWindow = time.Hour
)

// Limiter bounds events per key; core/accounts' Limiter implements it.
type Limiter interface {
	Check(ctx context.Context, keys ...string) error
	Record(ctx context.Context, keys ...string) error
}

// Fallback returns the per-IP limiter of unsolved submissions of a purpose.
func (s *Service) Fallback(purpose string) Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fallback == nil {
		s.fallback = map[string]Limiter{}
	}
	if l, ok := s.fallback[purpose]; ok {
		return l
	}
	l := accounts.NewLimiter(s.db, "nojs_"+purpose, NoJSMax, NoJSWindow)
	s.fallback[purpose] = l
	return l
}

// Require guards a form route: a solved challenge of the purpose passes
// (and is spent); a post without one passes only under the stricter per-IP
// limit, answering "try again in N s" beyond it; a wrong, expired or
// reused challenge is refused.
func (s *Service) Require(purpose string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx := c.Request().Context()
			// A malformed body is refused here: once parsed with an error,
			// the handler could no longer tell.
			if err := c.Request().ParseForm(); err != nil {
				return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
			}
			if err := s.RecordPost(ctx, purpose, c.RealIP()); err != nil {
				return err
			}
			ch, nonce := c.FormValue(FieldChallenge), c.FormValue(FieldNonce)
			if ch != "" && nonce != "" {
				if err := s.Verify(ctx, purpose, ch, nonce); err != nil {
					return err
				}
				return next(c)
			}
			lim := s.Fallback(purpose)
			ip := c.RealIP()
			if err := lim.Check(ctx, ip); err != nil {
				return err
			}
			if err := lim.Record(ctx, ip); err != nil {
				return err
			}
			return next(c)
		}
	}
}
