// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/proposals"
	"github.com/polder-civic/polder/modules/proposals/command"
)

func (e *env) list(query string) proposals.ListResult {
	e.t.Helper()
	r := e.in.Client().JSON("GET", "/api/v1"+e.base+"/proposals?"+query, "", "")
	if r.Status != 200 {
		e.t.Fatalf("list %s: %d %s", query, r.Status, r.Body)
	}
	var res proposals.ListResult
	if err := json.Unmarshal([]byte(r.Body), &res); err != nil {
		e.t.Fatal(err)
	}
	return res
}

func ids(res proposals.ListResult) []int64 {
	var out []int64
	for _, it := range res.Items {
		out = append(out, it.ID)
	}
	return out
}

func TestBrowse(t *testing.T) {
	e := newEnv(t)
	e.set(map[string]any{"quota_theme_session": 0, "group_quota_theme_session": 0}, nil)
	u := e.user("citizen", false)
	g := e.user("association", false)
	if err := e.in.App.DB.Exec("UPDATE accounts SET kind = 'group' WHERE id = ?", g.Acc.ID).Error; err != nil {
		t.Fatal(err)
	}
	var all []int64
	for i := range 10 {
		all = append(all, e.filed(u, "mobility", fmt.Sprintf("Mobility idea %d", i), "Trams and bicycles for the city."))
	}
	for i := range 5 {
		all = append(all, e.filed(g, "housing", fmt.Sprintf("Housing idea %d", i), "Cooperative housing near the river."))
	}
	// Two proposals moved to the first session, as if filed then.
	first := e.session("first").ID
	if err := e.in.App.DB.Exec("UPDATE proposals SET session_id = ? WHERE id IN ?", first, all[:2]).Error; err != nil {
		t.Fatal(err)
	}
	u.Post(e.base+"/proposals/"+strconv.FormatInt(all[2], 10)+"/withdraw", nil).Must(t, 303)

	cases := []struct {
		name  string
		query string
		want  int
	}{
		{"All", "", 15},
		{"Theme", "theme=" + strconv.FormatInt(e.theme("housing").ID, 10), 5},
		{"Session", "session=" + strconv.FormatInt(first, 10), 2},
		{"Withdrawn", "state=withdrawn", 1},
		{"Published", "state=published", 14},
		{"Groups", "author=group", 5},
		{"People", "author=person", 10},
		{"Search", "q=cooperative", 5},
		{"SearchTwoWords", "q=trams+bicycles", 10},
		{"SearchNothing", "q=submarine", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if res := e.list(c.query); res.Total != int64(c.want) || len(res.Items) != min(c.want, 20) {
				t.Fatalf("%s: total %d, %d items; want %d", c.query, res.Total, len(res.Items), c.want)
			}
		})
	}
	t.Run("RecentFirst", func(t *testing.T) {
		if got := e.list("per_page=1").Items[0].ID; got != all[len(all)-1] {
			t.Fatalf("most recent is %d, want %d", got, all[len(all)-1])
		}
	})
	t.Run("Pagination", func(t *testing.T) {
		p1, p2 := e.list("per_page=10&page=1"), e.list("per_page=10&page=2")
		if p1.Pages != 2 || len(p1.Items) != 10 || len(p2.Items) != 5 {
			t.Fatalf("pages %d, %d + %d items", p1.Pages, len(p1.Items), len(p2.Items))
		}
	})
	t.Run("RandomStablePerSeed", func(t *testing.T) {
		a := append(ids(e.list("sort=random&seed=42&per_page=7&page=1")), ids(e.list("sort=random&seed=42&per_page=7&page=2"))...)
		a = append(a, ids(e.list("sort=random&seed=42&per_page=7&page=3"))...)
		again := append(ids(e.list("sort=random&seed=42&per_page=7&page=1")), ids(e.list("sort=random&seed=42&per_page=7&page=2"))...)
		if !slices.Equal(a[:14], again) {
			t.Fatal("same seed, different order")
		}
		sorted := slices.Clone(a)
		slices.Sort(sorted)
		want := slices.Clone(all)
		slices.Sort(want)
		if !slices.Equal(sorted, want) {
			t.Fatalf("pages of one seed do not cover every proposal once: %v", a)
		}
		if slices.Equal(ids(e.list("sort=random&seed=42&per_page=15")), ids(e.list("sort=random&seed=43&per_page=15"))) {
			t.Fatal("different seeds, same order")
		}
		// A visitor's page keeps its seed in the session.
		v := e.in.Client()
		p1 := v.Get(e.base+"?sort=random").Must(t, 200).Body
		if p1 != v.Get(e.base+"?sort=random").Body {
			t.Fatal("a visitor's random order changed between two loads")
		}
	})
	t.Run("Counts", func(t *testing.T) {
		r := e.in.Client().JSON("GET", "/api/v1"+e.base+"/counts", "", "").Must(t, 200)
		var out struct{ Counts []proposals.Count }
		if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range out.Counts {
			got[fmt.Sprintf("%d/%d", c.ThemeID, c.SessionID)] = c.N
		}
		second := e.session("second").ID
		want := map[string]int{
			fmt.Sprintf("%d/%d", e.theme("mobility").ID, first):  2,
			fmt.Sprintf("%d/%d", e.theme("mobility").ID, second): 7, // one withdrawn
			fmt.Sprintf("%d/%d", e.theme("housing").ID, second):  5,
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("counts %v, want %v", got, want)
		}
		e.in.Client().Get(e.base).Must(t, 200).Contains(t, "Proposals per theme and session")
	})
	t.Run("PublicExportsWithoutPersonalData", func(t *testing.T) {
		csv := e.in.Client().Get(e.base+"/export.csv").Must(t, 200)
		js := e.in.Client().Get(e.base+"/export.json").Must(t, 200)
		for _, body := range []string{csv.Body, js.Body} {
			if !strings.Contains(body, "Housing idea 4") || !strings.Contains(body, "Mobility idea 0") {
				t.Fatalf("export lacks proposals:\n%.300s", body)
			}
			for _, personal := range []string{u.Acc.Nickname, g.Acc.Nickname, *u.Acc.Email, "author_id", "author_name"} {
				if strings.Contains(body, personal) {
					t.Fatalf("public export contains %q", personal)
				}
			}
		}
		if n := strings.Count(strings.TrimSpace(csv.Body), "\n"); n != 15 {
			t.Fatalf("CSV has %d data lines, want 15", n)
		}
		var doc struct{ Proposals []proposals.ExportRow }
		if err := json.Unmarshal([]byte(js.Body), &doc); err != nil || len(doc.Proposals) != 15 {
			t.Fatalf("JSON export: %v, %d rows", err, len(doc.Proposals))
		}
		u.Client.Get(e.base+"/admin/export.csv").Must(t, 403)

		// The command verifies the export, and catches an altered row.
		dir := t.TempDir()
		good := filepath.Join(dir, "export.json")
		if err := os.WriteFile(good, []byte(js.Body), 0o600); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		if err := command.Run(t.Context(), []string{"verify", "--file", good}, &out); err != nil {
			t.Fatalf("verify: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "15 checked, 0 mismatched") {
			t.Fatalf("verify output:\n%s", out.String())
		}
		bad := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(bad, []byte(strings.Replace(js.Body, "Housing idea 4", "Housing idea 5", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := command.Run(t.Context(), []string{"verify", "--file", bad}, &out); err == nil || !strings.Contains(out.String(), "MISMATCH") {
			t.Fatalf("altered export verified: %v\n%s", err, out.String())
		}
		// From the database, by id.
		out.Reset()
		if err := command.Run(t.Context(), []string{"verify", "--id", strconv.FormatInt(all[0], 10), "--database", e.dbURL()}, &out); err != nil {
			t.Fatalf("verify from database: %v\n%s", err, out.String())
		}
		if err := e.in.App.DB.Exec("UPDATE proposals SET body = body || '!' WHERE id = ?", all[0]).Error; err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := command.Run(t.Context(), []string{"verify", "--database", e.dbURL(), "--id", strconv.FormatInt(all[0], 10)}, &out); err == nil {
			t.Fatalf("tampered proposal verified:\n%s", out.String())
		}
	})
}
