// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/budgets"
	budgetscmd "github.com/polder-civic/polder/modules/budgets/command"
	"github.com/polder-civic/polder/modules/opinionmap"
	opinionmapcmd "github.com/polder-civic/polder/modules/opinionmap/command"
	"github.com/polder-civic/polder/modules/proposals"
	proposalscmd "github.com/polder-civic/polder/modules/proposals/command"
	"github.com/polder-civic/polder/modules/sortition"
	sortitioncmd "github.com/polder-civic/polder/modules/sortition/command"
	"github.com/polder-civic/polder/modules/synthesis"
	synthesiscmd "github.com/polder-civic/polder/modules/synthesis/command"
	"github.com/polder-civic/polder/spaces/process"
)

// spaceTypes lists the space types this binary serves.
func spaceTypes() []app.SpaceType {
	return []app.SpaceType{process.New()}
}

// modules lists the modules this binary runs. An integrator adds a module
// with one import and one line here.
func modules() []registry.Module {
	return []registry.Module{proposals.New(), opinionmap.New(), budgets.New(), synthesis.New(), sortition.New()}
}

// moduleCommand is a module's command-line entry point.
type moduleCommand struct {
	summary string
	run     func(ctx context.Context, args []string, out io.Writer) error
}

// moduleCommands maps "polder <name> …" to a module's commands.
var moduleCommands = map[string]moduleCommand{
	"proposals":  {summary: "verify proposals against their fingerprints", run: proposalscmd.Run},
	"budgets":    {summary: "participatory budgeting outcomes from pabulib .pb files", run: budgetscmd.Run},
	"opinionmap": {summary: "opinion groups of a Pol.is export folder", run: opinionmapcmd.Run},
	"sortition":  {summary: "fair panel selection and verifiable draws from CSV pools", run: sortitioncmd.Run},
	"synthesis":  {summary: "build a synthesis from a file of contributions", run: synthesiscmd.Run},
}

func moduleUsage() string {
	names := make([]string, 0, len(moduleCommands))
	for n := range moduleCommands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %-26s %s\n", n+" …", moduleCommands[n].summary)
	}
	return b.String()
}
