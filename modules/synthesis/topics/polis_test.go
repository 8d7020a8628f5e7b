// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/realdata"
)

// polisConversations are the Pol.is open-data conversations pooled in the
// known-label test; each conversation is one known theme.
var polisConversations = []string{
	"15-per-hour-seattle",
	"brexit-consensus",
	"canadian-electoral-reform",
	"london.youth.policing",
	"scoop-hivemind.freshwater",
	"scoop-hivemind.ubi",
	"vtaiwan.uberx",
}

// loadPolis reads the statements of the conversations that moderators did
// not reject, as contributions of one pooled slice; known maps each id to
// its conversation.
func loadPolis(t testing.TB) ([]Contribution, map[string]string) {
	t.Helper()
	var cs []Contribution
	known := map[string]string{}
	for _, conv := range polisConversations {
		path := filepath.Join(realdata.SharedData(t, "polis", conv), "comments.csv")
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("opening %s: %v", path, err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, r := range rows[1:] {
			if r[col["moderated"]] == "-1" {
				continue
			}
			ms, _ := strconv.ParseInt(r[col["timestamp"]], 10, 64)
			agrees, _ := strconv.Atoi(r[col["agrees"]])
			id := conv + "/" + r[col["comment-id"]]
			cs = append(cs, Contribution{
				ID:       id,
				Text:     r[col["comment-body"]],
				Session:  conv,
				Date:     time.UnixMilli(ms).UTC(),
				Supports: agrees,
			})
			known[id] = conv
		}
	}
	return cs, known
}

// topicLabels maps every analysed contribution id to its topic (or
// "other") for NMI.
func topicLabels(t testing.TB, s *Synthesis) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, th := range s.Themes {
		for n, tp := range th.Topics {
			for _, id := range tp.IDs {
				out[id] = th.Theme + "#" + strconv.Itoa(n)
			}
		}
		if th.Other != nil {
			for _, id := range th.Other.IDs {
				out[id] = th.Theme + "#other"
			}
		}
	}
	return out
}

func nmiAgainst(got, known map[string]string) (float64, int) {
	var a, b []string
	for id, k := range known {
		if g, ok := got[id]; ok {
			a = append(a, g)
			b = append(b, k)
		}
	}
	return NMI(a, b), len(a)
}

func TestPolisConversationsRecovered(t *testing.T) {
	cs, known := loadPolis(t)
	syn, err := Build(context.Background(), Input{Contributions: cs, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := topicLabels(t, syn)
	nmi, n := nmiAgainst(got, known)
	t.Logf("Pol.is pooled: %d statements, %d analysed, %d left out; k=%d silhouette=%.3f; NMI=%.3f over %d",
		len(cs), syn.Analysed, len(syn.LeftOut), syn.Themes[0].K, syn.Themes[0].Silhouette, nmi, n)
	for _, tp := range syn.Themes[0].Topics {
		t.Logf("  %4d %-50s %s", tp.Size, tp.Label, fmtShares(tp.BySession))
	}
	if o := syn.Themes[0].Other; o != nil {
		t.Logf("  %4d other contributions", o.Size)
	}
	if nmi < 0.5 {
		t.Errorf("NMI between topics and conversations is %.3f, below 0.5", nmi)
	}
	// The vTaiwan conversation is in Chinese: it must be left out as an
	// unsupported language, not forced into a topic.
	leftUber := 0
	for _, l := range syn.LeftOut {
		if known[l.ID] == "vtaiwan.uberx" {
			leftUber++
		}
	}
	uber := 0
	for _, k := range known {
		if k == "vtaiwan.uberx" {
			uber++
		}
	}
	t.Logf("vtaiwan.uberx (Chinese): %d of %d left out; English statements left out: %d of %d", leftUber, uber, len(syn.LeftOut)-leftUber, len(cs)-uber)
	// The other six conversations are in English: an independent check
	// of the language detector on real statements.
	if english := len(cs) - uber; float64(len(syn.LeftOut)-leftUber) > 0.02*float64(english) {
		t.Errorf("%d of %d English statements left out", len(syn.LeftOut)-leftUber, english)
	}
	if float64(leftUber) < 0.9*float64(uber) {
		t.Errorf("only %d of %d Chinese statements were left out", leftUber, uber)
	}
}

func fmtShares(ss []Share) string {
	s := ""
	for _, x := range ss {
		if x.Count > 0 {
			s += fmt.Sprintf(" %s:%d", x.Key, x.Count)
		}
	}
	return s
}
