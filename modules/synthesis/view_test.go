// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"testing"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/synthesis/topics"
)

// Contributions without a session are named in the reader's language
// beside those of a session; a slice with no session at all shows no
// shares per session.
func TestViewSessions(t *testing.T) {
	sp := &registry.Space{Sessions: []registry.Session{{Key: "s1", Title: i18n.Text{"en": "First intersession"}}}}
	topic := func(shares ...topics.Share) topics.Topic { return topics.Topic{Label: "x", BySession: shares} }
	res := &Result{Synthesis: &topics.Synthesis{Themes: []topics.ThemeSynthesis{{Theme: "t", Topics: []topics.Topic{
		topic(topics.Share{Key: "s1", Count: 2, Share: 0.5}, topics.Share{Key: unspecifiedSession, Count: 1, Share: 0.25}),
		topic(topics.Share{Key: unspecifiedSession, Count: 3, Share: 1}),
		topic(topics.Share{Key: "s1", Count: 1, Share: 0.25}, topics.Share{Key: unspecifiedSession, Count: 0, Share: 0}),
	}}}}}
	v := newView(&Synthesis{}, newDecoded(res), sp, "en", viewWords{NoTheme: "no theme", NoSession: "no session", Other: "other contributions"})
	got := v.Themes[0].Topics
	if len(got[0].BySession) != 2 || got[0].BySession[0].Name != "First intersession" || got[0].BySession[1].Name != "no session" {
		t.Errorf("mixed sessions shown as %+v", got[0].BySession)
	}
	if len(got[1].BySession) != 0 {
		t.Errorf("a slice without sessions shows %+v", got[1].BySession)
	}
	if len(got[2].BySession) != 1 {
		t.Errorf("a topic with none of the contributions without a session shows %+v", got[2].BySession)
	}
}

// The group of other contributions is named in the reader's language,
// whatever the method called it.
func TestViewOtherLabel(t *testing.T) {
	res := &Result{Synthesis: &topics.Synthesis{Themes: []topics.ThemeSynthesis{{Theme: "t",
		Topics: []topics.Topic{{Label: "bike · lanes"}},
		Other:  &topics.Topic{Label: "other contributions", Other: true},
	}}}}
	v := newView(&Synthesis{}, newDecoded(res), &registry.Space{}, "fr", viewWords{Other: "autres contributions"})
	if got := v.Themes[0].Topics; got[0].Label != "bike · lanes" || got[1].Label != "autres contributions" {
		t.Errorf("labels %q, %q", got[0].Label, got[1].Label)
	}
}
