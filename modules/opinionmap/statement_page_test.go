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

// TestStatementsList checks the public list of statements: every visible
// statement once across its pages (50 a page), each linked to its page,
// with the votes of the last computation or "not counted yet" for a
// newer one; a rejected statement is not listed.
func TestStatementsList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var bodies []string
	for i := range 55 {
		bodies = append(bodies, fmt.Sprintf("Statement number %d about the buses", i))
	}
	ids := e.seed(bodies...)
	if _, err := e.svc().Moderate(ctx, e.comp, ids[3], false); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		acc := e.in.CreateAccount(fmt.Sprintf("list%d@example.org", i), "a long password 1", false)
		p, err := e.svc().Participant(ctx, e.comp.ID, opinionmap.Who{AccountID: acc.ID}, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc().Vote(ctx, e.comp, p, ids[0], 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc().Recompute(ctx, e.comp.ID); err != nil {
		t.Fatal(err)
	}
	e.seed("A statement after the computation")
	first := e.in.Client().Get(e.base+"/statements").Must(t, 200).Contains(t, "All statements", "55 statements", "Page 1 of 2",
		fmt.Sprintf(`<a href="%s/statements/%d">Statement number 0 about the buses</a>`, e.base, ids[0]), "100% agree, 0% disagree, 0% pass (3 votes)").Body
	second := e.in.Client().Get(e.base+"/statements?page=2").Must(t, 200).Contains(t, "Page 2 of 2", "A statement after the computation", "not counted yet").Body
	listed := strings.Count(first, `/statements/`) + strings.Count(second, `/statements/`)
	if strings.Count(first, "<tr><td>") != 50 || listed != 55 {
		t.Errorf("page 1 has %d rows; %d statements linked in all, want 55", strings.Count(first, "<tr><td>"), listed)
	}
	if strings.Contains(first+second, "Statement number 3 about") {
		t.Error("a rejected statement is listed")
	}
	e.in.Client().Get(e.base+"/statements?page=9&locale=fr").Must(t, 200).Contains(t, "Toutes les propositions", "Page 2 sur 2")
}
