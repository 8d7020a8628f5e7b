// SPDX-License-Identifier: AGPL-3.0-or-later

package pooldata_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/sortition/leximin"
	"github.com/polder-civic/polder/modules/sortition/pooldata"
)

func TestReplicationFormat(t *testing.T) {
	dir := realdata.SharedData(t, "sortition", "citizensassemblies-replication", "example_small_20")
	p, err := pooldata.Load(filepath.Join(dir, "categories.csv"), filepath.Join(dir, "respondents.csv"), pooldata.RespondentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Volunteers) != 200 || len(p.Categories) != 2 {
		t.Fatalf("%d volunteers, %d categories; want 200, 2", len(p.Volunteers), len(p.Categories))
	}
	// no id column: ids are 1-based row numbers
	if p.Volunteers[0].ID != "1" || p.Volunteers[199].ID != "200" {
		t.Fatalf("ids %q..%q, want 1..200", p.Volunteers[0].ID, p.Volunteers[199].ID)
	}
	// the README's census of the pool: 99 f/lib, 100 m/cons, 1 f/cons
	profile := map[string]int{}
	for _, v := range p.Volunteers {
		profile[p.Categories[0].Values[v.Features[0]].Value+"/"+p.Categories[1].Values[v.Features[1]].Value]++
	}
	if profile["female/liberal"] != 99 || profile["male/conservative"] != 100 || profile["female/conservative"] != 1 {
		t.Fatalf("profile %v", profile)
	}
	q := p.Categories[0].Values[0]
	if q.Min != 9 || q.Max != 20 {
		t.Fatalf("quota %+v, want 9..20", q)
	}
}

func TestSortitionFoundationFormat(t *testing.T) {
	dir := realdata.SharedData(t, "sortition", "sortition-algorithms-fixtures")
	p, err := pooldata.Load(filepath.Join(dir, "features.csv"), filepath.Join(dir, "candidates.csv"),
		pooldata.RespondentOptions{HouseholdColumns: []string{"primary_address1", "primary_zip"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Volunteers) != 150 || len(p.Categories) != 4 {
		t.Fatalf("%d volunteers, %d categories; want 150, 4", len(p.Volunteers), len(p.Categories))
	}
	if p.Volunteers[0].ID != "p0" || p.Volunteers[0].Household == "" {
		t.Fatalf("first volunteer %+v, want id p0 with a household", p.Volunteers[0])
	}
	// quota sums admit panels of 22..24 only
	for _, k := range []int{21, 25} {
		if err := leximin.Check(p, k, false); err == nil {
			t.Errorf("panel size %d passes the quota check, want a conflict", k)
		}
	}
	if err := leximin.Check(p, 22, false); err != nil {
		t.Errorf("panel size 22: %v", err)
	}
}

func TestErrorsNameRowAndColumn(t *testing.T) {
	cats := "category,feature,min,max\ngender,female,1,2\ngender,male,1,2\n"
	cases := []struct {
		name, cats, resp string
		opt              pooldata.RespondentOptions
		wants            []string
	}{
		{"unknown value", cats, "gender\nfemale\nmale\nfemal\n", pooldata.RespondentOptions{}, []string{"r.csv line 4", `column "gender"`, `unknown value "femal"`, "female, male"}},
		{"missing column", cats, "sex\nfemale\n", pooldata.RespondentOptions{}, []string{"r.csv line 1", `missing column(s) "gender"`}},
		{"duplicate id", cats, "id,gender\na,female\nb,male\na,male\n", pooldata.RespondentOptions{}, []string{"r.csv line 4", `column "id"`, `duplicate id "a"`, "first on line 2"}},
		{"missing id column", cats, "gender\nfemale\n", pooldata.RespondentOptions{IDColumn: "nationbuilder_id"}, []string{`"nationbuilder_id" (id)`}},
		{"short row", cats, "id,gender\na\n", pooldata.RespondentOptions{}, []string{"r.csv line 2", `column "gender"`, "missing"}},
		{"bad min", "category,feature,min,max\ngender,female,x,2\n", "gender\nfemale\n", pooldata.RespondentOptions{}, []string{"c.csv line 2", "column min", `"x" is not an integer`}},
		{"categories header", "category,value,lo,hi\n", "gender\n", pooldata.RespondentOptions{}, []string{"c.csv line 1", "min, max"}},
		{"min above max", "feature,value,min,max\ngender,female,3,2\n", "gender\n", pooldata.RespondentOptions{}, []string{"c.csv line 2", "min 3 and max 2"}},
		{"duplicate value", "feature,value,min,max\ngender,female,1,2\ngender,female,1,2\n", "gender\n", pooldata.RespondentOptions{}, []string{"c.csv line 3", "listed twice"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs, err := pooldata.ReadCategories(strings.NewReader(c.cats), "c.csv")
			if err == nil {
				_, err = pooldata.ReadRespondents(strings.NewReader(c.resp), "r.csv", cs, c.opt)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, pooldata.ErrFormat) {
				t.Errorf("error %v is not ErrFormat", err)
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestHouseholdKeyNormalised(t *testing.T) {
	cs, err := pooldata.ReadCategories(strings.NewReader("feature,value,min,max\ng,a,0,2\n"), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	p, err := pooldata.ReadRespondents(strings.NewReader("id,g,addr\n1,a,1  Main St\n2,a,1 main st\n3,a,\n"), "r.csv", cs,
		pooldata.RespondentOptions{HouseholdColumns: []string{"addr"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Volunteers[0].Household != p.Volunteers[1].Household {
		t.Errorf("same address, different households: %q, %q", p.Volunteers[0].Household, p.Volunteers[1].Household)
	}
	if p.Volunteers[2].Household != "" {
		t.Errorf("empty address gives household %q", p.Volunteers[2].Household)
	}
}
