// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/budgets"
	"github.com/polder-civic/polder/modules/budgets/pabulib"
)

// projectsCSV writes the projects of a real pabulib file as the import's
// CSV (title, cost, description), themes cycling through the fixture's.
func projectsCSV(tb testing.TB, file string) string {
	in, err := pabulib.ParseFile(realdata.SharedData(tb, "pabulib", file))
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"title", "cost", "description", "theme"})
	for i, p := range in.Projects {
		name, _ := in.ProjectColumn(i, "name")
		if name == "" {
			name = "Project " + p.ID
		}
		cat, _ := in.ProjectColumn(i, "category")
		w.Write([]string{name, p.Cost.String(), cat, []string{"mobility", "housing", ""}[i%3]})
	}
	w.Flush()
	return b.String()
}

// FuzzImportCSV feeds the projects CSV import (an admin's upload)
// arbitrary files, seeded with the projects of real pabulib elections.
// An import is all or nothing: it either adds as many projects as it
// reports (from a UTF-8 file), or refuses with a translated invalid-input error (never an
// internal one: a database that refuses a value would be a 500) and adds
// none.
func FuzzImportCSV(f *testing.F) {
	e := newEnv(f)
	admin := e.user("admin", true)
	var b budgets.Budget
	r := e.json(admin, "POST", "/budgets", `{"title":"Imported","total":500000000}`).Must(f, 201)
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		f.Fatal(err)
	}
	sp := e.space()
	for _, file := range []string{"Netherlands_Assen_2024.pb", "Poland_Gdansk_2020_Rudniki.pb", "Switzerland_Zurich_D10.pb"} {
		f.Add(projectsCSV(f, file))
	}
	f.Add("\ufefftitle;cost\nA;1\n")
	// Longer than its column: PostgreSQL refuses it.
	f.Add("title,cost,image_url\nA,1,https://example.org/" + strings.Repeat("a", 1000) + "\n")
	f.Add("title,cost,location,image_url\nCaf\xe9 terrace,1200,Grand-Place,http://example.org/a.jpg\n")
	f.Fuzz(func(t *testing.T, data string) {
		ctx := context.Background()
		count := func() int {
			var n int64
			if err := e.in.App.DB.Raw("SELECT COUNT(*) FROM budget_projects").Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		before := count()
		n, err := e.svc().ImportCSV(ctx, sp, &b, admin.Acc.ID, strings.NewReader(data))
		after := count()
		if err != nil {
			if pe, ok := perr.As(err); !ok || pe.Code != perr.CodeInvalid {
				t.Fatalf("refused with %v, want an invalid-input error", err)
			}
			if after != before {
				t.Fatalf("a refused file added %d projects", after-before)
			}
			return
		}
		// Stored text must be UTF-8 on either dialect (PostgreSQL refuses
		// anything else; SQLite would keep bytes no page can show).
		var texts []string
		if err := e.in.App.DB.Raw("SELECT title || description || location || image_url FROM budget_projects ORDER BY id DESC LIMIT ?", n).Scan(&texts).Error; err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			if !utf8.ValidString(s) {
				t.Fatalf("imported text that is not UTF-8: %q", s)
			}
		}
		if n <= 0 || after-before != n {
			t.Fatalf("reported %d projects, added %d", n, after-before)
		}
	})
}
