// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/synthesis"
)

// TestAPIBuildStatusPublishRead drives a version through the JSON API
// with a personal token: build, status, publish, read; bad input gets a
// clear 422.
func TestAPIBuildStatusPublishRead(t *testing.T) {
	e := newEnv(t, 60, nil)
	ctx := context.Background()
	_, token, err := e.in.App.Accounts.CreateAPIToken(ctx, e.adm.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	api := "/api/v1" + e.base
	c := e.in.Client()
	c.JSON(http.MethodPost, api+"/syntheses", token, `{"kind":"interim","sources":[]}`).Must(t, http.StatusUnprocessableEntity).Contains(t, "Pick at least one source")
	c.JSON(http.MethodPost, api+"/syntheses", token, `{"kind":"interim","sources":[999999]}`).Must(t, http.StatusUnprocessableEntity)
	// A visitor may not build.
	e.in.Client().JSON(http.MethodPost, api+"/syntheses", "", fmt.Sprintf(`{"kind":"interim","sources":[%d]}`, e.props.ID)).Must(t, http.StatusForbidden)

	// A kind the sources do not hold is refused by name.
	c.JSON(http.MethodPost, api+"/syntheses", token, fmt.Sprintf(`{"kind":"final","sources":[%d],"kinds":["statement"]}`, e.props.ID)).
		Must(t, http.StatusUnprocessableEntity).Contains(t, "statement")
	r := c.JSON(http.MethodPost, api+"/syntheses", token, fmt.Sprintf(`{"kind":"final","sources":[%d],"kinds":["proposal"]}`, e.props.ID)).Must(t, http.StatusAccepted)
	var syn synthesis.Synthesis
	if err := json.Unmarshal([]byte(r.Body), &syn); err != nil {
		t.Fatal(err)
	}
	c.JSON(http.MethodGet, fmt.Sprintf("%s/syntheses/%d/status", api, syn.ID), token, "").Must(t, http.StatusOK).Contains(t, `"status":"queued"`)
	// While queued the page shows a progress bar and refreshes itself
	// without script.
	e.admin.Get(fmt.Sprintf("%s/syntheses/%d", e.base, syn.ID)).Must(t, http.StatusOK).Contains(t, "<progress", `http-equiv="refresh"`, "Refresh</a>")
	// Publishing before the build is refused.
	c.JSON(http.MethodPost, fmt.Sprintf("%s/syntheses/%d/publish", api, syn.ID), token, "").Must(t, http.StatusConflict)
	e.in.RunJobs()
	c.JSON(http.MethodGet, fmt.Sprintf("%s/syntheses/%d/status", api, syn.ID), token, "").Must(t, http.StatusOK).Contains(t, `"status":"ready"`, `"progress":100`)
	c.JSON(http.MethodPost, fmt.Sprintf("%s/syntheses/%d/publish", api, syn.ID), token, "").Must(t, http.StatusOK).Contains(t, `"status":"published"`)
	c.JSON(http.MethodPost, fmt.Sprintf("%s/syntheses/%d/publish", api, syn.ID), token, "").Must(t, http.StatusConflict)
	var od synthesis.OpenData
	body := e.in.Client().JSON(http.MethodGet, fmt.Sprintf("%s/syntheses/%d", api, syn.ID), "", "").Must(t, http.StatusOK).Body
	if err := json.Unmarshal([]byte(body), &od); err != nil {
		t.Fatal(err)
	}
	if od.Name != "final" || od.Result == nil || od.Result.Synthesis.Contributions != 60 || len(od.Result.Contributions) != 60 ||
		len(od.Sources) != 1 || od.Sources[0] != e.props.ID || len(od.Kinds) != 1 || od.Kinds[0] != "proposal" || !strings.Contains(od.Covers, "kinds: Proposals") {
		t.Fatalf("open data: %s %+v", od.Name, od.Result)
	}
	// Only one final version.
	c.JSON(http.MethodPost, api+"/syntheses", token, fmt.Sprintf(`{"kind":"final","sources":[%d]}`, e.props.ID)).Must(t, http.StatusConflict)
}
