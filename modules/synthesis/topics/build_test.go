// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestBuildBadInput(t *testing.T) {
	huge := strings.Repeat("Le tramway doit desservir les quartiers nord et la gare. ", 5000)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	many := func(n int, text func(i int) string) []Contribution {
		var cs []Contribution
		for i := range n {
			cs = append(cs, Contribution{ID: fmt.Sprintf("x%d", i), Text: text(i), Date: base.Add(time.Duration(i) * time.Hour)})
		}
		return cs
	}
	cases := []struct {
		name    string
		in      []Contribution
		wantErr error
		check   func(t *testing.T, s *Synthesis)
	}{
		{name: "Empty", in: nil, check: func(t *testing.T, s *Synthesis) {
			if len(s.Notes) == 0 || len(s.Themes) != 0 {
				t.Errorf("empty input: notes %q, %d themes", s.Notes, len(s.Themes))
			}
		}},
		{name: "Single", in: many(1, func(int) string { return "More buses at night please." }), check: func(t *testing.T, s *Synthesis) {
			if len(s.Themes) != 1 || len(s.Themes[0].Topics) != 0 || s.Themes[0].Other == nil || s.Themes[0].Other.Size != 1 {
				t.Errorf("single contribution not listed as other: %+v", s.Themes)
			}
			if len(s.Notes) == 0 {
				t.Error("no note explains the missing topics")
			}
		}},
		{name: "AllIdentical", in: many(30, func(int) string { return "Stop the airport extension now." }), check: func(t *testing.T, s *Synthesis) {
			if s.DuplicateGroups != 1 || s.DuplicateContributions != 30 {
				t.Errorf("duplicates %d/%d", s.DuplicateGroups, s.DuplicateContributions)
			}
		}},
		{name: "UnsupportedLanguage", in: append(
			many(3, func(i int) string { return "Wir brauchen mehr Busse und Bahnen in der Stadt." }),
			Contribution{ID: "given", Text: "Plus de bus la nuit.", Language: "es"}), check: func(t *testing.T, s *Synthesis) {
			if len(s.LeftOut) != 4 || s.Analysed != 0 {
				t.Errorf("left out %v, analysed %d", s.LeftOut, s.Analysed)
			}
			for _, l := range s.LeftOut {
				if !strings.Contains(l.Reason, "language") {
					t.Errorf("%s left out for %q", l.ID, l.Reason)
				}
			}
		}},
		{name: "EnormousText", in: append(many(20, func(i int) string {
			return fmt.Sprintf("Idea %d: more trees and benches in the park near the school %d.", i, i)
		}), Contribution{ID: "huge", Text: huge}), check: func(t *testing.T, s *Synthesis) {
			found := false
			for _, n := range s.Notes {
				found = found || strings.Contains(n, "first 10000 characters")
			}
			if !found {
				t.Errorf("no truncation note: %q", s.Notes)
			}
			for _, th := range s.Themes {
				for _, tp := range append(th.Topics, otherOrEmpty(th)...) {
					for _, q := range tp.Quotes {
						if q.ID == "huge" && q.Text != huge {
							t.Error("quote of the enormous text is not verbatim")
						}
					}
				}
			}
		}},
		{name: "MarkupOnlyAndBlank", in: []Contribution{{ID: "a", Text: "<p></p>"}, {ID: "b", Text: "   "}, {ID: "c", Text: "http://example.org"}}, check: func(t *testing.T, s *Synthesis) {
			if len(s.LeftOut) != 3 {
				t.Errorf("left out %v", s.LeftOut)
			}
		}},
		{name: "StopWordsOnly", in: many(12, func(i int) string { return fmt.Sprintf("It is what it is, and we are where we are %d.", i) }), check: func(t *testing.T, s *Synthesis) {
			if len(s.Themes) != 1 || s.Themes[0].Other == nil {
				t.Errorf("texts without content words not listed: %+v", s.Themes)
			}
		}},
		{name: "MissingID", in: []Contribution{{ID: "", Text: "x"}}, wantErr: ErrInvalidInput},
		{name: "RepeatedID", in: []Contribution{{ID: "a", Text: "x"}, {ID: "a", Text: "y"}}, wantErr: ErrInvalidInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Build(context.Background(), Input{Contributions: c.in, Seed: 1})
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("error %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			total := len(s.LeftOut)
			for _, th := range s.Themes {
				total += th.Size
			}
			if total != len(c.in) {
				t.Errorf("%d contributions accounted for, %d given", total, len(c.in))
			}
			c.check(t, s)
		})
	}
}

func TestBuildCancelled(t *testing.T) {
	cs, _ := loadClimate(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, Input{Contributions: cs}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestProgressAndOpinionMap(t *testing.T) {
	cs, _ := loadClimate(t)
	om := &OpinionMap{
		Conversation: "climat",
		Consensus:    []Statement{{ID: "s1", Text: "Il faut plus de trains.", Votes: 120, AgreePercent: 91}},
		Divisive:     []Statement{{ID: "s2", Text: "Taxer la viande.", Votes: 98, AgreePercent: 48, DisagreePercent: 45}},
	}
	stages := map[string]int{}
	s, err := Build(context.Background(), Input{Contributions: cs, Seed: 2, OpinionMap: om, Progress: func(p Progress) {
		stages[p.Stage]++
		if p.Done > p.Total {
			t.Errorf("progress %d of %d", p.Done, p.Total)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"analyse", "duplicates", "vectors", "topics", "labels"} {
		if stages[st] == 0 {
			t.Errorf("no progress reported for stage %s", st)
		}
	}
	if s.OpinionMap != om || s.OpinionMap.Divisive[0].Text != "Taxer la viande." {
		t.Error("opinion map not passed through verbatim")
	}
	if s.Method == "" {
		t.Error("method missing")
	}
}

func TestExtraStopWords(t *testing.T) {
	cs, _ := loadClimate(t)
	s, err := Build(context.Background(), Input{Contributions: cs, Seed: 1, StopWords: []string{"Électricité", "heating"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range s.Themes {
		for _, tp := range th.Topics {
			for _, term := range tp.Terms {
				if strings.Contains(term, "électricité") || strings.Contains(term, "heating") {
					t.Errorf("stop word in label %q", tp.Label)
				}
			}
		}
	}
}

func TestNMI(t *testing.T) {
	a := []string{"x", "x", "y", "y"}
	if got := NMI(a, []string{"1", "1", "2", "2"}); got < 0.999 {
		t.Errorf("same partition: NMI %.3f", got)
	}
	if got := NMI(a, []string{"1", "2", "1", "2"}); got > 1e-9 {
		t.Errorf("independent partitions: NMI %.3f", got)
	}
	if got := NMI(a, []string{"1", "1", "2", "3"}); got <= 0 || got >= 1 {
		t.Errorf("refinement: NMI %.3f", got)
	}
}

// Small slices get the runs' work of the largest sample, as more runs,
// within [defaultRuns, maxRuns].
func TestConsensusRunsScaleWithSample(t *testing.T) {
	for _, c := range []struct{ n, want int }{
		{selectionSample, defaultRuns}, {5000, defaultRuns}, {389, 617}, {157, 1529}, {24, maxRuns}, {0, maxRuns},
	} {
		if got := consensusRuns(c.n); got != c.want {
			t.Errorf("consensusRuns(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}
