// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"math"
	"time"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/synthesis/topics"
)

// View is a version prepared for the page and the downloads: labels with
// their edits, titles of themes and sessions, quotes with their links.
// Result and Sources are shared with other requests (the service's cache
// of decoded results): read them, never change them.
type View struct {
	Syn     *Synthesis
	Result  *Result
	Themes  []ThemeView
	Sources map[string]Source
	Method  string
	// OpinionMaps are the space's conversations with their consensus and
	// divisive statements.
	OpinionMaps []OpinionMapView
	// LeftOut is the first leftOutShown contributions left out of the
	// analysis, with their reason; LeftOutMore counts the others (all are
	// in the open data).
	LeftOut     []topics.LeftOut
	LeftOutMore int
	// Slice says what the version covers, Covers in a sentence; Summary
	// gives the counts (contributions, people, languages), one sentence
	// each, for the page and the downloads.
	Slice   SliceView
	Covers  string
	Summary []string
}

// SliceView is what a version covers, for the page: theme and session
// titles (empty for all), the date range (from included, to excluded) and
// the titles of its sources.
type SliceView struct {
	Theme, Session string
	From, To       *time.Time
	Sources        []string
	// Kinds names the kinds of contributions read; empty: every kind.
	Kinds []string
}

// unspecifiedSession is the session key topics gives contributions
// without a session.
const unspecifiedSession = "unspecified"

// leftOutShown bounds the list of left-out contributions on the page: a
// process with thousands of texts in other languages keeps a readable page.
const leftOutShown = 100

// OpinionMapView is one conversation's consensus and divisive statements.
type OpinionMapView struct {
	Title, URL, Status   string
	ComputedAt           time.Time
	Participants, Groups int
	Consensus, Divisive  []StatementView
}

// StatementView is a statement with its vote shares in whole percent.
type StatementView struct {
	ID, Text, URL         string
	Votes                 int
	Agree, Disagree, Pass int
	// AllAgree is true for a consensus every group agrees with, false
	// for one every group rejects.
	AllAgree bool
}

func statementViews(sts []topics.Statement) []StatementView {
	out := make([]StatementView, 0, len(sts))
	for _, st := range sts {
		out = append(out, StatementView{ID: st.ID, Text: st.Text, URL: st.URL, Votes: st.Votes, Agree: int(math.Round(st.AgreePercent)),
			Disagree: int(math.Round(st.DisagreePercent)), Pass: int(math.Round(st.PassPercent)), AllAgree: st.Side != "disagree"})
	}
	return out
}

// ThemeView is one theme of the view.
type ThemeView struct {
	Index         int
	Key, Title    string
	Size, Voices  int
	K             int
	Topics        []TopicView
	Duplicates    []topics.DuplicateGroup
	SessionTitles map[string]string
}

// TopicView is one topic (or the "other contributions" group).
type TopicView struct {
	Theme, Index int
	Label        string
	// Original is the machine label when an organiser edited it.
	Original     string
	Size, Voices int
	// Percent is the topic's share of its theme, in whole percent.
	Percent   int
	Terms     []string
	Quotes    []QuoteView
	BySession []ShareView
	Other     bool
	Machine   *MachineSummary
	IDs       []string
}

// QuoteView is a verbatim quote with its link.
type QuoteView struct {
	ID, Text, URL string
	Copies        int
}

// ShareView is a share with a readable name.
type ShareView struct {
	Name    string
	Count   int
	Percent int
}

// newView prepares a version for reading, titles in the locale; noTheme
// names the slice of contributions without a theme.
// viewWords are the words a view needs in the reader's language.
type viewWords struct {
	// NoTheme names the slice of contributions without a theme,
	// NoSession the contributions without a session, Other the group of
	// other contributions.
	NoTheme, NoSession, Other string
}

func newView(syn *Synthesis, d *decoded, sp *registry.Space, locale string, words viewWords) *View {
	res := d.res
	v := &View{Syn: syn, Result: res, Sources: d.sources, Method: topics.Method}
	if res == nil || res.Synthesis == nil {
		return v
	}
	if res.Synthesis.Method != "" {
		v.Method = res.Synthesis.Method // the method this version was built with
	}
	lo := res.Synthesis.LeftOut
	v.LeftOut, v.LeftOutMore = lo[:min(len(lo), leftOutShown)], max(0, len(lo)-leftOutShown)
	for _, om := range res.OpinionMaps {
		v.OpinionMaps = append(v.OpinionMaps, OpinionMapView{Title: om.Title.In(locale, "en"), URL: om.URL, Status: om.Status, ComputedAt: om.ComputedAt,
			Participants: om.Participants, Groups: om.Groups, Consensus: statementViews(om.Consensus), Divisive: statementViews(om.Divisive)})
	}
	if om := res.Synthesis.OpinionMap; om != nil {
		// Given with the input (command line), not read from the space.
		v.OpinionMaps = append(v.OpinionMaps, OpinionMapView{Title: om.Conversation, Status: OpinionMapComputed,
			Consensus: statementViews(om.Consensus), Divisive: statementViews(om.Divisive)})
	}
	labels := syn.decodeLabels()
	themeTitle := map[string]string{}
	sessionTitle := map[string]string{}
	if sp != nil {
		for _, t := range sp.Themes {
			themeTitle[t.Key] = t.Title.In(locale, "en")
		}
		for _, s := range sp.Sessions {
			sessionTitle[s.Key] = s.Title.In(locale, "en")
		}
	}
	for ti, th := range res.Synthesis.Themes {
		tv := ThemeView{Index: ti, Key: th.Theme, Title: themeTitle[th.Theme], Size: th.Size, Voices: th.Voices, K: th.K, Duplicates: th.Duplicates, SessionTitles: sessionTitle}
		if tv.Title == "" {
			tv.Title = th.Theme
		}
		if tv.Title == "" {
			tv.Title = words.NoTheme // contributions outside any theme (e.g. statements)
		}
		all := append([]topics.Topic(nil), th.Topics...)
		if th.Other != nil {
			all = append(all, *th.Other)
		}
		for k, t := range all {
			tp := TopicView{Theme: ti, Index: k, Label: t.Label, Size: t.Size, Voices: t.Voices, Terms: t.Terms, Other: t.Other, IDs: t.IDs}
			if t.Other {
				tp.Label = words.Other
			}
			if th.Size > 0 {
				tp.Percent = (t.Size*100 + th.Size/2) / th.Size
			}
			if e, ok := labels[labelKey(ti, k)]; ok {
				tp.Label, tp.Original = e.Label, e.Original
			}
			for _, q := range t.Quotes {
				tp.Quotes = append(tp.Quotes, QuoteView{ID: q.ID, Text: q.Text, URL: v.Sources[q.ID].URL, Copies: q.Copies})
			}
			// A slice with no sessions (statements) has nothing to say per
			// session; a slice with some names the others in the reader's
			// language.
			if !(len(t.BySession) == 1 && t.BySession[0].Key == unspecifiedSession) {
				for _, s := range t.BySession {
					name := sessionTitle[s.Key]
					if name == "" {
						name = s.Key
					}
					if s.Key == unspecifiedSession {
						if s.Count == 0 {
							continue // none of this topic: nothing to say
						}
						name = words.NoSession
					}
					tp.BySession = append(tp.BySession, ShareView{Name: name, Count: s.Count, Percent: int(s.Share*100 + 0.5)})
				}
			}
			for i := range res.Machine {
				if res.Machine[i].Theme == ti && res.Machine[i].Topic == k {
					tp.Machine = &res.Machine[i]
				}
			}
			tv.Topics = append(tv.Topics, tp)
		}
		v.Themes = append(v.Themes, tv)
	}
	return v
}

// Topic returns a topic of the view.
func (v *View) Topic(theme, topic int) (*ThemeView, *TopicView, bool) {
	if theme < 0 || theme >= len(v.Themes) || topic < 0 || topic >= len(v.Themes[theme].Topics) {
		return nil, nil, false
	}
	return &v.Themes[theme], &v.Themes[theme].Topics[topic], true
}
