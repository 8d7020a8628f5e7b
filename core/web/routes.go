// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"context"

	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
)

// NeedKind is what a route requires of the requester.
type NeedKind int

// Route requirements.
const (
	// Public routes are open to visitors.
	Public NeedKind = iota
	// LoggedIn routes need an account.
	LoggedIn
	// Permitted routes need a permission in the route's domain: the space
	// of a space or component route, else the organisation.
	Permitted
)

// Need is a route's requirement.
type Need struct {
	Kind       NeedKind
	Permission string
}

// NeedPublic, NeedLogin and NeedPermission build requirements.
var (
	NeedPublic = Need{Kind: Public}
	NeedLogin  = Need{Kind: LoggedIn}
)

// NeedPermission requires a permission such as "proposals.create" or
// "space.admin".
func NeedPermission(p string) Need { return Need{Kind: Permitted, Permission: p} }

// Operation documents an API route in the OpenAPI document.
type Operation struct {
	Summary string
	// Body lists the request's JSON fields: name → JSON Schema type.
	Body map[string]string
	// Required body fields.
	Required []string
	// Response describes the success response.
	Response string
}

// Route is one registered route.
type Route struct {
	Method string
	Path   string
	Need   Need
	API    bool
	Op     Operation
	// Scope is "org", a space type ("process"), or "component:<module>".
	Scope string
}

// RouteTable lists routes as they are registered.
type RouteTable struct {
	mu     sync.Mutex
	routes []Route
}

// All returns every route.
func (t *RouteTable) All() []Route {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Route(nil), t.routes...)
}

func (t *RouteTable) add(r Route) {
	t.mu.Lock()
	t.routes = append(t.routes, r)
	t.mu.Unlock()
}

// Router mounts pages and API routes under a prefix, recording what each
// requires. Space and component routers resolve the space (and component)
// before any handler runs.
type Router struct {
	s      *Server
	web    *echo.Group
	api    *echo.Group
	prefix string
	scope  string
	// module is set on component routers: several modules register the
	// same paths ("" for their index, "/admin"…) under the same pattern,
	// so those routes are dispatched by the component's module.
	module string
}

// componentMux holds, per method and path pattern, the handler of every
// module that registered it.
type componentMux struct {
	mu     sync.RWMutex
	routes map[string]map[string]echo.HandlerFunc
}

// add registers a module's handler for a component route, adding the
// dispatching echo route the first time the pattern is seen.
func (r *Router) addComponent(g *echo.Group, method, path string, h echo.HandlerFunc) {
	s := r.s
	mux := &s.compMux
	key := method + " " + r.prefix + path
	if g == r.api {
		key = "api " + key
	}
	mux.mu.Lock()
	defer mux.mu.Unlock()
	if mux.routes == nil {
		mux.routes = map[string]map[string]echo.HandlerFunc{}
	}
	byModule := mux.routes[key]
	if byModule == nil {
		byModule = map[string]echo.HandlerFunc{}
		mux.routes[key] = byModule
		dispatch := func(c echo.Context) error {
			id, err := strconv.ParseInt(c.Param("component"), 10, 64)
			if err != nil {
				return perr.NotFound("component")
			}
			comp, err := s.Components.Get(c.Request().Context(), id)
			if err != nil {
				return err
			}
			// withComponent checks it and reuses it rather than loading it again.
			c.Set(keyLoadedComponent, comp)
			mux.mu.RLock()
			next := byModule[comp.ModuleID]
			mux.mu.RUnlock()
			if next == nil {
				return perr.NotFound("component")
			}
			return next(c)
		}
		if g == r.api {
			dispatch = markAPI(dispatch)
		}
		g.Add(method, path, dispatch)
	}
	byModule[r.module] = h
}

// Server returns the server, for rendering and sessions.
func (r *Router) Server() *Server { return r.s }

// Root returns a router at the site's root (organisation scope).
func (s *Server) Root() *Router {
	return &Router{s: s, web: s.Echo.Group(""), api: s.Echo.Group("/api/v1"), scope: "org"}
}

// SpaceRouter returns a router for pages of one space: prefix + "/:space".
func (s *Server) SpaceRouter(spaceType, prefix string) *Router {
	p := prefix + "/:space"
	return &Router{s: s, web: s.Echo.Group(p, s.withSpace(spaceType)), api: s.Echo.Group("/api/v1"+p, s.withSpace(spaceType)), prefix: p, scope: spaceType}
}

// ComponentRouter returns a router for one module's components in spaces
// of a type: prefix + "/:space/c/:component".
func (s *Server) ComponentRouter(spaceType, prefix, moduleID string) *Router {
	p := prefix + "/:space/c/:component"
	mw := []echo.MiddlewareFunc{s.withSpace(spaceType)}
	return &Router{s: s, web: s.Echo.Group(p, mw...), api: s.Echo.Group("/api/v1"+p, mw...), prefix: p, scope: "component:" + moduleID, module: moduleID}
}

// Page registers an HTML route.
func (r *Router) Page(method, path string, need Need, h echo.HandlerFunc) {
	r.s.Routes.add(Route{Method: method, Path: r.prefix + path, Need: need, Scope: r.scope})
	if r.module != "" {
		r.addComponent(r.web, method, path, r.s.withComponent(r.module)(r.s.require(need)(h)))
		return
	}
	r.web.Add(method, path, h, r.s.require(need))
}

// API registers a JSON API route, documented in the OpenAPI document.
func (r *Router) API(method, path string, need Need, op Operation, h echo.HandlerFunc) {
	r.s.Routes.add(Route{Method: method, Path: "/api/v1" + r.prefix + path, Need: need, API: true, Op: op, Scope: r.scope})
	if r.module != "" {
		r.addComponent(r.api, method, path, r.s.withComponent(r.module)(markAPI(r.s.require(need)(h))))
		return
	}
	r.api.Add(method, path, h, markAPI, r.s.require(need))
}

func markAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(keyAPI, true)
		return next(c)
	}
}

const (
	keySpace     = "polder.space"
	keyComponent = "polder.component"
	// keyLoadedComponent is the component the route dispatcher loaded,
	// not yet checked against the space and module.
	keyLoadedComponent = "polder.component.loaded"
)

// Space returns the space a space or component route resolved.
func Space(c echo.Context) *registry.Space {
	s, _ := c.Get(keySpace).(*registry.Space)
	return s
}

// Component returns the component a component route resolved.
func Component(c echo.Context) *registry.Component {
	comp, _ := c.Get(keyComponent).(*registry.Component)
	return comp
}

// Domain returns the permission domain of the request: its space's, or
// "org".
func Domain(c echo.Context) string {
	if sp := Space(c); sp != nil {
		return sp.Domain()
	}
	return "org"
}

func (s *Server) withSpace(spaceType string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res, ok := s.spaces[spaceType]
			if !ok {
				return perr.NotFound("space")
			}
			sp, err := res.BySlug(c.Request().Context(), Org(c).ID, c.Param("space"))
			if err != nil {
				return err
			}
			c.Set(keySpace, sp)
			// Draft spaces exist only for those who administer them.
			if sp.Status == registry.StatusDraft {
				ok, err := s.Can(c, "space.admin")
				if err != nil {
					return err
				}
				if !ok {
					return perr.NotFound("space")
				}
			}
			return next(c)
		}
	}
}

func (s *Server) withComponent(moduleID string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id, err := strconv.ParseInt(c.Param("component"), 10, 64)
			if err != nil {
				return perr.NotFound("component")
			}
			comp, _ := c.Get(keyLoadedComponent).(*registry.Component)
			if comp == nil || comp.ID != id {
				if comp, err = s.Components.Get(c.Request().Context(), id); err != nil {
					return err
				}
			}
			sp := Space(c)
			if comp.ModuleID != moduleID || sp == nil || comp.SpaceID != sp.ID || comp.SpaceType != sp.Type {
				return perr.NotFound("component")
			}
			if !comp.Published {
				ok, err := s.Can(c, "space.admin")
				if err != nil {
					return err
				}
				if !ok {
					return perr.NotFound("component")
				}
			}
			c.Set(keyComponent, comp)
			return next(c)
		}
	}
}

// Can reports whether the requester holds a permission in the request's
// domain. The answer is cached for the request.
func (s *Server) Can(c echo.Context, permission string) (bool, error) {
	key := "polder.can." + Domain(c) + "." + permission
	if v, ok := c.Get(key).(bool); ok {
		return v, nil
	}
	ok, err := s.CanIn(c.Request().Context(), c, Domain(c), permission)
	if err != nil {
		return false, err
	}
	c.Set(key, ok)
	return ok, nil
}

// CanIn asks the authorizer about a domain.
func (s *Server) CanIn(ctx context.Context, c echo.Context, domain, permission string) (bool, error) {
	if s.Authz == nil {
		return false, nil
	}
	ok, err := s.Authz.Can(ctx, Account(c), Org(c).ID, domain, permission)
	if ok && err == nil {
		return s.guards.allow(ctx, c, domain, permission)
	}
	return ok, err
}

func (s *Server) require(need Need) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch need.Kind {
			case LoggedIn:
				if Account(c) == nil {
					return perr.Unauthorised()
				}
			case Permitted:
				ok, err := s.Can(c, need.Permission)
				if err != nil {
					return err
				}
				if !ok {
					if Account(c) == nil {
						return perr.Unauthorised()
					}
					return s.refusal(c, need.Permission)
				}
				if err := s.requireRecentAuth(c, need); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// RouteProvider is implemented by modules (and space types) that serve
// pages or API routes. Modules get a component router.
type RouteProvider interface {
	Routes(r *Router)
}

// MountModules mounts every registered module that serves routes under
// components of a space type, and adds its templates.
func (s *Server) MountModules(spaceType, prefix string) error {
	s.mountSpaceAdmin(spaceType, prefix)
	for _, m := range s.Registry.Modules() {
		man := m.Manifest()
		if man.Templates != nil {
			if err := s.Renderer.AddPages(man.ID, man.Templates); err != nil {
				return err
			}
		}
		if rp, ok := m.(RouteProvider); ok {
			rp.Routes(s.ComponentRouter(spaceType, prefix, man.ID))
		}
	}
	return nil
}

// FormMap returns the posted form values as a flat map (first value).
func FormMap(c echo.Context) (map[string]string, error) {
	if err := c.Request().ParseForm(); err != nil {
		return nil, perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	out := map[string]string{}
	for k, v := range c.Request().PostForm {
		if len(v) > 0 && k != "_csrf" {
			out[k] = v[0]
		}
	}
	return out, nil
}

// RequireForm refuses bodies that are not forms (wrong content type).
func RequireForm(c echo.Context) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(ct, echo.MIMEApplicationForm) && !strings.HasPrefix(ct, echo.MIMEMultipartForm) {
		return perr.New(perr.CodeBadRequest, "error.content_type", nil)
	}
	return nil
}
