// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/opinionmap"
	"github.com/polder-civic/polder/modules/synthesis"
)

// TestOpinionMapConsensusInSynthesis checks that the space's
// conversation reaches the synthesis through registry.ConsensusProvider:
// before its opinion groups are computed the page says so; after, the
// consensus and divisive statements are those of the conversation's own
// report (same statements, same shares), shown on the page and in the
// Markdown, HTML and JSON downloads with a link to the votes.
func TestOpinionMapConsensusInSynthesis(t *testing.T) {
	e, om, conv := newConversationEnv(t, 40)
	ctx := context.Background()
	form := url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10)}}

	// No results yet: listed as pending, not an error.
	syn := e.build(form)
	res := decodeResult(t, syn)
	if len(res.OpinionMaps) != 1 || res.OpinionMaps[0].Status != synthesis.OpinionMapPending || res.OpinionMaps[0].ComponentID != conv.ID {
		t.Fatalf("before any computation: %+v", res.OpinionMaps)
	}
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "no computed opinion groups yet")

	// Two camps of ten split on four statements and all agree on one.
	svc := om.Service()
	bodies := []string{"Ban cars from the centre", "Close the motorway lanes", "Build more parking", "Lower fuel taxes", "Plant trees in every street"}
	var ids []int64
	for _, b := range bodies {
		st, err := svc.Submit(ctx, conv, nil, b, true)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.ID)
	}
	for camp := range 2 {
		sign := 1 - 2*camp
		for i := range 10 {
			acc := e.in.CreateAccount(fmt.Sprintf("voter%d-%d@example.org", camp, i), "a long password 1", false)
			p, err := svc.Participant(ctx, conv.ID, opinionmap.Who{AccountID: acc.ID}, true)
			if err != nil {
				t.Fatal(err)
			}
			for j, v := range []int{sign, sign, -sign, -sign, 1} {
				if err := svc.Vote(ctx, conv, p, ids[j], v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := svc.Recompute(ctx, conv.ID); err != nil {
		t.Fatal(err)
	}

	syn2 := e.build(form)
	res = decodeResult(t, syn2)
	if len(res.OpinionMaps) != 1 || res.OpinionMaps[0].Status != synthesis.OpinionMapComputed {
		t.Fatalf("after computation: %+v", res.OpinionMaps)
	}
	got := res.OpinionMaps[0]
	if got.Groups != 2 || got.Participants != 20 {
		t.Errorf("groups %d participants %d, want 2 and 20", got.Groups, got.Participants)
	}
	if len(got.Consensus) == 0 || got.Consensus[0].Text != "Plant trees in every street" || got.Consensus[0].Side != "agree" ||
		got.Consensus[0].AgreePercent != 100 || got.Consensus[0].Votes != 20 {
		t.Fatalf("consensus: %+v", got.Consensus)
	}
	for _, st := range got.Consensus {
		if st.Text != "Plant trees in every street" {
			t.Errorf("a statement the camps split on is consensus: %+v", st)
		}
	}
	// The conversation's own report is the reference: same statements in
	// the same order with the same shares.
	var report struct {
		Consensus []struct {
			StatementID int64 `json:"statement_id"`
			Body        string
			All         struct{ Agree, Disagree, Seen int }
		} `json:"consensus"`
		Divisive []struct {
			StatementID int64 `json:"statement_id"`
			Body        string
			All         struct{ Agree, Disagree, Seen int }
		} `json:"divisive"`
	}
	convURL := strings.TrimSuffix(e.base, strconv.FormatInt(e.comp.ID, 10)) + strconv.FormatInt(conv.ID, 10)
	r := e.in.Client().JSON(http.MethodGet, "/api/v1"+convURL+"/results", "", "").Must(t, http.StatusOK)
	if err := json.Unmarshal([]byte(r.Body), &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Consensus) != len(got.Consensus) || len(report.Divisive) != len(got.Divisive) || len(got.Divisive) == 0 {
		t.Fatalf("report has %d consensus and %d divisive statements, synthesis %d and %d", len(report.Consensus), len(report.Divisive), len(got.Consensus), len(got.Divisive))
	}
	for i, st := range report.Divisive {
		g := got.Divisive[i]
		want := fmt.Sprintf("opinionmap:%d:%d", conv.ID, st.StatementID)
		if g.ID != want || g.Text != st.Body || g.Votes != st.All.Seen ||
			g.AgreePercent != 100*float64(st.All.Agree)/float64(st.All.Seen) || g.DisagreePercent != 100*float64(st.All.Disagree)/float64(st.All.Seen) {
			t.Errorf("divisive %d: synthesis %+v, report %+v", i, g, st)
		}
	}
	if got.URL != convURL+"/report" {
		t.Errorf("link to the votes %q, want %q", got.URL, convURL+"/report")
	}
	// The opinion map is part of the input: same contributions, new hash.
	if syn2.InputHash == syn.InputHash {
		t.Error("the input hash ignores the opinion map")
	}

	page := e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn2.ID)).Must(t, http.StatusOK)
	page.Contains(t, "Consensus statements", "Plant trees in every street", "every opinion group agrees",
		"100% agree, 0% disagree, 0% pass (20 votes)", "20 participants in 2 opinion groups", `href="`+convURL+`/report"`, "Divisive statements", html.EscapeString(report.Divisive[0].Body))
	md := e.admin.Get(fmt.Sprintf("%s/syntheses/%d/synthesis.md", e.base, syn2.ID)).Must(t, http.StatusOK)
	// Each statement links to its page in the conversation.
	plant := fmt.Sprintf("%s/statements/%d", convURL, ids[4])
	page.Contains(t, `<q><a href="`+plant+`">Plant trees in every street</a></q>`)
	md.Contains(t, "## Opinion map", "[“Plant trees in every street”]("+plant+") — 100% agree, 0% disagree, 0% pass (20 votes); every opinion group agrees", "("+convURL+"/report)", report.Divisive[0].Body)
	h := e.admin.Get(fmt.Sprintf("%s/syntheses/%d/synthesis.html", e.base, syn2.ID)).Must(t, http.StatusOK)
	h.Contains(t, `<q><a href="`+plant+`">Plant trees in every street</a></q>`, "every opinion group agrees", "100% agree, 0% disagree, 0% pass (20 votes)", `href="`+convURL+`/report"`)
	js := e.admin.Get(fmt.Sprintf("%s/syntheses/%d/synthesis.json", e.base, syn2.ID)).Must(t, http.StatusOK)
	js.Contains(t, `"opinion_maps":[`, `"side":"agree"`, `"agree_percent":100`)
	// A statement rejected since the computation is no longer public: it
	// leaves the synthesis even before the conversation is recomputed.
	rejected := report.Divisive[0]
	if _, err := svc.Moderate(ctx, conv, rejected.StatementID, false); err != nil {
		t.Fatal(err)
	}
	res = decodeResult(t, e.build(form))
	if len(res.OpinionMaps) != 1 || res.OpinionMaps[0].Status != synthesis.OpinionMapComputed {
		t.Fatalf("after a rejection: %+v", res.OpinionMaps)
	}
	for _, st := range append(res.OpinionMaps[0].Consensus, res.OpinionMaps[0].Divisive...) {
		if st.Text == rejected.Body {
			t.Errorf("rejected statement %q still shown", rejected.Body)
		}
	}
	// Last: the locale sticks to the client.
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d?locale=fr", e.base, syn2.ID)).Must(t, http.StatusOK).Contains(t, "tous les groupes d&#39;opinion sont d&#39;accord")
}

// component returns the process's component of a module.
// newConversationEnv is newEnv with n demo proposals and the opinion map
// registered, with the preset's conversation component.
func newConversationEnv(t *testing.T, n int) (*env, *opinionmap.Module, *registry.Component) {
	t.Helper()
	om := opinionmap.New()
	e := newEnv(t, n, nil, om)
	return e, om, e.component(opinionmap.ID)
}

func (e *env) component(moduleID string) *registry.Component {
	e.t.Helper()
	for i := range e.comps {
		if e.comps[i].ModuleID == moduleID {
			return &e.comps[i]
		}
	}
	e.t.Fatalf("the preset made no %s component", moduleID)
	return nil
}

func decodeResult(t *testing.T, syn *synthesis.Synthesis) synthesis.Result {
	t.Helper()
	if syn.Status != synthesis.StatusReady {
		t.Fatalf("status %s error %q", syn.Status, syn.Error)
	}
	var res synthesis.Result
	if err := json.Unmarshal([]byte(syn.Result), &res); err != nil {
		t.Fatal(err)
	}
	return res
}
