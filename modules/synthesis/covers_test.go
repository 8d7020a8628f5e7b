// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/opinionmap"
	"github.com/polder-civic/polder/modules/proposals"
)

// TestPageSaysWhatItCovers checks the head of a synthesis page, as
// SYNTHESIS.md lists it: what the version covers (theme, session, dates,
// sources by name), how many people wrote the contributions (each account
// once, whether it wrote proposals or statements; anonymous participants
// each once; facilitators' statements not counted) and the languages.
func TestPageSaysWhatItCovers(t *testing.T) {
	e, om, conv := newConversationEnv(t, 40)
	ctx := context.Background()
	var props []proposals.Proposal
	if err := e.in.App.DB.Where("component_id = ?", e.props.ID).Find(&props).Error; err != nil {
		t.Fatal(err)
	}
	people := map[int64]bool{}
	for _, p := range props {
		if p.State == proposals.StatePublished || p.State == proposals.StateWithdrawn {
			people[p.AuthorID] = true
		}
	}
	// A proposal author also writes a statement (counted once), a new
	// account and an anonymous participant write one each, and the
	// facilitators seed one (not counted).
	svc := om.Service()
	var someone int64
	for id := range people {
		someone = id
		break
	}
	newcomer := e.in.CreateAccount("newcomer@example.org", "a long password 1", false)
	for i, who := range []opinionmap.Who{{AccountID: someone}, {AccountID: newcomer.ID}, {AnonKey: "anonymous-browser-session"}} {
		p, err := svc.Participant(ctx, conv.ID, who, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Submit(ctx, conv, p, fmt.Sprintf("Statement number %d about more buses in the evening", i), false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Submit(ctx, conv, nil, "A statement the facilitators seed about trains", true); err != nil {
		t.Fatal(err)
	}
	wantPeople := len(people) + 2

	sources := []string{strconv.FormatInt(e.props.ID, 10), strconv.FormatInt(conv.ID, 10)}
	syn := e.build(url.Values{"kind": {"interim"}, "sources": sources})
	res := decodeResult(t, syn)
	if res.Authors != wantPeople || res.Unattributed != 1 {
		t.Errorf("%d authors and %d contributions without one, want %d and the seed statement", res.Authors, res.Unattributed, wantPeople)
	}
	page := e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK)
	page.Contains(t, "Covers: all themes · all sessions · any date · sources: "+e.props.Title.In("en", "en")+", "+conv.Title.In("en", "en"),
		fmt.Sprintf("Written by %d people. 1 contribution added by the organisers (a seed statement, a budget project) is not counted", wantPeople))
	// The page links to the method in full, which anyone may read.
	page.Contains(t, `href="`+e.base+`/method">The method in full</a>`)
	e.in.Client().Get(e.base+"/method").Must(t, http.StatusOK).Contains(t, "How syntheses are made", "<strong>Near-duplicates</strong>", "<h3>Limits</h3>")
	e.in.Client().Get(e.base+"/method?locale=fr").Must(t, http.StatusOK).Contains(t, "Comment les synthèses sont faites", `lang="en"`)
	e.in.App.Server.SourceURL = "https://code.example.org/polder"
	e.in.Client().Get(e.base+"/method").Must(t, http.StatusOK).Contains(t, "in the source code. <a href=\"https://code.example.org/polder\">Source code</a>")
	// The list of versions and the downloads say the same.
	e.admin.Get(e.base).Must(t, http.StatusOK).Contains(t, `<span class="hint">Covers: all themes · all sessions · any date · sources: `)
	covers := "Covers: all themes · all sessions · any date · sources: " + e.props.Title.In("en", "en") + ", " + conv.Title.In("en", "en")
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d/synthesis.md", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, covers, fmt.Sprintf("Written by %d people", wantPeople), "Languages: ")
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d/synthesis.html", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "<p>"+covers+" · kinds: Proposals, Opinion-map statements</p>", fmt.Sprintf("Written by %d people", wantPeople))
	langs := 0
	for _, l := range res.Synthesis.Languages {
		name := map[string]string{"en": "English", "fr": "French", "nl": "Dutch", "other": "other"}[l.Key]
		page.Contains(t, fmt.Sprintf("%s %d (", name, l.Count))
		langs += l.Count
	}
	if langs != res.Synthesis.Analysed || !strings.Contains(page.Body, "Languages: ") {
		t.Errorf("languages count %d of %d analysed", langs, res.Synthesis.Analysed)
	}

	// A sliced version names its theme, session and dates, in French too.
	var theme, session struct {
		ID  int64
		Key string
	}
	if err := e.in.App.DB.Raw("SELECT id, key FROM process_themes ORDER BY id LIMIT 1").Scan(&theme).Error; err != nil || theme.ID == 0 {
		t.Fatalf("theme: %v", err)
	}
	if err := e.in.App.DB.Raw("SELECT id, key FROM process_sessions ORDER BY id LIMIT 1").Scan(&session).Error; err != nil || session.ID == 0 {
		t.Fatalf("session: %v", err)
	}
	sliced := e.build(url.Values{"kind": {"interim"}, "sources": {sources[0]}, "theme_id": {strconv.FormatInt(theme.ID, 10)},
		"session_id": {strconv.FormatInt(session.ID, 10)}, "from": {"2020-01-01"}, "to": {"2099-12-31"}})
	body := e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, sliced.ID)).Must(t, http.StatusOK).Body
	for _, want := range []string{"Covers: theme ", " · session ", " · from 2020-01-01 before 2099-12-31 · sources: " + html.EscapeString(e.props.Title.In("en", "en"))} {
		if !strings.Contains(body, want) {
			t.Errorf("the sliced version's page lacks %q", want)
		}
	}
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d?locale=fr", e.base, sliced.ID)).Must(t, http.StatusOK).Contains(t, "Périmètre : thème ", "à partir du 2020-01-01 avant le 2099-12-31")
}
