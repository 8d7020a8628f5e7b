// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/internal/examplemodule/notes"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/budgets"
)

// withNotes adds the example module the route table insists on walking.
func withNotes() app.Options {
	o := options(budgets.New())
	o.Modules = append(o.Modules, notes.New())
	return o
}

// TestRouteRoleTable walks every route of the module as every role.
func TestRouteRoleTable(t *testing.T) { instancetest.RouteRoleTable(t, withNotes()) }

// TestOpenAPIMatchesRoutes checks the API description against the routes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	instancetest.OpenAPIMatchesRoutes(t, withNotes())
}
