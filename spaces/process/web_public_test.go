// SPDX-License-Identifier: AGPL-3.0-or-later

package process

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestPublicPages(t *testing.T) {
	in := newInstance(t)
	ctx := context.Background()
	if _, err := ApplyPreset(ctx, in.App, in.Org.ID, climatePreset(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyPreset(ctx, in.App, in.Org.ID, []byte(examplePreset)); err != nil { // a draft
		t.Fatal(err)
	}
	visitor := in.Client()

	t.Run("ProcessPage", func(t *testing.T) {
		r := visitor.Get("/processes/climate-convention").Must(t, http.StatusOK)
		r.Contains(t, "Citizens&#39; Convention for Climate", "Getting around", "Financing and constitution", "Transversal",
			"Current session: Second intersession", `<li class="current" aria-current="step">`)
		// The current session is marked once, and it is the second one.
		if strings.Count(r.Body, `aria-current="step"`) != 1 || strings.Index(r.Body, "aria-current=\"step\"") > strings.Index(r.Body, "Third intersession") {
			t.Fatal("the second intersession should be the only one marked current")
		}
	})
	t.Run("ProcessPageInFrench", func(t *testing.T) {
		visitor.Get("/processes/climate-convention?locale=fr").Must(t, http.StatusOK).Contains(t, "Convention citoyenne pour le climat", "Se déplacer", "Session en cours : Deuxième intersession")
	})
	t.Run("HomeListsPublished", func(t *testing.T) {
		r := in.Client().Get("/").Must(t, http.StatusOK).Contains(t, `href="/processes/climate-convention"`)
		if strings.Contains(r.Body, "town-plan") {
			t.Fatal("the draft process is listed on the home page")
		}
	})
	t.Run("DraftIsNotFoundForVisitors", func(t *testing.T) {
		in.Client().Get("/processes/town-plan").Must(t, http.StatusNotFound)
		in.Client().JSON(http.MethodGet, "/api/v1/processes/town-plan", "", "").Must(t, http.StatusNotFound)
		participant := loginAs(t, in, "someone@example.org", false)
		participant.Get("/processes/town-plan").Must(t, http.StatusNotFound)
	})
	t.Run("DraftIsVisibleToAdmins", func(t *testing.T) {
		admin := loginAs(t, in, "admin@example.org", true)
		admin.Get("/processes/town-plan").Must(t, http.StatusOK).Contains(t, "Town plan", "Draft")
	})
	t.Run("List", func(t *testing.T) {
		r := in.Client().Get("/processes").Must(t, http.StatusOK).Contains(t, `href="/processes/climate-convention"`)
		if strings.Contains(r.Body, "town-plan") {
			t.Fatal("the draft process is listed")
		}
	})
	t.Run("UnknownProcess", func(t *testing.T) {
		in.Client().Get("/processes/nope").Must(t, http.StatusNotFound)
	})
	t.Run("API", func(t *testing.T) {
		r := in.Client().JSON(http.MethodGet, "/api/v1/processes/climate-convention", "", "").Must(t, http.StatusOK)
		var p ProcessJSON
		if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
			t.Fatal(err)
		}
		if p.Slug != "climate-convention" || p.CurrentSession != "intersession-2" || len(p.Themes) != 6 || len(p.Sessions) != 3 || p.Title["fr"] == "" {
			t.Fatalf("API process: %+v", p)
		}
		r = in.Client().JSON(http.MethodGet, "/api/v1/processes", "", "").Must(t, http.StatusOK)
		var list []ProcessJSON
		if err := json.Unmarshal([]byte(r.Body), &list); err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Slug != "climate-convention" {
			t.Fatalf("visitors should see only the published process, got %d", len(list))
		}
	})
}
