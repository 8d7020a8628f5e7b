// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/proposals"
	"github.com/polder-civic/polder/modules/synthesis"
	"github.com/polder-civic/polder/modules/synthesis/topics"
	"github.com/polder-civic/polder/spaces/process"
)

type env struct {
	t     testing.TB
	in    *apptest.Instance
	mod   *synthesis.Module
	comp  *registry.Component
	props *registry.Component
	base  string
	admin *apptest.Client
	csrf  string
	adm   *accounts.Account
	// comps are all the components of the process.
	comps []registry.Component
}

// newEnv runs an instance with the climate convention preset and n seeded
// demo proposals; extra modules are registered too (their preset
// components are created).
func newEnv(t testing.TB, n int, sum synthesis.Summariser, extra ...registry.Module) *env {
	t.Helper()
	ctx := context.Background()
	mod := synthesis.New()
	mod.Summariser = sum
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: append([]registry.Module{proposals.New(), mod}, extra...)})
	preset, err := fs.ReadFile(config.Presets(), "climate-convention.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := process.ApplyPreset(ctx, in.App, in.Org.ID, preset)
	if err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		if _, err := proposals.SeedDemo(ctx, in.App, in.Org.ID, res.Process.Slug, n); err != nil {
			t.Fatal(err)
		}
	}
	mod.Service().Runs = 20 // fewer clustering runs: the test checks plumbing, not quality
	e := &env{t: t, in: in, mod: mod}
	comps, err := in.App.Components.InSpace(ctx, process.SpaceType, res.Process.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.comps = comps
	for i := range comps {
		switch comps[i].ModuleID {
		case synthesis.ID:
			e.comp = &comps[i]
		case proposals.ID:
			e.props = &comps[i]
		}
	}
	if e.comp == nil || e.props == nil {
		t.Fatalf("preset components: %+v", comps)
	}
	e.base = "/processes/" + res.Process.Slug + "/c/" + strconv.FormatInt(e.comp.ID, 10)
	email := "organiser@example.org"
	now := time.Now().UTC()
	e.adm = &accounts.Account{OrganisationID: in.Org.ID, Email: &email, Name: "Organiser", Nickname: "organiser", Kind: accounts.KindPerson, OrgAdmin: true, ConfirmedAt: &now}
	if err := in.App.DB.Create(e.adm).Error; err != nil {
		t.Fatal(err)
	}
	e.admin = in.Client()
	e.csrf = instancetest.Session(t, in, e.admin, e.adm.ID)
	return e
}

func (e *env) post(path string, form url.Values) *apptest.Response {
	form.Set("_csrf", e.csrf)
	return e.admin.PostRaw(path, form)
}

// build files a build request through the page and runs the queue. A
// form that names no kinds reads proposals and statements, as the tests
// written before comments and projects were sources expect.
func (e *env) build(form url.Values) *synthesis.Synthesis {
	e.t.Helper()
	if _, ok := form["kinds"]; !ok {
		form["kinds"] = []string{"", "proposal"}
		for _, c := range e.comps {
			if c.ModuleID == "opinionmap" {
				form["kinds"] = append(form["kinds"], "statement")
			}
		}
	}
	e.post(e.base+"/syntheses", form).Must(e.t, http.StatusSeeOther)
	e.in.RunJobs()
	var syn synthesis.Synthesis
	if err := e.in.App.DB.Order("id DESC").First(&syn).Error; err != nil {
		e.t.Fatal(err)
	}
	return &syn
}

func TestBuildLabelPublishTrace(t *testing.T) {
	e := newEnv(t, 80, nil)
	ctx := context.Background()
	// Empty sources: a clear message, nothing stored.
	e.post(e.base+"/syntheses", url.Values{"kind": {"interim"}}).Must(t, http.StatusUnprocessableEntity).Contains(t, "Pick at least one source")

	syn := e.build(url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10)}})
	if syn.Status != synthesis.StatusReady || syn.Progress != 100 || syn.Number != 1 {
		t.Fatalf("after the job: status %s progress %d number %d error %q", syn.Status, syn.Progress, syn.Number, syn.Error)
	}
	job, err := e.in.App.Jobs.Get(ctx, syn.JobID)
	if err != nil || job.Progress != 100 || job.Status != "done" {
		t.Fatalf("job row: %+v %v", job, err)
	}
	if len(syn.InputHash) != 64 {
		t.Fatalf("input hash %q", syn.InputHash)
	}
	page := e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK)
	page.Contains(t, "Interim synthesis 1", "<svg", syn.InputHash, "How this synthesis was made")
	// The method is described as it was when the version was built, in
	// the reader's language: the English message of the current version
	// is the method's own text.
	if syn.MethodVersion != synthesis.MethodVersion {
		t.Fatalf("built with %q, want %q", syn.MethodVersion, synthesis.MethodVersion)
	}
	page.Contains(t, strings.ReplaceAll(topics.Method, "'", "&#39;"))
	fr := e.admin.Get(fmt.Sprintf("%s/syntheses/%d?locale=fr", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "dictionnaires bilingues FreeDict", "Langues : ")
	if !regexp.MustCompile(`Par session : [^<]*intersession : \d+ \(\d+ %\)`).MatchString(fr.Body) {
		t.Error("the French page does not write shares per session the French way")
	}
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d?locale=nl", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "tweetalige FreeDict-woordenboeken")
	if err := e.in.App.DB.Model(&synthesis.Synthesis{}).Where("id = ?", syn.ID).Update("method_version", "topics/1").Error; err != nil {
		t.Fatal(err)
	}
	old := e.admin.Get(fmt.Sprintf("%s/syntheses/%d?locale=en", e.base, syn.ID)).Must(t, http.StatusOK)
	old.Contains(t, "Snowball stems and frequent word pairs), weighted by TF-IDF")
	if strings.Contains(old.Body, "FreeDict") {
		t.Error("a topics/1 synthesis is described with a later method")
	}
	if err := e.in.App.DB.Model(&synthesis.Synthesis{}).Where("id = ?", syn.ID).Update("method_version", "topics/2").Error; err != nil {
		t.Fatal(err)
	}
	old = e.admin.Get(fmt.Sprintf("%s/syntheses/%d?locale=en", e.base, syn.ID)).Must(t, http.StatusOK)
	old.Contains(t, "FreeDict", "most distinctive words (class-based TF-IDF)")
	if strings.Contains(old.Body, "a pair taking the place") {
		t.Error("a topics/2 synthesis is described with the topics/3 method")
	}
	if err := e.in.App.DB.Model(&synthesis.Synthesis{}).Where("id = ?", syn.ID).Update("method_version", synthesis.MethodVersion).Error; err != nil {
		t.Fatal(err)
	}
	// Visitors see nothing before publication.
	e.in.Client().Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusNotFound)

	var od synthesis.OpenData
	r := e.admin.Get(fmt.Sprintf("%s/syntheses/%d/synthesis.json", e.base, syn.ID)).Must(t, http.StatusOK)
	if err := json.Unmarshal([]byte(r.Body), &od); err != nil {
		t.Fatal(err)
	}
	if od.Result == nil || od.Result.Synthesis.Contributions != 80 || len(od.Result.Synthesis.Themes) == 0 {
		t.Fatalf("result: %+v", od.Result)
	}
	// Traceability: each topic page lists exactly its size, each linked to
	// the proposal's page; quotes are verbatim contributions.
	texts := map[string]bool{}
	var props []proposals.Proposal
	if err := e.in.App.DB.Find(&props).Error; err != nil {
		t.Fatal(err)
	}
	for _, p := range props {
		texts[strings.TrimSpace(p.Title)+"\n\n"+strings.TrimSpace(p.Body)] = true
	}
	topicsSeen := 0
	for ti, th := range od.Result.Synthesis.Themes {
		all := append([]topics.Topic(nil), th.Topics...)
		if th.Other != nil {
			all = append(all, *th.Other)
		}
		for k, tp := range all {
			topicsSeen++
			body := e.admin.Get(fmt.Sprintf("%s/syntheses/%d/topics/%d/%d", e.base, syn.ID, ti, k)).Must(t, http.StatusOK).Body
			if got := strings.Count(body, "/proposals/"); got != tp.Size {
				t.Errorf("topic %d/%d: %d linked contributions, size %d", ti, k, got, tp.Size)
			}
			for _, q := range tp.Quotes {
				if !texts[q.Text] {
					t.Errorf("quote %s is not a verbatim contribution: %q", q.ID, q.Text)
				}
			}
		}
	}
	if topicsSeen == 0 {
		t.Fatal("no topics")
	}
	// Label edit, recorded, original shown.
	first := od.Result.Synthesis.Themes[0]
	origLabel := first.Other.Label
	if len(first.Topics) > 0 {
		origLabel = first.Topics[0].Label
	}
	e.post(fmt.Sprintf("%s/syntheses/%d/label", e.base, syn.ID), url.Values{"theme": {"0"}, "topic": {"0"}, "label": {"Cycling & buses"}}).Must(t, http.StatusSeeOther)
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "Cycling &amp; buses", "Machine label: "+strings.ReplaceAll(origLabel, "'", "&#39;"))
	entries, _, err := e.in.App.Audit.List(ctx, e.in.Org.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, en := range entries {
		if en.Action == "synthesis.label" && strings.Contains(en.Details, "Cycling & buses") {
			found = true
		}
	}
	if !found {
		t.Fatalf("label edit not in the audit log: %+v", entries)
	}
	e.post(fmt.Sprintf("%s/syntheses/%d/introduction", e.base, syn.ID), url.Values{"introduction": {"Read me first."}}).Must(t, http.StatusSeeOther)
	// Publish: frozen, edits refused, visitors read it.
	e.post(fmt.Sprintf("%s/syntheses/%d/publish", e.base, syn.ID), url.Values{}).Must(t, http.StatusSeeOther)
	e.post(fmt.Sprintf("%s/syntheses/%d/label", e.base, syn.ID), url.Values{"theme": {"0"}, "topic": {"0"}, "label": {"Other"}}).Must(t, http.StatusConflict)
	e.post(fmt.Sprintf("%s/syntheses/%d/introduction", e.base, syn.ID), url.Values{"introduction": {"changed"}}).Must(t, http.StatusConflict)
	var after synthesis.Synthesis
	e.in.App.DB.First(&after, syn.ID)
	if after.Result != syn.Result || after.Introduction != "Read me first." || after.Status != synthesis.StatusPublished {
		t.Fatal("published version changed")
	}
	v := e.in.Client()
	v.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "Cycling &amp; buses", "Read me first.")
	md := v.Get(fmt.Sprintf("%s/syntheses/%d/synthesis.md", e.base, syn.ID)).Must(t, http.StatusOK)
	md.Contains(t, "# ", "Cycling & buses", syn.InputHash)
	if cd := md.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Fatalf("markdown disposition %q", cd)
	}
	h := v.Get(fmt.Sprintf("%s/syntheses/%d/synthesis.html", e.base, syn.ID)).Must(t, http.StatusOK)
	h.Contains(t, "<style>", "<svg", "Cycling &amp; buses")
	if cd := h.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Fatalf("html disposition %q", cd)
	}
	// API status and read.
	st := v.JSON(http.MethodGet, fmt.Sprintf("/api/v1%s/syntheses/%d/status", e.base, syn.ID), "", "").Must(t, http.StatusOK)
	st.Contains(t, `"status":"published"`, `"progress":100`)
	// A second version is interim 2.
	syn2 := e.build(url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10)}})
	if syn2.Number != 2 || syn2.Status != synthesis.StatusReady {
		t.Fatalf("second version: %+v", syn2)
	}
}

func TestSingleContributionPartial(t *testing.T) {
	e := newEnv(t, 1, nil)
	syn := e.build(url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10)}})
	if syn.Status != synthesis.StatusReady {
		t.Fatalf("status %s error %q", syn.Status, syn.Error)
	}
	var res synthesis.Result
	if err := json.Unmarshal([]byte(syn.Result), &res); err != nil {
		t.Fatal(err)
	}
	if res.Synthesis.Contributions != 1 || len(res.Synthesis.Notes) == 0 {
		t.Fatalf("single contribution: %+v", res.Synthesis)
	}
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, html.EscapeString(res.Synthesis.Notes[0]))
}

// fakeLLM is an OpenAI-compatible endpoint that records what it is sent.
func TestSummariserPlumbing(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		calls++
		fmt.Fprint(w, `{"choices":[{"message":{"content":"People ask for fewer cars."}}]}`)
	}))
	defer srv.Close()
	sum := &synthesis.OpenAIChat{BaseURL: srv.URL + "/v1", ModelName: "fake-1", APIKey: "k", HTTP: srv.Client()}
	e := newEnv(t, 150, sum)
	syn := e.build(url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10)}})
	var res synthesis.Result
	if err := json.Unmarshal([]byte(syn.Result), &res); err != nil {
		t.Fatal(err)
	}
	if calls == 0 || len(res.Machine) == 0 || len(res.Machine[0].IDs) == 0 || res.Machine[0].Model != "fake-1" {
		t.Fatalf("machine summaries: calls %d %+v", calls, res.Machine)
	}
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "Machine-written (fake-1):", "People ask for fewer cars.", "["+res.Machine[0].IDs[0]+"]")
}

func TestSummariserOffByDefault(t *testing.T) {
	t.Setenv("POLDER_SYNTHESIS_LLM_URL", "")
	if synthesis.New().Summariser != nil {
		t.Fatal("summariser on without configuration")
	}
}
