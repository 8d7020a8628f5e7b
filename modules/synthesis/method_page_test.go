// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"strings"
	"testing"
)

func TestSection(t *testing.T) {
	doc := "# T\n\n## Method\n\n### Pipeline (steps)\n\n1. one\n\n#### Detail\n\nx\n\n### Measured\n\ny\n\n### Limits\n\n- z\n\n## Component\n\nw\n"
	if got := section(doc, "### Pipeline"); got != "### Pipeline (steps)\n\n1. one\n\n#### Detail\n\nx\n\n" {
		t.Errorf("pipeline: %q", got)
	}
	if got := section(doc, "### Limits"); got != "### Limits\n\n- z\n\n" {
		t.Errorf("limits: %q", got)
	}
	if got := section(doc, "### Missing"); got != "" {
		t.Errorf("missing: %q", got)
	}
}

// The page shows the README's pipeline and limits, rendered, and
// nothing of the sections around them.
func TestMethodHTML(t *testing.T) {
	h := string(methodHTML())
	for _, want := range []string{"<h3>Pipeline", "<strong>Near-duplicates</strong>", "MinHash", "<h3>Limits</h3>", "<table>"} {
		if !strings.Contains(h, want) {
			t.Errorf("method page lacks %q", want)
		}
	}
	for _, not := range []string{"Measured quality", "Component (package", "<!--"} {
		if strings.Contains(h, not) {
			t.Errorf("method page shows %q", not)
		}
	}
}
