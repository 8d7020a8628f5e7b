// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/internal/instancetest"
)

// TestRouteRoleTable walks every route of this binary (core, space types,
// every module it runs) for every role and checks allowed, forbidden or
// redirect-to-login against what each route declares it needs.
func TestRouteRoleTable(t *testing.T) {
	instancetest.RouteRoleTable(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
}

// TestOpenAPIMatchesRoutes fails when an API route of this binary is
// undocumented or a documented route does not exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	instancetest.OpenAPIMatchesRoutes(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
}
