// SPDX-License-Identifier: AGPL-3.0-or-later

package instancetest_test

import (
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/examplemodule/notes"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/proposals"
	"github.com/polder-civic/polder/spaces/process"
)

// options is the instance under test: the space types and modules of the
// polder binary, plus the example module. Add a module here when it joins
// cmd/polder (or call instancetest.RouteRoleTable from cmd/polder's tests
// with its own lists); its routes then join the table by themselves.
func options() app.Options {
	return app.Options{
		SpaceTypes: []app.SpaceType{process.New()},
		Modules:    []registry.Module{notes.New(), proposals.New()},
	}
}

func TestRouteRoleTable(t *testing.T) { instancetest.RouteRoleTable(t, options()) }

func TestOpenAPIMatchesRoutes(t *testing.T) { instancetest.OpenAPIMatchesRoutes(t, options()) }
