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

	"github.com/polder-civic/polder/modules/proposals"
)

// TestBadInputThroughComponent takes the bad input through the
// component, job and page: a slice that selects nothing, statements in
// unsupported languages and an enormous proposal give a ready version
// whose page says what was left out or cut, never a failed build.
func TestBadInputThroughComponent(t *testing.T) {
	e, om, conv := newConversationEnv(t, 12)
	sources := []string{strconv.FormatInt(e.props.ID, 10), strconv.FormatInt(conv.ID, 10)}

	// A slice in the future holds nothing.
	syn := e.build(url.Values{"kind": {"interim"}, "sources": sources, "from": {"2099-01-01"}})
	res := decodeResult(t, syn)
	if res.Synthesis.Contributions != 0 || len(res.Synthesis.Themes) != 0 || len(res.Synthesis.Notes) == 0 {
		t.Fatalf("empty slice: %+v", res.Synthesis)
	}
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "nothing to synthesise")

	// Statements in Chinese and German, and a proposal of 200,000
	// characters stored as is.
	ctx := context.Background()
	odd := map[string]bool{}
	for _, b := range []string{"我覺得計程車的管理方式應該要重新思考", "Wir brauchen mehr Busse und Bahnen in der Stadt"} {
		st, err := om.Service().Submit(ctx, conv, nil, b, true)
		if err != nil {
			t.Fatal(err)
		}
		odd["opinionmap:"+strconv.FormatInt(conv.ID, 10)+":"+strconv.FormatInt(st.ID, 10)] = true
	}
	var p proposals.Proposal
	if err := e.in.App.DB.Where("component_id = ?", e.props.ID).Order("id").First(&p).Error; err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("Le tramway doit desservir les quartiers nord et la gare. ", 3600)
	p.ID, p.Title, p.Body, p.Fingerprint = 0, "Un tramway pour le nord", huge, ""
	if err := e.in.App.DB.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	hugeRef := "proposals:" + strconv.FormatInt(e.props.ID, 10) + ":" + strconv.FormatInt(p.ID, 10)

	syn = e.build(url.Values{"kind": {"interim"}, "sources": sources})
	res = decodeResult(t, syn)
	for _, l := range res.Synthesis.LeftOut {
		if odd[l.ID] && strings.Contains(l.Reason, "language") {
			delete(odd, l.ID)
		}
	}
	if len(odd) > 0 {
		t.Errorf("statements in unsupported languages not left out with their reason: %v (left out: %+v)", odd, res.Synthesis.LeftOut)
	}
	placed := false
	for _, th := range res.Synthesis.Themes {
		all := th.Topics
		if th.Other != nil {
			all = append(all, *th.Other)
		}
		for _, tp := range all {
			for _, id := range tp.IDs {
				placed = placed || id == hugeRef
			}
			for _, q := range tp.Quotes {
				if q.ID == hugeRef && q.Text != p.Title+"\n\n"+strings.TrimSpace(huge) {
					t.Error("the enormous proposal is quoted cut or changed")
				}
			}
		}
	}
	if !placed {
		t.Error("the enormous proposal is in no topic")
	}
	notes := strings.Join(res.Synthesis.Notes, " ")
	if !strings.Contains(notes, "first 10000 characters") || !strings.Contains(notes, "left out") {
		t.Errorf("notes do not say what was cut and left out: %q", res.Synthesis.Notes)
	}
	page := e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK)
	page.Contains(t, "Contributions left out", "first 10000 characters")
	for _, l := range res.Synthesis.LeftOut {
		page.Contains(t, html.EscapeString(l.ID+": "+l.Reason))
	}
}
