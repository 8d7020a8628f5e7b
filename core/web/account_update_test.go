// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/polder-civic/polder/core/app"
)

func TestAccountProfileUpdate(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	const pw = "correct horse battery"
	in.CreateAccount("quin@example.org", pw, false)
	in.CreateAccount("rae@example.org", pw, false)
	c := in.Client()
	login(t, c, "quin@example.org", pw).Must(t, http.StatusSeeOther)

	t.Run("InvalidKeepsTypedValues", func(t *testing.T) {
		r := post(t, c, "/account", "/account", url.Values{"name": {"Quin Typed"}, "nickname": {"rae_example_org"}, "locale": {"fr"}})
		r.Must(t, http.StatusConflict).Contains(t, `value="Quin Typed"`, `value="rae_example_org"`, "This nickname is already taken.", `<option value="fr" lang="fr" selected>`)
		if a := mustAccount(t, in, "quin@example.org"); a.Name == "Quin Typed" {
			t.Error("a refused update was saved")
		}
	})
	r := post(t, c, "/account", "/account", url.Values{"name": {"Quin Q."}, "nickname": {"quin"}, "locale": {"nl"}})
	if r.Status != http.StatusSeeOther || r.Location != "/account" {
		t.Fatalf("update: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	// The chosen language applies at once, and at the next login.
	c.Get("/account").Must(t, http.StatusOK).Contains(t, `<html lang="nl">`, "Uw profiel is opgeslagen.", `value="Quin Q."`)
	fresh := in.Client()
	login(t, fresh, "quin@example.org", pw).Must(t, http.StatusSeeOther)
	fresh.Get("/account").Must(t, http.StatusOK).Contains(t, `<html lang="nl">`)
	if a := mustAccount(t, in, "quin@example.org"); a.Name != "Quin Q." || a.Nickname != "quin" || a.Locale != "nl" {
		t.Errorf("saved %q %q %q", a.Name, a.Nickname, a.Locale)
	}
}
