// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/i18n"
)

// untranslated matches a message ID left in a page: a translation that
// is missing shows its ID.
var untranslated = regexp.MustCompile(`\b(accounts|error|layout)\.[a-z_]+\.?[a-z_.]*\b`)

func TestAccountPagesTranslated(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	const pw = "correct horse battery"
	in.CreateAccount("tea@example.org", pw, false)
	visitor := in.Client()
	member := in.Client()
	login(t, member, "tea@example.org", pw).Must(t, http.StatusSeeOther)
	pages := []struct {
		path   string
		member bool
		status int
	}{
		{"/register", false, http.StatusOK},
		{"/login", false, http.StatusOK},
		{"/password/forgot", false, http.StatusOK},
		{"/password/reset?token=nope", false, http.StatusUnprocessableEntity},
		{"/confirm?token=nope", false, http.StatusUnprocessableEntity},
		{"/confirm/resend", false, http.StatusOK},
		{"/account", true, http.StatusOK},
		{"/account/tokens", true, http.StatusOK},
		{"/account/delete", true, http.StatusOK},
	}
	for _, m := range in.App.Bundle.Missing() {
		if strings.HasPrefix(m, "core/accounts:") {
			t.Errorf("missing translation %s", m)
		}
	}
	for _, loc := range i18n.Supported {
		for _, p := range pages {
			c := visitor
			if p.member {
				c = member
			}
			sep := "?"
			if strings.Contains(p.path, "?") {
				sep = "&"
			}
			r := c.Get(p.path+sep+"locale="+loc).Must(t, p.status).Contains(t, `<html lang="`+loc+`">`)
			if m := untranslated.FindString(r.Body); m != "" {
				t.Errorf("%s in %s shows the message ID %q", p.path, loc, m)
			}
		}
	}
}
