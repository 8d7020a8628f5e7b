// SPDX-License-Identifier: AGPL-3.0-or-later

package rules_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/testkit"
	"github.com/polder-civic/polder/modules/budgets/pabulib"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

func load(t testing.TB, name string) (*pabulib.Instance, *rules.Election) {
	t.Helper()
	in, err := pabulib.ParseFile(testkit.SharedData(t, "pabulib", name))
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := in.Election()
	if err != nil {
		t.Fatal(err)
	}
	return in, e
}

// optionsForMetaRule maps a pabulib META rule to our options.
func optionsForMetaRule(rule string) (rules.Options, bool) {
	switch rule {
	case "greedy":
		return rules.Options{Rule: rules.RuleGreedy}, true
	case "equalshares/add1":
		return rules.Options{Rule: rules.RuleMES, Completion: rules.CompletionAdd1}, true
	case "equalshares/add1-comparison":
		return rules.Options{Rule: rules.RuleMES, Completion: rules.CompletionAdd1, Comparison: true}, true
	}
	return rules.Options{}, false
}

// TestReproducesSelected runs, on every shared instance with a selected
// column, the rule named in its META and compares with what the city funded.
func TestReproducesSelected(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testkit.SharedData(t, "pabulib"), "*.pb"))
	checked := 0
	for _, f := range files {
		name := filepath.Base(f)
		in, e := load(t, name)
		if _, ok := in.ProjectColumn(0, "selected"); !ok {
			continue
		}
		opt, ok := optionsForMetaRule(in.Rule())
		if !ok {
			t.Errorf("%s: META rule %q not supported", name, in.Rule())
			continue
		}
		checked++
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			out, err := rules.Compute(e, opt)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			var want []string
			for p := range in.Projects {
				if s, _ := in.ProjectColumn(p, "selected"); strings.TrimSpace(s) == "1" {
					want = append(want, in.Projects[p].ID)
				}
			}
			got := slices.Clone(out.Funded)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("funded %v, city funded %v", got, want)
			}
			share := "-"
			if out.FinalShare != nil {
				share = out.StartShare.RatString() + " → " + out.FinalShare.RatString()
			}
			t.Logf("%s (%s): funded %d %v, total %d, share per voter %s, %d MES runs, %v", name, in.Rule(), len(out.Funded), out.Funded, out.TotalCost, share, out.Runs, took)
		})
	}
	if checked < 4 {
		t.Fatalf("only %d instances with a selected column checked", checked)
	}
}
