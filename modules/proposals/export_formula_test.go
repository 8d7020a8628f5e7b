// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestExportKeepsFormulasText files a proposal whose title and body a
// spreadsheet would run as formulas: the public and the admin CSV exports
// write them as text (a leading apostrophe, csvsafe), and the JSON export
// as written.
func TestExportKeepsFormulasText(t *testing.T) {
	e := newEnv(t)
	u := e.user("citizen", false)
	title := `=HYPERLINK("https://example.org","Read more")`
	body := "+33 6 12 34 56 78, call us about the new bus lines"
	e.filed(u, "mobility", title, body)
	admin := e.user("admin", true)
	for _, r := range []string{e.in.Client().Get(e.base+"/export.csv").Must(t, 200).Body, admin.Client.Get(e.base+"/admin/export.csv").Must(t, 200).Body} {
		rows, err := csv.NewReader(strings.NewReader(r)).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("export: %d rows, %v", len(rows), err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		if got := rows[1][col["title"]]; got != "'"+title {
			t.Errorf("title cell %q, want %q", got, "'"+title)
		}
		if got := rows[1][col["body"]]; got != "'"+body {
			t.Errorf("body cell %q, want %q", got, "'"+body)
		}
	}
	e.in.Client().Get(e.base+"/export.json").Must(t, 200).Contains(t, `"title":"=HYPERLINK(\"https://example.org\",\"Read more\")"`)
}
