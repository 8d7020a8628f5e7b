// SPDX-License-Identifier: AGPL-3.0-or-later

// Package web is core's HTTP adapter: the echo server, its middleware
// (organisation and locale resolution, server-side sessions, CSRF, security
// headers, body limits, rate limits), rendering of the theme's and modules'
// templates, the error handler that maps core/perr codes to statuses and
// translated messages, and the routing contract that space types and
// modules use to mount their pages and JSON API routes.
package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/gormstore"
	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/orgs"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
)

// Authorizer answers permission questions; core/authz implements it with
// casbin. domain is "org" for organisation-wide actions or a space domain
// ("process:12").
type Authorizer interface {
	Can(ctx context.Context, acc *accounts.Account, orgID int64, domain, permission string) (bool, error)
	// RolesIn lists the roles an account holds in a domain (for pages).
	RolesIn(ctx context.Context, acc *accounts.Account, orgID int64, domain string) []registry.Role
}

// Auditor records actions in the audit log; core/audit implements it.
type Auditor interface {
	Record(ctx context.Context, e AuditEntry)
}

// AuditEntry is one action: who did what to which resource.
type AuditEntry struct {
	OrganisationID int64
	ActorID        int64
	ActorLabel     string
	Action         string
	ResourceType   string
	ResourceID     string
	SpaceID        int64
	Details        string
}

// Deps are what the web layer needs from the rest of core.
type Deps struct {
	DB         *store.DB
	Bundle     *i18n.Bundle
	Registry   *registry.Registry
	Components *registry.Components
	Orgs       *orgs.Service
	Accounts   *accounts.Service
	Authz      Authorizer
	Audit      Auditor
	// Theme is the theme's FS with templates/ and static/.
	Theme fs.FS
	// Version of the binary, shown in page footers and results.
	Version string
	// SourceURL is where the running version's source code is offered,
	// linked from page footers (none when empty).
	SourceURL string
	// SecureCookies marks the session cookie Secure (behind HTTPS).
	SecureCookies bool
	// MaxBodyBytes bounds request bodies (uploads have their own limits).
	MaxBodyBytes int64
	// TrustedProxies are the CIDR ranges of reverse proxies whose
	// X-Forwarded-For is believed; without any, the peer address is the
	// client's (so rate limits per IP cannot be dodged with a header).
	TrustedProxies []string
}

// Server is the HTTP server.
type Server struct {
	Deps
	// compMux dispatches component routes by module (see Router).
	compMux  componentMux
	Echo     *echo.Echo
	Sessions *scs.SessionManager
	Renderer *Renderer
	// Routes lists every route with what it requires, for the route ×
	// role test and the OpenAPI document.
	Routes  *RouteTable
	spaces  map[string]registry.SpaceResolver
	ready   func(context.Context) error
	started time.Time
	guards  permissionGuards
	// retention holds the per-space retention periods (admin_retention.go).
	retention RetentionSettings
	// negotiated caches locale negotiation (see negotiate).
	negotiated negotiations
}

// New builds the server with core's middleware. Mount space types and
// modules with Mount, then call Handler or ListenAndServe.
func New(d Deps) (*Server, error) {
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 2 << 20
	}
	sessStore, err := gormstore.NewWithCleanupInterval(d.DB.DB, 10*time.Minute)
	if err != nil {
		return nil, err
	}
	sm := scs.New()
	sm.Store = newSessionStore(d.DB, sessStore)
	sm.Codec = newSessionCodec()
	// An absolute lifetime only: with an idle timeout scs rewrites the
	// session row on every request to push its expiry, one database write
	// per page view and per vote. Sessions are rotated at login and ended
	// at logout or password reset.
	sm.Lifetime = 7 * 24 * time.Hour
	sm.Cookie.Name = "polder_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = d.SecureCookies

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	s := &Server{Deps: d, Echo: e, Sessions: sm, Routes: &RouteTable{}, spaces: map[string]registry.SpaceResolver{}, started: time.Now()}
	s.Renderer, err = NewRenderer(d.Bundle, d.Theme)
	if err != nil {
		return nil, err
	}
	e.IPExtractor = echo.ExtractIPDirect()
	if len(d.TrustedProxies) > 0 {
		var opts []echo.TrustOption
		for _, cidr := range d.TrustedProxies {
			_, ipnet, err := net.ParseCIDR(strings.TrimSpace(cidr))
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", cidr, err)
			}
			opts = append(opts, echo.TrustIPRange(ipnet))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RequestID())
	e.Use(s.recoverer)
	e.Use(s.logRequests)
	e.Use(securityHeaders)
	e.Use(middleware.BodyLimit(byteSize(d.MaxBodyBytes)))
	e.Use(echo.WrapMiddleware(sm.LoadAndSave))
	e.Use(s.resolveOrg)
	e.Use(s.loadAccount)
	e.Use(s.resolveLocale)
	e.Use(s.csrf)
	e.Use(formUTF8)

	static, err := fs.Sub(d.Theme, "static")
	if err != nil {
		return nil, err
	}
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticHandler(static))))
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	s.mountCore()
	return s, nil
}

// SetReadiness installs the check behind /readyz (database, migrations).
func (s *Server) SetReadiness(f func(context.Context) error) { s.ready = f }

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	check := s.ready
	if check == nil {
		check = s.DB.Ping
	}
	if err := check(ctx); err != nil {
		slog.Warn("not ready", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// AddSpaceType registers a space type's resolver.
func (s *Server) AddSpaceType(r registry.SpaceResolver) { s.spaces[r.SpaceType()] = r }

// SpaceResolver returns the resolver of a space type.
func (s *Server) SpaceResolver(spaceType string) (registry.SpaceResolver, bool) {
	r, ok := s.spaces[spaceType]
	return r, ok
}

// ComponentURL is the path of a component's pages ("/processes/climate/c/3"),
// for modules that link to their items from outside a request (the
// contributions they give the synthesis); "" when its space is gone.
func (s *Server) ComponentURL(ctx context.Context, comp *registry.Component) string {
	res, ok := s.SpaceResolver(comp.SpaceType)
	if !ok {
		return ""
	}
	sp, err := res.ByID(ctx, comp.SpaceID)
	if err != nil {
		return ""
	}
	return SpacePrefixes[sp.Type] + "/" + sp.Slug + "/c/" + strconv.FormatInt(comp.ID, 10)
}

// Handler returns the server as an http.Handler, with the standard
// library's cross-origin protection (Sec-Fetch-Site / Origin) in front as
// a second line of CSRF defence.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	return cop.Handler(s.Echo)
}

// ListenAndServe serves on addr until ctx ends, then shuts down gracefully,
// letting requests in flight finish (up to 15 s).
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(shutCtx)
}
