// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"context"
	"sort"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
)

// PermissionGuard may withdraw a permission the authorizer granted: it
// answers whether acc may still use permission in domain. core/blindtoken
// uses one to keep pseudonymous participants inside the space whose token
// they redeemed.
type PermissionGuard func(ctx context.Context, c echo.Context, acc *accounts.Account, domain, permission string) (bool, error)

// permissionGuards are the server's guards, by name (registering a name
// again replaces it, so mounting a service on several space types is
// harmless).
type permissionGuards struct {
	mu    sync.RWMutex
	byKey map[string]PermissionGuard
	order []string
}

// SetPermissionGuard installs (or replaces) a named guard. Every
// permission check (Can, CanIn, route needs) consults it.
func (s *Server) SetPermissionGuard(name string, g PermissionGuard) {
	s.guards.mu.Lock()
	defer s.guards.mu.Unlock()
	if s.guards.byKey == nil {
		s.guards.byKey = map[string]PermissionGuard{}
	}
	if _, ok := s.guards.byKey[name]; !ok {
		s.guards.order = append(s.guards.order, name)
		sort.Strings(s.guards.order)
	}
	s.guards.byKey[name] = g
}

// allow asks every guard about a permission the authorizer granted.
func (g *permissionGuards) allow(ctx context.Context, c echo.Context, domain, permission string) (bool, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if len(g.order) == 0 {
		return true, nil
	}
	acc := Account(c)
	for _, name := range g.order {
		ok, err := g.byKey[name](ctx, c, acc, domain, permission)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}
