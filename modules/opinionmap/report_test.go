// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/opinionmap"
)

// TestReportPanelBesidePublic plants two camps, each half panel members
// drawn by lot and half open participants, and a statement everyone
// agrees with: the report shows both groups with their make-up, what sets
// each apart, and the consensus for the panel and the public side by side.
func TestReportPanelBesidePublic(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := e.seed("Ban cars from the centre", "Close the motorway lanes", "Build more parking", "Lower fuel taxes", "Plant trees in every street", "Move the market")
	const perCamp = 10
	var panelIDs []int64
	for camp := 0; camp < 2; camp++ {
		for i := 0; i < perCamp; i++ {
			acc := e.in.CreateAccount(fmt.Sprintf("p%d-%d@example.org", camp, i), "a long password 1", false)
			if i%2 == 0 {
				panelIDs = append(panelIDs, acc.ID)
			}
			p, err := e.svc().Participant(ctx, e.comp.ID, opinionmap.Who{AccountID: acc.ID}, true)
			if err != nil {
				t.Fatal(err)
			}
			sign := 1
			if camp == 1 {
				sign = -1
			}
			votes := []int{sign, sign, -sign, -sign, 1, []int{1, -1, 0}[i%3]}
			for j, v := range votes {
				if err := e.svc().Vote(ctx, e.comp, p, ids[j], v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := e.in.App.Panels.Mark(ctx, e.in.Org.ID, e.fx.Domain(), "test", panelIDs...); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc().Recompute(ctx, e.comp.ID); err != nil {
		t.Fatal(err)
	}
	body := e.in.Client().Get(e.base+"/report").Must(t, 200).Contains(t,
		"Group A: 10 participants", "Group B: 10 participants",
		"5 members of the panel drawn by lot, 5 open participants",
		"Panel drawn by lot", "Open participants",
		"Ban cars from the centre", "Build more parking").Body
	// The consensus statement comes first in "What unites the groups",
	// with 100% agreement among both the panel (10 votes) and the open
	// participants (10 votes).
	cons := body[strings.Index(body, "What unites the groups"):strings.Index(body, "What divides them")]
	first := strings.Index(cons, "<tbody><tr><td>")
	// Each statement links to its own page.
	if first < 0 || !strings.HasPrefix(cons[first+len("<tbody><tr><td>"):], `<a href="`+e.base+"/statements/"+itoa(ids[4])+`">Plant trees in every street`) {
		t.Fatalf("consensus does not start with the planted statement:\n%s", cons)
	}
	row := cons[first:]
	row = row[:strings.Index(row, "</tr>")]
	if strings.Count(row, "100% agree, 0% disagree (10 votes)") != 2 {
		t.Fatalf("panel and open shares of the consensus statement missing:\n%s", cons)
	}
	// Split statements are not consensus.
	if strings.Contains(cons, "Ban cars") {
		t.Fatalf("a statement the groups split on is listed as consensus:\n%s", cons)
	}
	// Representative statements carry agree/disagree in and out of group.
	if !strings.Contains(body, "100% agree, 0% disagree (10 votes)") || !strings.Contains(body, "0% agree, 100% disagree (10 votes)") {
		t.Fatalf("representative shares missing:\n%s", body)
	}
	// French report.
	e.in.Client().Get(e.base+"/report?locale=fr").Must(t, 200).Contains(t, "Ce qui rassemble les groupes", "membres du panel tiré au sort")
}
