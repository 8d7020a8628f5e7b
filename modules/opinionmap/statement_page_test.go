// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/opinionmap"
)

// TestStatementPage checks the public page of one statement, which other
// modules link to (the synthesis quotes statements): its text, its votes
// overall and per opinion group, the address Contributions gives, and
// no page for a rejected, unknown or other conversation's statement.
func TestStatementPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.seed("Ban cars from the centre", "Close the motorway lanes", "Build more parking", "Lower fuel taxes", "Plant trees in every street")
	// Before any vote.
	e.in.Client().Get(fmt.Sprintf("%s/statements/%d", e.base, ids[0])).Must(t, 200).Contains(t,
		"Statement "+itoa(ids[0]), "Ban cars from the centre", "Added by the facilitators", "Nobody has voted on this statement yet.")
	// Two camps of ten, split on the first four statements; on the fifth,
	// camp A agrees and camp B passes.
	for camp := range 2 {
		sign := 1 - 2*camp
		for i := range 10 {
			acc := e.in.CreateAccount(fmt.Sprintf("s%d-%d@example.org", camp, i), "a long password 1", false)
			p, err := e.svc().Participant(ctx, e.comp.ID, opinionmap.Who{AccountID: acc.ID}, true)
			if err != nil {
				t.Fatal(err)
			}
			for j, v := range []int{sign, sign, -sign, -sign, max(sign, 0)} {
				if err := e.svc().Vote(ctx, e.comp, p, ids[j], v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	page := fmt.Sprintf("%s/statements/%d", e.base, ids[4])
	// Votes count before any computation; no groups yet.
	body := e.in.Client().Get(page).Must(t, 200).Contains(t, "50% agree, 0% disagree, 50% pass (20 votes)").Body
	if strings.Contains(body, "Votes per opinion group") {
		t.Error("groups shown before any computation")
	}
	if _, err := e.svc().Recompute(ctx, e.comp.ID); err != nil {
		t.Fatal(err)
	}
	body = e.in.Client().Get(page).Must(t, 200).Contains(t, "Votes per opinion group", "Group A", "Group B",
		"100% agree, 0% disagree (10 votes)", "0% agree, 0% disagree (10 votes)").Body
	if strings.Count(body, "(10 votes)") != 2 {
		t.Errorf("want two groups of 10 votes:\n%s", body)
	}
	e.in.Client().Get(page+"?locale=fr").Must(t, 200).Contains(t, "Proposition "+itoa(ids[4]), "Votes par groupe d’opinion")
	e.in.Client().Get(page+"?locale=nl").Must(t, 200).Contains(t, "Stelling "+itoa(ids[4]), "Stemmen per opiniegroep")

	// Contributions gives every statement this address.
	cs, err := e.mod.Contributions(ctx, e.comp, registry.ContributionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != len(ids) {
		t.Fatalf("%d contributions, want %d", len(cs), len(ids))
	}
	for _, c := range cs {
		if want := fmt.Sprintf("%s/statements/%d", e.base, c.ID); c.URL != want {
			t.Errorf("contribution %s: URL %q, want %q", c.Ref, c.URL, want)
		}
	}

	// Rejected: gone for everyone; unknown and malformed ids: not found.
	if _, err := e.svc().Moderate(ctx, e.comp, ids[0], false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fmt.Sprintf("/statements/%d", ids[0]), "/statements/999999", "/statements/x", "/statements/-1"} {
		e.in.Client().Get(e.base+p).Must(t, 404)
	}
	// A statement of another conversation is not reachable through this one.
	other, err := e.in.App.Components.Enable(ctx, e.comp.SpaceType, e.comp.SpaceID, opinionmap.ID, "second", i18n.Text{"en": "Second conversation"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.svc().Submit(ctx, other, nil, "Only in the second conversation", true)
	if err != nil {
		t.Fatal(err)
	}
	e.in.Client().Get(fmt.Sprintf("%s/statements/%d", e.base, st.ID)).Must(t, 404)
}
