// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/modules/synthesis"
	"github.com/polder-civic/polder/modules/synthesis/topics"
)

// bigResult is a synthesis result of n contributions in 6 themes of 12
// topics and other contributions each, shaped like a real one (every
// contribution listed in one topic and among the sources, 5 quotes a
// topic): what a published synthesis of a large process holds.
func bigResult(n int, base string) *synthesis.Result {
	const themes, perTheme = 6, 12
	res := &synthesis.Result{Synthesis: &topics.Synthesis{Contributions: n, Analysed: n, Method: topics.Method, Seed: 1}}
	quote := strings.Repeat("A contribution long enough to be a real quote, with its reasons. ", 5)
	for th := range themes {
		ts := topics.ThemeSynthesis{Theme: "theme-" + strconv.Itoa(th), K: perTheme}
		groups := make([][]string, perTheme+1)
		for i := th; i < n; i += themes {
			k := (i / themes) % (perTheme + 1)
			groups[k] = append(groups[k], "proposals:1:"+strconv.Itoa(i))
		}
		for k, ids := range groups {
			tp := topics.Topic{Label: fmt.Sprintf("term%d · word%d · thing%d", k, k, k), Terms: []string{"term", "word", "thing"},
				Size: len(ids), Voices: len(ids), IDs: ids,
				BySession:    []topics.Share{{Key: "s1", Count: len(ids) / 2}, {Key: "s2", Count: len(ids) - len(ids)/2}},
				ByAuthorType: []topics.Share{{Key: "person", Count: len(ids)}},
				ByLanguage:   []topics.Share{{Key: "fr", Count: len(ids) / 2}, {Key: "en", Count: len(ids) - len(ids)/2}}}
			for q := range min(5, len(ids)) {
				tp.Quotes = append(tp.Quotes, topics.Quote{ID: ids[q], Text: quote, Copies: 1})
			}
			ts.Size += len(ids)
			ts.Voices += len(ids)
			if k == perTheme {
				tp.Other = true
				ts.Other = &tp
			} else {
				ts.Topics = append(ts.Topics, tp)
			}
		}
		res.Synthesis.Themes = append(res.Synthesis.Themes, ts)
	}
	for i := range n {
		res.Contributions = append(res.Contributions, synthesis.Source{ID: "proposals:1:" + strconv.Itoa(i), Kind: "proposal",
			Title: "A proposal title of a usual length, number " + strconv.Itoa(i), URL: base + "/proposals/" + strconv.Itoa(i), Theme: "theme-" + strconv.Itoa(i%themes)})
	}
	return res
}

// publishedBig stores a published version holding bigResult(n).
func publishedBig(b testing.TB, n int) (*env, string) {
	e := newEnv(b, 12, nil)
	syn := e.build(url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10)}})
	js, err := json.Marshal(bigResult(n, strings.TrimSuffix(e.base, strconv.FormatInt(e.comp.ID, 10))+strconv.FormatInt(e.props.ID, 10)))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	if err := e.in.App.DB.Model(&synthesis.Synthesis{}).Where("id = ?", syn.ID).
		Updates(map[string]any{"result": string(js), "status": synthesis.StatusPublished, "published_at": now, "updated_at": now}).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("result of %d contributions: %d bytes of JSON", n, len(js))
	return e, fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)
}

// BenchmarkPublishedPage measures what a visitor waits for: the page of
// a published synthesis, the page of one of its topics, and its open data
// and CSV downloads, for 10,000 contributions (100,000 with
// POLDER_BIG_BENCH=1).
func BenchmarkPublishedPage(b *testing.B) {
	sizes := []int{10_000}
	if os.Getenv("POLDER_BIG_BENCH") == "1" {
		sizes = append(sizes, 100_000)
	}
	for _, n := range sizes {
		e, page := publishedBig(b, n)
		visitor := e.in.Client()
		b.Run(fmt.Sprintf("synthesis/%d", n), func(b *testing.B) {
			for b.Loop() {
				visitor.Get(page).Must(b, http.StatusOK)
			}
		})
		b.Run(fmt.Sprintf("topic/%d", n), func(b *testing.B) {
			for b.Loop() {
				visitor.Get(page+"/topics/0/0").Must(b, http.StatusOK)
			}
		})
		b.Run(fmt.Sprintf("opendata/%d", n), func(b *testing.B) {
			for b.Loop() {
				visitor.Get(page+"/synthesis.json").Must(b, http.StatusOK)
			}
		})
		b.Run(fmt.Sprintf("csv/%d", n), func(b *testing.B) {
			for b.Loop() {
				visitor.Get(page+"/synthesis.csv").Must(b, http.StatusOK)
			}
		})
	}
}
