// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis_test

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/polder-civic/polder/modules/opinionmap"
	"github.com/polder-civic/polder/modules/proposals"
)

// TestSliceFilters builds versions sliced by theme, by session, by a date
// range (from included, to excluded, given as days and as exact instants
// that fall on contributions) and by all three at once, and checks that
// each holds exactly the contributions of the slice, recounted from the
// proposals' and statements' own rows. The conversation's statements have
// no theme or session: theme and session slices leave them out.
func TestSliceFilters(t *testing.T) {
	e, om, conv := newConversationEnv(t, 120)
	for _, b := range []string{"More night trains", "Fewer flights", "Insulate the schools"} {
		if _, err := om.Service().Submit(context.Background(), conv, nil, b, true); err != nil {
			t.Fatal(err)
		}
	}
	var statements []opinionmap.Statement
	if err := e.in.App.DB.Where("component_id = ?", conv.ID).Find(&statements).Error; err != nil || len(statements) != 3 {
		t.Fatalf("statements %d %v", len(statements), err)
	}
	var rows []proposals.Proposal
	if err := e.in.App.DB.Where("component_id = ? AND state IN ?", e.props.ID, []string{proposals.StatePublished, proposals.StateWithdrawn}).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 120 {
		t.Fatalf("%d visible demo proposals, want 120", len(rows))
	}
	ref := func(p proposals.Proposal) string {
		return "proposals:" + strconv.FormatInt(e.props.ID, 10) + ":" + strconv.FormatInt(p.ID, 10)
	}
	// Pick a theme and a session that hold some but not all proposals,
	// and date bounds inside the range of publication dates.
	count := func(key func(proposals.Proposal) int64) (int64, int) {
		n := map[int64]int{}
		for _, p := range rows {
			n[key(p)]++
		}
		best, bn := int64(0), 0
		for k, c := range n {
			if c < len(rows) && (c > bn || c == bn && k < best) {
				best, bn = k, c
			}
		}
		return best, bn
	}
	theme, nTheme := count(func(p proposals.Proposal) int64 { return p.ThemeID })
	session, nSession := count(func(p proposals.Proposal) int64 { return p.SessionID })
	if theme == 0 || session == 0 {
		t.Fatalf("demo proposals have no theme (%d, %d) or session (%d, %d) to slice by", theme, nTheme, session, nSession)
	}
	dates := make([]time.Time, len(rows))
	for i, p := range rows {
		dates[i] = p.PublishedAt.UTC()
	}
	sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
	from, to := dates[len(dates)/4], dates[3*len(dates)/4]
	if !from.Before(to) {
		t.Fatalf("publication dates too close to slice: %v %v", from, to)
	}
	fromDay, toDay := from.Truncate(24*time.Hour), to.Truncate(24*time.Hour).Add(24*time.Hour)

	cases := []struct {
		name string
		form url.Values
		in   func(p proposals.Proposal) bool
	}{
		{"theme", url.Values{"theme_id": {strconv.FormatInt(theme, 10)}}, func(p proposals.Proposal) bool { return p.ThemeID == theme }},
		{"session", url.Values{"session_id": {strconv.FormatInt(session, 10)}}, func(p proposals.Proposal) bool { return p.SessionID == session }},
		{"days", url.Values{"from": {fromDay.Format(time.DateOnly)}, "to": {toDay.Add(-24 * time.Hour).Format(time.DateOnly)}}, func(p proposals.Proposal) bool {
			at := p.PublishedAt.UTC()
			return !at.Before(fromDay) && at.Before(toDay.Add(-24*time.Hour))
		}},
		{"instants", url.Values{"from": {from.Format(time.RFC3339Nano)}, "to": {to.Format(time.RFC3339Nano)}}, func(p proposals.Proposal) bool {
			at := p.PublishedAt.UTC()
			return !at.Before(from) && at.Before(to)
		}},
		{"from only", url.Values{"from": {from.Format(time.RFC3339Nano)}}, func(p proposals.Proposal) bool { return !p.PublishedAt.UTC().Before(from) }},
		{"all three", url.Values{"theme_id": {strconv.FormatInt(theme, 10)}, "session_id": {strconv.FormatInt(session, 10)},
			"from": {fromDay.Format(time.DateOnly)}, "to": {toDay.Format(time.DateOnly)}}, func(p proposals.Proposal) bool {
			at := p.PublishedAt.UTC()
			return p.ThemeID == theme && p.SessionID == session && !at.Before(fromDay) && at.Before(toDay)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []string
			for _, p := range rows {
				if c.in(p) {
					want = append(want, ref(p))
				}
			}
			if len(want) == 0 || len(want) == len(rows) {
				t.Fatalf("the %s slice holds %d of %d proposals: it tests nothing", c.name, len(want), len(rows))
			}
			for _, st := range statements {
				// A statement as the predicate sees it: no theme, no
				// session, dated when it was written.
				at := st.CreatedAt.UTC()
				if c.in(proposals.Proposal{PublishedAt: &at}) {
					want = append(want, "opinionmap:"+strconv.FormatInt(conv.ID, 10)+":"+strconv.FormatInt(st.ID, 10))
				}
			}
			form := url.Values{"kind": {"interim"}, "sources": {strconv.FormatInt(e.props.ID, 10), strconv.FormatInt(conv.ID, 10)}}
			for k, v := range c.form {
				form[k] = v
			}
			res := decodeResult(t, e.build(form))
			var got []string
			for _, s := range res.Contributions {
				got = append(got, s.ID)
			}
			// And what the topics count is the same set.
			var counted []string
			for _, th := range res.Synthesis.Themes {
				for _, tp := range th.Topics {
					counted = append(counted, tp.IDs...)
				}
				if th.Other != nil {
					counted = append(counted, th.Other.IDs...)
				}
			}
			for _, l := range res.Synthesis.LeftOut {
				counted = append(counted, l.ID)
			}
			slices.Sort(want)
			slices.Sort(got)
			slices.Sort(counted)
			if !slices.Equal(got, want) {
				t.Errorf("%s slice: %d contributions read, want %d\n got  %v\n want %v", c.name, len(got), len(want), got, want)
			}
			if !slices.Equal(counted, want) || res.Synthesis.Contributions != len(want) {
				t.Errorf("%s slice: topics count %d contributions (%d in total), want %d", c.name, len(counted), res.Synthesis.Contributions, len(want))
			}
			t.Logf("%s: %d contributions (of %d proposals and %d statements)", c.name, len(want), len(rows), len(statements))
		})
	}
}
