// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/polder-civic/polder/core/i18n"
)

// untranslated matches a message id shown instead of its text.
var untranslated = regexp.MustCompile(`\b(proposals|comments|moderation|notification)\.[a-z_]+\.[a-z_.]+|\b(proposals|comments|moderation)\.[a-z]+_[a-z_]+\b`)

// TestPagesRender renders every page of the module in every locale, as a
// participant, an author and a moderator, and fails on a template error
// or a message id left untranslated.
func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	author, other := e.user("author", false), e.user("other", false)
	mod := e.user("moderator", true)
	id := e.filed(author, "mobility", "Quiet streets", "Fewer cars in residential streets.")
	p := e.base + "/proposals/" + strconv.FormatInt(id, 10)
	other.Post(p+"/comments", url.Values{"body": {"Agreed."}, "stance": {"agree"}}).Must(t, 303)
	cid := strconv.Itoa(e.count("SELECT MAX(id) FROM comments"))
	other.Post(p+"/report", url.Values{"reason": {"other"}}).Must(t, 303)
	pages := []struct {
		who  *user
		path string
	}{
		{other, e.base}, {other, e.base + "?sort=random&q=cars"}, {other, p}, {other, e.base + "/mine"}, {other, e.base + "/proposals/new"},
		{other, p + "/report"}, {author, e.base + "/comments/" + cid + "/report"}, {other, e.base + "/comments/" + cid + "/edit"},
		{author, p}, {author, p + "/edit"}, {author, e.base + "/mine"}, {mod, e.base + "/moderation"}, {mod, p},
	}
	for _, loc := range i18n.Supported {
		for _, pg := range pages {
			path := pg.path
			sep := "?"
			if regexp.MustCompile(`\?`).MatchString(path) {
				sep = "&"
			}
			r := pg.who.Client.Get(path + sep + "locale=" + loc)
			if r.Status != 200 {
				t.Fatalf("%s %s: status %d\n%.500s", loc, path, r.Status, r.Body)
			}
			if m := untranslated.FindString(r.Body); m != "" {
				t.Fatalf("%s %s shows the message id %q", loc, path, m)
			}
		}
	}
}

// TestMessagesComplete checks every message exists in en, fr and nl.
func TestMessagesComplete(t *testing.T) {
	e := newEnv(t)
	if missing := e.in.App.Bundle.Missing(); len(missing) > 0 {
		for _, m := range missing {
			if regexp.MustCompile(`proposals|comments|moderation`).MatchString(m) {
				t.Errorf("missing translation: %s", m)
			}
		}
	}
}
