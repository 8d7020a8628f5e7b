// SPDX-License-Identifier: AGPL-3.0-or-later

package anontest

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/spaces/process"
)

// attrRe finds every URL a page could make the browser fetch or send to:
// src, href, action, formaction, srcset, poster, data, and url(...) in
// inline styles.
var attrRe = regexp.MustCompile(`(?i)\b(src|href|action|formaction|srcset|poster|data|content)\s*=\s*"([^"]*)"|url\(\s*['"]?([^'")]+)`)

// TestNoThirdPartyRequestsOneCookie renders the pages a visitor, a
// participant and an admin see, and fails on any URL to a host other than
// the site's (a font, a script, an image, an analytics beacon, a link) and
// on any cookie other than the session's.
func TestNoThirdPartyRequestsOneCookie(t *testing.T) {
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}})
	fx := instancetest.NewFixture(t, in)
	in.CreateAccount("admin@example.org", "correct horse battery", true)
	in.CreateAccount("alice@example.org", "correct horse battery", false)
	site, _ := url.Parse(in.URL)
	visitor := in.Client()
	participant := in.Client()
	participant.Login("alice@example.org", "correct horse battery")
	adm := in.Client()
	adm.Login("admin@example.org", "correct horse battery")
	pages := []string{"/", "/login", "/register", "/password/forgot", "/processes", fx.URL(), fx.URL() + "/anon",
		"/account", "/account/tokens", "/account/delete", "/admin", "/admin/audit", "/admin/roles", "/?locale=fr", "/?locale=nl", "/no-such-page"}
	cookies := map[string]bool{}
	checked := 0
	for _, c := range []*apptest.Client{visitor, participant, adm} {
		for _, p := range pages {
			r := c.Get(p)
			for _, sc := range r.Header.Values("Set-Cookie") {
				name, _, _ := strings.Cut(sc, "=")
				cookies[name] = true
			}
			if !strings.Contains(r.Header.Get("Content-Type"), "html") {
				continue
			}
			for _, m := range attrRe.FindAllStringSubmatch(r.Body, -1) {
				raw := m[2]
				if m[1] == "" {
					raw = m[3]
				}
				if strings.EqualFold(m[1], "content") && !strings.Contains(raw, "://") {
					continue // meta content that is not a URL
				}
				for _, part := range strings.Split(raw, ",") { // srcset lists
					u, err := url.Parse(strings.Fields(strings.TrimSpace(part) + " x")[0])
					if err != nil {
						t.Errorf("%s: unparsable URL %q", p, raw)
						continue
					}
					checked++
					if u.Host != "" && u.Host != site.Host {
						t.Errorf("%s links to another host: %s", p, raw)
					}
					if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto" {
						t.Errorf("%s uses the scheme %s: %s", p, u.Scheme, raw)
					}
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d URLs checked: the scan is broken", checked)
	}
	for name := range cookies {
		if name != in.App.Server.Sessions.Cookie.Name {
			t.Errorf("cookie %q set besides the session's", name)
		}
	}
	if !cookies[in.App.Server.Sessions.Cookie.Name] {
		t.Fatal("no session cookie seen: the scan is broken")
	}
}
