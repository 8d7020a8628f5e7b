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
)

// TestStatementsQuotedOnce builds a synthesis of a conversation's
// statements alone. A statement has no title of its own (the opinion
// map gives its text as both title and body); its quote must be its text
// once, as written, on the page and in the open data, linked to the
// statement's page in the conversation.
func TestStatementsQuotedOnce(t *testing.T) {
	e, om, conv := newConversationEnv(t, 0)
	bodies := map[string]string{}
	for _, b := range []string{
		"More night trains across Europe", "Night trains should be cheaper than flights", "Trains to every small town",
		"Cheaper train tickets for young people", "Rebuild the closed train lines", "Trains every hour on weekends",
		"Insulate every school before 2030", "Insulation grants for poor households", "Ban oil heating in new homes",
		"Heat pumps for social housing", "Insulate rented flats first", "Grants for insulating old houses",
	} {
		st, err := om.Service().Submit(context.Background(), conv, nil, b, true)
		if err != nil {
			t.Fatal(err)
		}
		bodies["opinionmap:"+strconv.FormatInt(conv.ID, 10)+":"+strconv.FormatInt(st.ID, 10)] = b
	}
	syn := e.build(url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(conv.ID, 10)}})
	res := decodeResult(t, syn)
	if res.Synthesis.Contributions != len(bodies) {
		t.Fatalf("%d contributions, want %d", res.Synthesis.Contributions, len(bodies))
	}
	urls := map[string]string{}
	for _, src := range res.Contributions {
		urls[src.ID] = src.URL
	}
	page := e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK).Body
	quotes := 0
	for _, th := range res.Synthesis.Themes {
		all := th.Topics
		if th.Other != nil {
			all = append(all, *th.Other)
		}
		for _, tp := range all {
			for _, q := range tp.Quotes {
				quotes++
				if want, ok := bodies[q.ID]; !ok || q.Text != want {
					t.Errorf("quote %s is %q, want the statement %q", q.ID, q.Text, want)
				}
				if n := strings.Count(page, html.EscapeString(q.Text)); n != 1 {
					t.Errorf("the page shows %q %d times, want once", q.Text, n)
				}
				// The quote links to the statement's own page.
				u := urls[q.ID]
				if u == "" || !strings.Contains(page, `href="`+u+`"`) {
					t.Errorf("quote %s links to %q", q.ID, u)
					continue
				}
				e.in.Client().Get(u).Must(t, http.StatusOK).Contains(t, html.EscapeString(q.Text))
			}
		}
	}
	if quotes == 0 {
		t.Fatal("no quotes")
	}
	// Statements have no session: no per-session line, and no raw key.
	if strings.Contains(page, "Per session") || strings.Contains(page, "unspecified") {
		t.Error("a slice without sessions shows shares per session")
	}
}
