// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/budgets"
	"github.com/polder-civic/polder/modules/budgets/command"
	"github.com/polder-civic/polder/modules/budgets/pabulib"
	"github.com/polder-civic/polder/modules/proposals"
)

// postCSV uploads a CSV file to the admin import form.
func postCSV(e *env, u *user, path, content string) *apptest.Response {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", u.CSRF)
	f, _ := w.CreateFormFile("file", "projects.csv")
	_, _ = f.Write([]byte(content))
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.in.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return u.Client.Do(req)
}

// TestImportCSVAndExports imports projects from CSV (all or nothing, bad
// lines named) and exports them as CSV and JSON.
func TestImportCSVAndExports(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	r := e.json(admin, "POST", "/budgets", `{"title":"Imported","total":500000,"knapsack":true}`).Must(t, 201)
	var b budgets.Budget
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		t.Fatal(err)
	}
	admin.Client.Get(e.base+"/admin/budgets/"+itoa(b.ID)).Must(t, 200).Contains(t, "Import projects from CSV", "Import accepted proposals")
	path := e.base + "/admin/budgets/" + itoa(b.ID) + "/import-csv"
	bad := "title,cost,theme\nBike lanes,120000,mobility\nNo cost,,housing\n"
	r = postCSV(e, admin, path, bad)
	if r.Status != 422 || !strings.Contains(r.Body, "Line 3") {
		t.Fatalf("bad CSV: status %d\n%s", r.Status, apptest.Snippet(r.Body))
	}
	if n := e.count("SELECT COUNT(*) FROM budget_projects"); n != 0 {
		t.Fatalf("a refused file imported %d projects", n)
	}
	postCSV(e, admin, path, "title,cost,theme\nBike lanes,120000,atlantis\n").Contains(t, "unknown theme")
	good := "\ufefftitle,description,cost,theme,location,image_url\n\"Bike lanes, north\",Safe lanes,120000,mobility,North,https://example.org/b.jpg\nSocial housing,Renovation,300000,housing,,\n"
	postCSV(e, admin, path, good).Must(t, 303)
	ps, err := e.svc().Projects(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Title != "Bike lanes, north" || ps[0].Cost != 120000 || ps[0].ThemeID == 0 || ps[1].Location != "" || ps[0].ImageURL == "" {
		t.Fatalf("imported %+v", ps)
	}
	csvOut := admin.Client.Get(e.base+"/budgets/"+itoa(b.ID)+"/projects.csv").Must(t, 200)
	csvOut.Contains(t, "\"Bike lanes, north\"", "mobility", "300000")
	var js struct{ Projects []budgets.Project }
	if err := json.Unmarshal([]byte(admin.Client.Get(e.base+"/budgets/"+itoa(b.ID)+"/projects.json").Must(t, 200).Body), &js); err != nil {
		t.Fatal(err)
	}
	if len(js.Projects) != 2 {
		t.Fatalf("JSON export has %d projects", len(js.Projects))
	}
	// Text that a spreadsheet would run as a formula is exported escaped
	// (csvsafe) and reads back unchanged.
	formula := "=HYPERLINK(\"https://example.org\",\"Vote here\")"
	postCSV(e, admin, path, "title,description,cost,location\n\""+strings.ReplaceAll(formula, `"`, `""`)+"\",-10% on tickets,1000,@home\n").Must(t, 303)
	exported := admin.Client.Get(e.base+"/budgets/"+itoa(b.ID)+"/projects.csv").Must(t, 200).
		Contains(t, `"'=HYPERLINK(""https://example.org"",""Vote here"")"`, "'-10% on tickets", "'@home").Body
	r = e.json(admin, "POST", "/budgets", `{"title":"Copy","total":500000}`).Must(t, 201)
	var copyB budgets.Budget
	if err := json.Unmarshal([]byte(r.Body), &copyB); err != nil {
		t.Fatal(err)
	}
	postCSV(e, admin, e.base+"/admin/budgets/"+itoa(copyB.ID)+"/import-csv", exported).Must(t, 303)
	copied, err := e.svc().Projects(context.Background(), copyB.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(copied) != 3 || copied[2].Title != formula || copied[2].Description != "-10% on tickets" || copied[2].Location != "@home" || copied[0].Title != "Bike lanes, north" {
		t.Fatalf("exported and imported again: %+v", copied)
	}
	// A draft is not public.
	if r := e.in.Client().Get(e.base + "/budgets/" + itoa(b.ID)); r.Status != 404 {
		t.Fatalf("draft budget visible to visitors: %d", r.Status)
	}
}

// TestImportAcceptedProposals imports the accepted proposals of the
// space's proposals component through core's ContributionSource.
func TestImportAcceptedProposals(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	pc := e.fx.Components[proposals.ID]
	sp := e.space()
	now := time.Now().UTC()
	for i, st := range []string{"accepted", "rejected", "accepted", ""} {
		err := e.in.App.DB.Exec(`INSERT INTO proposals (organisation_id, component_id, space_id, theme_id, session_id, author_id, title, body, state, answer_state, published_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'published', ?, ?, ?, ?)`, e.in.Org.ID, pc.ID, sp.ID, sp.Themes[0].ID, sp.Sessions[1].ID, admin.Acc.ID,
			"Proposal "+itoa(int64(i)), "Body", st, now, now, now).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	r := e.json(admin, "POST", "/budgets", `{"title":"From proposals","total":1000}`).Must(t, 201)
	var b budgets.Budget
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		t.Fatal(err)
	}
	body := `{"component_id":` + itoa(pc.ID) + `,"cost":250}`
	e.json(admin, "POST", "/budgets/"+itoa(b.ID)+"/import-contributions", body).Must(t, 200).Contains(t, `"imported":2`)
	// Importing again adds nothing.
	e.json(admin, "POST", "/budgets/"+itoa(b.ID)+"/import-contributions", body).Must(t, 200).Contains(t, `"imported":0`)
	ps, err := e.svc().Projects(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Title != "Proposal 0" || ps[1].Title != "Proposal 2" || ps[0].Cost != 250 || !strings.HasPrefix(ps[0].SourceRef, "proposals:") {
		t.Fatalf("imported %+v", ps)
	}
	// The budgets component itself is no source.
	if r := e.json(admin, "POST", "/budgets/"+itoa(b.ID)+"/import-contributions", `{"component_id":`+itoa(e.comp.ID)+`,"cost":1}`); r.Status != 422 {
		t.Fatalf("budgets as a source: %d", r.Status)
	}
}

type verified map[int64]bool

func (v verified) Has(_ context.Context, accountID int64, kind string) bool {
	return kind == "census" && v[accountID]
}

// TestVoteRequiresVerification: when the space requires a census
// verification for "budgets.vote", unverified participants cannot fill a
// basket or check out; verified ones can.
func TestVoteRequiresVerification(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	b, p := e.budget(admin, `{"title":"Verified","total":100}`, 10)
	ok, no := e.user("ok", false), e.user("no", false)
	e.in.App.Authz.SetVerifications(verified{ok.Acc.ID: true})
	if err := e.in.App.Authz.RequireVerification(context.Background(), e.fx.Domain(), "budgets.vote", "census"); err != nil {
		t.Fatal(err)
	}
	path := "/budgets/" + itoa(b.ID)
	add := `{"project_id":` + itoa(p[0]) + `}`
	if r := e.json(no, "POST", path+"/basket", add); r.Status != 403 {
		t.Fatalf("unverified basket: %d", r.Status)
	}
	if r := e.json(no, "POST", path+"/checkout", ""); r.Status != 403 {
		t.Fatalf("unverified checkout: %d", r.Status)
	}
	e.json(ok, "POST", path+"/basket", add).Must(t, 200)
	e.json(ok, "POST", path+"/checkout", "").Must(t, 200)
}

// TestCommandImport imports a real pabulib instance into the component
// through the command and the database.
func TestCommandImport(t *testing.T) {
	e := newEnv(t)
	file := realdata.SharedData(t, "pabulib", "Netherlands_Assen_2024.pb")
	in, err := pabulib.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := command.Run(context.Background(), []string{"import", file, "--component", itoa(e.comp.ID), "--db", e.in.App.DB.URL}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "took") {
		t.Errorf("no time printed: %s", out.String())
	}
	all, err := e.svc().Budgets(context.Background(), e.comp.ID)
	if err != nil || len(all) != 1 {
		t.Fatalf("budgets after import: %v %v", all, err)
	}
	want, _ := in.Budget()
	if w, _ := want.ScaledTo(0); all[0].Total != w || all[0].State != budgets.StateDraft {
		t.Fatalf("imported budget %+v, want total %s", all[0], want)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_projects WHERE budget_id = ?", all[0].ID); n != len(in.Projects) {
		t.Fatalf("%d projects imported, want %d", n, len(in.Projects))
	}
	// Not a budgets component.
	if err := command.Run(context.Background(), []string{"import", file, "--component", itoa(e.fx.Components[proposals.ID].ID), "--db", e.in.App.DB.URL}, &out); err == nil {
		t.Fatal("import into a proposals component succeeded")
	}
}
