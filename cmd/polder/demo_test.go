// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/polder-civic/polder/config"
)

// TestDemoSeedIsReusable seeds the demo twice on one database: the second
// run finds the organisation, admin and climate process of the first.
func TestDemoSeedIsReusable(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	counts := func() []int64 {
		a, err := openApp(ctx, cfg, false)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		var out bytes.Buffer
		if err := seedDemo(ctx, a, cfg, &out); err != nil {
			t.Fatalf("seeding: %v", err)
		}
		if !strings.Contains(out.String(), demoAdmin) || !strings.Contains(out.String(), "/processes/climate-convention") {
			t.Fatalf("the demo should print its login and process: %q", out.String())
		}
		var n []int64
		for _, tb := range []string{"organisations", "accounts", "processes", "process_themes", "process_sessions", "components"} {
			var c int64
			a.DB.Table(tb).Count(&c)
			n = append(n, c)
		}
		return n
	}
	first := counts()
	if first[2] != 1 || first[3] != 6 || first[4] != 3 {
		t.Fatalf("first run: organisations, accounts, processes, themes, sessions, components = %v", first)
	}
	if second := counts(); !slices.Equal(first, second) {
		t.Fatalf("second run changed the row counts: %v → %v", first, second)
	}
}
