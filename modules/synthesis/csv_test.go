// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestCSVDownloadListsEveryContribution checks synthesis.csv: one row per
// contribution, each in the theme and topic the open data puts it in,
// with the topic's label as the page shows it (edited labels included),
// and organisers only until the version is published.
func TestCSVDownloadListsEveryContribution(t *testing.T) {
	e := newEnv(t, 60, nil)
	syn := e.build(url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10)}})
	res := decodeResult(t, syn)
	u := fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)
	e.in.Client().Get(u+"/synthesis.csv").Must(t, http.StatusNotFound)
	e.post(u+"/label", url.Values{"theme": {"0"}, "topic": {"0"}, "label": {"Edited label"}}).Must(t, http.StatusSeeOther)

	r := e.admin.Get(u+"/synthesis.csv").Must(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "id,kind,title,url,theme,topic,topic_label,left_out_reason" {
		t.Fatalf("header %v", rows[0])
	}
	want := map[string]string{} // id -> topic number and label
	for ti, th := range res.Synthesis.Themes {
		for k, tp := range th.Topics {
			label := tp.Label
			if ti == 0 && k == 0 {
				label = "Edited label"
			}
			for _, id := range tp.IDs {
				want[id] = strconv.Itoa(k+1) + " " + label
			}
		}
		if th.Other != nil {
			for _, id := range th.Other.IDs {
				want[id] = "other " + th.Other.Label
			}
		}
	}
	if len(rows)-1 != res.Synthesis.Contributions || len(want) != res.Synthesis.Contributions {
		t.Fatalf("%d rows, %d contributions in topics, %d contributions", len(rows)-1, len(want), res.Synthesis.Contributions)
	}
	for _, row := range rows[1:] {
		if got := row[5] + " " + row[6]; got != want[row[0]] {
			t.Errorf("%s: topic %q, want %q", row[0], got, want[row[0]])
		}
		if row[1] != "proposal" || !strings.Contains(row[3], "/proposals/") || row[2] == "" || row[4] == "" {
			t.Errorf("row %v lacks the contribution's kind, title, link or theme", row)
		}
		delete(want, row[0])
	}
	if len(want) != 0 {
		t.Errorf("not in the CSV: %v", want)
	}
	e.post(u+"/publish", url.Values{}).Must(t, http.StatusSeeOther)
	e.in.Client().Get(u+"/synthesis.csv").Must(t, http.StatusOK)
	e.admin.Get(u).Must(t, http.StatusOK).Contains(t, `href="`+u+`/synthesis.csv"`, "Contributions by topic (CSV)")
}
