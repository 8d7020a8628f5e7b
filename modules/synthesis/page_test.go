// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polder-civic/polder/modules/synthesis"
	"github.com/polder-civic/polder/modules/synthesis/topics"
)

var listedRef = regexp.MustCompile(`<span class="hint">(proposals:1:\d+)</span>`)

// TestTopicPagesListEveryContribution walks the pages of a topic of a
// large published synthesis: 200 contributions a page, numbered on, with
// links to the previous and next pages; together the pages list the
// topic's contributions exactly once each, in order. Out-of-range page
// numbers go to the nearest page.
func TestTopicPagesListEveryContribution(t *testing.T) {
	e, page := publishedBig(t, 20_000)
	_, res := e.latest()
	want := res.Synthesis.Themes[0].Topics[0].IDs
	if len(want) <= 200 {
		t.Fatalf("topic of %d contributions: too small to need pages", len(want))
	}
	pages := (len(want) + 199) / 200
	visitor := e.in.Client()
	var got []string
	for p := 1; p <= pages; p++ {
		body := visitor.Get(fmt.Sprintf("%s/topics/0/0?page=%d", page, p)).Must(t, http.StatusOK).
			Contains(t, fmt.Sprintf("Page %d of %d", p, pages), fmt.Sprintf(`start="%d"`, 200*(p-1)+1)).Body
		refs := listedRef.FindAllStringSubmatch(body, -1)
		if n := min(200, len(want)-200*(p-1)); len(refs) != n {
			t.Errorf("page %d lists %d contributions, want %d", p, len(refs), n)
		}
		for _, r := range refs {
			got = append(got, r[1])
		}
		if hasPrev := strings.Contains(body, `rel="prev"`); hasPrev != (p > 1) {
			t.Errorf("page %d: link to the previous page %v", p, hasPrev)
		}
		if hasNext := strings.Contains(body, `rel="next"`); hasNext != (p < pages) {
			t.Errorf("page %d: link to the next page %v", p, hasNext)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the pages list %d contributions, not the topic's %d in order", len(got), len(want))
	}
	visitor.Get(page+"/topics/0/0?page=999").Must(t, http.StatusOK).Contains(t, fmt.Sprintf("Page %d of %d", pages, pages))
	visitor.Get(page+"/topics/0/0?page=x").Must(t, http.StatusOK).Contains(t, fmt.Sprintf("Page 1 of %d", pages))
}

// TestReadSeesNewResult checks the cache of decoded results: concurrent
// readers get the page, and a result written since (by another
// instance's build, here straight into the row) is what the next reader
// sees.
func TestReadSeesNewResult(t *testing.T) {
	e, page := publishedBig(t, 2_000)
	visitor := e.in.Client()
	label := "term0 · word0 · thing0"
	visitor.Get(page).Must(t, http.StatusOK).Contains(t, label)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				visitor.Get(page).Must(t, http.StatusOK).Contains(t, label)
				visitor.Get(page+"/topics/0/0").Must(t, http.StatusOK).Contains(t, label)
			}
		})
	}
	wg.Wait()

	syn, _ := e.latest()
	renamed := strings.ReplaceAll(syn.Result, label, "rebuilt elsewhere")
	if err := e.in.App.DB.Model(&synthesis.Synthesis{}).Where("id = ?", syn.ID).
		Updates(map[string]any{"result": renamed, "updated_at": syn.UpdatedAt.Add(time.Second)}).Error; err != nil {
		t.Fatal(err)
	}
	body := visitor.Get(page).Must(t, http.StatusOK).Contains(t, "rebuilt elsewhere").Body
	if strings.Contains(body, label) {
		t.Error("the page still shows the result read before the write")
	}
}

// TestLeftOutListBounded checks that a synthesis with many contributions
// left out lists the first 100 on its page, says how many more there are
// and points to the open data, which holds them all.
func TestLeftOutListBounded(t *testing.T) {
	e, page := publishedBig(t, 500)
	syn, res := e.latest()
	for i := range 130 {
		res.Synthesis.LeftOut = append(res.Synthesis.LeftOut, topics.LeftOut{ID: fmt.Sprintf("proposals:1:%d", 10_000+i), Reason: "language not supported (other)"})
	}
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.in.App.DB.Model(&synthesis.Synthesis{}).Where("id = ?", syn.ID).
		Updates(map[string]any{"result": string(js), "updated_at": syn.UpdatedAt.Add(time.Second)}).Error; err != nil {
		t.Fatal(err)
	}
	body := e.in.Client().Get(page).Must(t, http.StatusOK).Contains(t, "Contributions left out (130)", "30 more are listed in the open data:", `href="`+page+`/synthesis.json"`).Body
	if n := strings.Count(body, ": language not supported (other)</li>"); n != 100 {
		t.Errorf("the page lists %d left-out contributions, want 100", n)
	}
	if !strings.Contains(body, "proposals:1:10099: ") || strings.Contains(body, "proposals:1:10100: ") {
		t.Error("the page does not list the first 100 left-out contributions")
	}
	e.in.Client().Get(page+"/synthesis.json").Must(t, http.StatusOK).Contains(t, `"id":"proposals:1:10129"`)
}

// latest reads the newest version stored and its result.
func (e *env) latest() (synthesis.Synthesis, synthesis.Result) {
	e.t.Helper()
	var syn synthesis.Synthesis
	if err := e.in.App.DB.Order("id DESC").First(&syn).Error; err != nil {
		e.t.Fatal(err)
	}
	var res synthesis.Result
	if err := json.Unmarshal([]byte(syn.Result), &res); err != nil {
		e.t.Fatal(err)
	}
	return syn, res
}

// TestOpenDataServesStoredResult checks the open data: valid JSON with
// the stored result under a single "result" key, and the version's own
// fields around it.
func TestOpenDataServesStoredResult(t *testing.T) {
	e, page := publishedBig(t, 300)
	syn, _ := e.latest()
	body := e.in.Client().Get(page+"/synthesis.json").Must(t, http.StatusOK).Body
	if !json.Valid([]byte(body)) {
		t.Fatalf("not JSON: %.200s", body)
	}
	if n := strings.Count(body, `"result":`); n != 1 {
		t.Errorf("%d result keys", n)
	}
	var stored synthesis.Result
	if err := json.Unmarshal([]byte(syn.Result), &stored); err != nil {
		t.Fatal(err)
	}
	var od synthesis.OpenData
	if err := json.Unmarshal([]byte(body), &od); err != nil || od.Result == nil || od.Result.Synthesis.Contributions != 300 ||
		len(od.Result.Contributions) != len(stored.Contributions) || od.Result.Synthesis.Themes[0].Topics[0].Label != stored.Synthesis.Themes[0].Topics[0].Label || !strings.HasPrefix(od.Name, "interim") || od.Covers == "" {
		t.Errorf("open data %+v: %v", od, err)
	}
}
