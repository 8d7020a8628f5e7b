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

func TestAccountEndOtherSessions(t *testing.T) {
	in, _ := accountInstance(t, app.Options{})
	const email, pw = "vic@example.org", "correct horse battery"
	in.CreateAccount(email, pw, false)
	here, there := in.Client(), in.Client()
	login(t, here, email, pw).Must(t, http.StatusSeeOther)
	login(t, there, email, pw).Must(t, http.StatusSeeOther)
	before := sessionCookie(t, in, here)
	r := post(t, here, "/account", "/account/sessions/end", url.Values{})
	if r.Status != http.StatusSeeOther || r.Location != "/account" {
		t.Fatalf("end sessions: %d %s", r.Status, r.Location)
	}
	here.Get("/account").Must(t, http.StatusOK).Contains(t, "Your other sessions have been logged out.")
	if sessionCookie(t, in, here) == before {
		t.Error("this session's token was not rotated")
	}
	if r := there.Get("/account"); r.Status != http.StatusSeeOther {
		t.Errorf("the other session still opens /account (%d)", r.Status)
	}
	t.Run("API", func(t *testing.T) {
		login(t, there, email, pw).Must(t, http.StatusSeeOther)
		acc := mustAccount(t, in, email)
		_, secret, err := in.App.Accounts.CreateAPIToken(t.Context(), acc.ID, "s")
		if err != nil {
			t.Fatal(err)
		}
		in.Client().JSON(http.MethodDelete, "/api/v1/me/sessions", secret, "").Must(t, http.StatusNoContent)
		if r := there.Get("/account"); r.Status != http.StatusSeeOther {
			t.Errorf("a session survived DELETE /api/v1/me/sessions (%d)", r.Status)
		}
		in.Client().JSON(http.MethodGet, "/api/v1/me", secret, "").Must(t, http.StatusOK)
	})
}
