// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/budgets"
)

// TestResultsWhyNotFunded checks the results page's explanations on two
// small elections worked out by hand (budget 100, five projects of 30,
// MES with add1):
//   - 7 voters approve A, B, E and 3 approve C, D. Greedy funds A, B, E;
//     MES (share 12, the last one within the budget) funds A, B, C. 7
//     voters prefer greedy, 3 MES: the comparison step keeps greedy's
//     outcome, and the MES column must say so rather than explain rounds
//     that were not kept.
//   - 5 voters approve A, B and 4 approve C, D; nobody E. Greedy funds A,
//     B, C and has 10 left for D. MES's last share within the budget is
//     14: A, B (ρ = 0.2), then C (ρ = 0.25); D's supporters keep
//     4 × (14 − 7.5) = 26 of its 30, 87%, having paid for C. Nobody
//     prefers either outcome: MES stands.
func TestResultsWhyNotFunded(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	run := func(majority int, theirs []int, minority int, ours []int) (*budgets.Results, string) {
		b, p := e.budget(admin, `{"title":"Why","total":100}`, 30, 30, 30, 30, 30)
		path := "/budgets/" + itoa(b.ID)
		vote := func(n int, projects ...int) {
			for range n {
				v := e.user("v", false)
				for _, i := range projects {
					e.json(v, "POST", path+"/basket", `{"project_id":`+itoa(p[i])+`}`).Must(t, 200)
				}
				e.json(v, "POST", path+"/checkout", "").Must(t, 200)
			}
		}
		vote(majority, theirs...)
		vote(minority, ours...)
		e.json(admin, "POST", path+"/state", `{"state":"closed"}`).Must(t, 200)
		var res budgets.Results
		if err := json.Unmarshal([]byte(e.json(admin, "POST", path+"/publish", "").Must(t, 200).Body), &res); err != nil {
			t.Fatal(err)
		}
		return &res, e.in.Client().Get(e.base+path+"/results").Must(t, 200).Body
	}

	res, page := run(7, []int{0, 1, 4}, 3, []int{2, 3})
	if c := res.MES.Comparison; c == nil || !c.KeptGreedy || c.PreferGreedy != 7 || c.PreferMES != 3 {
		t.Fatalf("comparison %+v: want greedy kept, 7 against 3", res.MES.Comparison)
	}
	for _, want := range []string{"Comparison step: 7 voters", "kept from greedy by the comparison step", "greedy, whose outcome the comparison step kept, did not reach it"} {
		if !strings.Contains(page, want) {
			t.Errorf("kept greedy: page lacks %q", want)
		}
	}
	if strings.Contains(page, "remaining shares covered") {
		t.Error("kept greedy: the page explains MES coverage that was not kept")
	}

	res, page = run(5, []int{0, 1}, 4, []int{2, 3})
	if c := res.MES.Comparison; c == nil || c.KeptGreedy {
		t.Fatalf("comparison %+v: want MES kept", res.MES.Comparison)
	}
	if len(res.MES.Funded) != 3 {
		t.Fatalf("MES funded %v, want 3 projects", res.MES.Funded)
	}
	for _, want := range []string{"bought in round 1", "bought in round 3", "remaining shares covered 87% of its cost", "Its supporters mostly paid for: Project C.",
		"only 10 was left at its turn", "not funded: no votes"} {
		if !strings.Contains(strings.ReplaceAll(page, "&#39;", "'"), want) {
			t.Errorf("MES kept: page lacks %q", want)
		}
	}
	if strings.Contains(page, "kept from greedy") {
		t.Error("MES kept: the page says greedy was kept")
	}
}
