// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/modules/budgets"
	"github.com/polder-civic/polder/modules/proposals"
)

// TestCommentsAndProjectsAsSources builds versions from the other kinds
// of contributions an organiser can pick: the comments on proposals
// (deleted and hidden ones left out, each linked to its place on the
// proposal's page and listed by the start of its text) and the projects
// of public budgets (a draft budget's left out). The form offers every
// kind, named by its module, all checked; unchecking them all is refused
// with a message; the page says which kinds a version read.
func TestCommentsAndProjectsAsSources(t *testing.T) {
	bm := budgets.New()
	e := newEnv(t, 60, nil, bm)
	ctx := context.Background()
	budgetComp := e.component(budgets.ID)

	form := e.admin.Get(e.base).Must(t, http.StatusOK)
	form.Contains(t, `name="kinds" value="proposal" checked> Proposals`, `name="kinds" value="comment" checked> Comments on proposals`,
		`name="kinds" value="project" checked> Budget projects`)
	e.post(e.base+"/syntheses", url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10)}, "kinds": {""}}).
		Must(t, http.StatusUnprocessableEntity).Contains(t, "Pick at least one kind of contribution.")

	// Comments: the seeded ones on visible proposals, minus one deleted
	// and one hidden by a moderator.
	var cms []comments.Comment
	if err := e.in.App.DB.Where("resource_type = ?", proposals.ResourceType).Order("id").Find(&cms).Error; err != nil || len(cms) < 4 {
		t.Fatalf("%d seeded comments: %v", len(cms), err)
	}
	now := time.Now().UTC()
	if err := e.in.App.DB.Model(&comments.Comment{}).Where("id = ?", cms[0].ID).Update("deleted_at", now).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.in.App.DB.Exec(`INSERT INTO moderations (organisation_id, resource_type, resource_id, hidden_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		e.in.Org.ID, comments.ResourceType, cms[1].ID, now, now, now).Error; err != nil {
		t.Fatal(err)
	}
	var visible []proposals.Proposal
	if err := e.in.App.DB.Where("component_id = ? AND state IN ?", e.props.ID, []string{proposals.StatePublished, proposals.StateWithdrawn}).Find(&visible).Error; err != nil {
		t.Fatal(err)
	}
	shown := map[int64]bool{}
	for _, p := range visible {
		shown[p.ID] = true
	}
	var want []string
	body := map[string]string{}
	for _, c := range cms[2:] {
		if shown[c.ResourceID] {
			ref := fmt.Sprintf("proposals:%d:comment-%d", e.props.ID, c.ID)
			want = append(want, ref)
			body[ref] = c.Body
		}
	}
	syn := e.build(url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10)}, "kinds": {"", "comment"}})
	res := decodeResult(t, syn)
	var got []string
	for _, s := range res.Contributions {
		got = append(got, s.ID)
		if s.Kind != "comment" || !strings.Contains(s.URL, "/proposals/") || !strings.Contains(s.URL, "#comment-") || s.Title == "" ||
			!strings.HasPrefix(body[s.ID], strings.TrimSuffix(s.Title, " …")) {
			t.Errorf("comment listed as %+v", s)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("comments read %v, want %v", got, want)
	}
	for _, th := range res.Synthesis.Themes {
		all := th.Topics
		if th.Other != nil {
			all = append(all, *th.Other)
		}
		for _, tp := range all {
			for _, q := range tp.Quotes {
				if q.Text != strings.TrimSpace(body[q.ID]) {
					t.Errorf("quote %s is %q, not the comment's text", q.ID, q.Text)
				}
			}
		}
	}
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "kinds: Comments on proposals")

	// Projects: of a budget open to votes, not of a draft.
	bsvc := bm.Service()
	resolver, ok := e.in.App.Space(budgetComp.SpaceType)
	if !ok {
		t.Fatal("no process resolver")
	}
	sp, err := resolver.ByID(ctx, budgetComp.SpaceID)
	if err != nil {
		t.Fatal(err)
	}
	var open, draft budgets.Budget
	for _, b := range []*budgets.Budget{&open, &draft} {
		b.Title, b.Total = "Budget", 100000
		if err := bsvc.SaveBudget(ctx, sp, budgetComp, e.adm.ID, b); err != nil {
			t.Fatal(err)
		}
	}
	var projects []string
	for i, b := range []*budgets.Budget{&open, &open, &draft} {
		p := &budgets.Project{Title: fmt.Sprintf("Project %d: shaded cycle lanes along the river", i), Description: "Trees and lanes for cyclists in summer.", Cost: 1000}
		if err := bsvc.SaveProject(ctx, sp, b, e.adm.ID, p); err != nil {
			t.Fatal(err)
		}
		if b == &open {
			projects = append(projects, fmt.Sprintf("budgets:%d:%d", budgetComp.ID, p.ID))
		}
	}
	if err := bsvc.SetState(ctx, &open, e.adm.ID, budgets.StateOpen); err != nil {
		t.Fatal(err)
	}
	syn = e.build(url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(budgetComp.ID, 10)}, "kinds": {"", "project"}})
	res = decodeResult(t, syn)
	got = got[:0]
	for _, s := range res.Contributions {
		got = append(got, s.ID)
		if s.Kind != "project" || !strings.Contains(s.URL, fmt.Sprintf("/budgets/%d#project-", open.ID)) {
			t.Errorf("project listed as %+v", s)
		}
	}
	if !slices.Equal(got, projects) {
		t.Errorf("projects read %v, want those of the open budget %v", got, projects)
	}
}
