// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/budgets"
	"github.com/polder-civic/polder/modules/budgets/command"
)

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// TestVoteFlow walks a budget from creation to published results through
// the pages: basket feedback, a refused checkout keeping the basket, a
// valid checkout, double checkout, close, publish, results, and the
// recomputation of the published outcome from the downloaded .pb.
func TestVoteFlow(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	b, p := e.budget(admin, `{"title":"City","total":100,"knapsack":true,"max_projects":3}`, 60, 50, 40, 30, 20)
	burl := e.base + "/budgets/" + itoa(b.ID)

	u := e.user("voter", false)
	u.Post(burl+"/basket/add", form("project_id", itoa(p[0]))).Must(t, 303)
	u.Post(burl+"/basket/add", form("project_id", itoa(p[1]))).Must(t, 303)
	// Live feedback: 110 > 100.
	u.Client.Get(burl).Must(t, 200).Contains(t, "Your basket costs 110, more than the 100 allowed")
	// Refused checkout says why and keeps the basket.
	r := u.Post(burl+"/checkout", nil)
	if r.Status != 422 {
		t.Fatalf("over-budget checkout: status %d", r.Status)
	}
	r.Contains(t, "Your vote was not cast", "Your basket costs 110")
	if n := e.count("SELECT COUNT(*) FROM budget_basket_items WHERE account_id = ?", u.Acc.ID); n != 2 {
		t.Fatalf("basket after refusal has %d items, want 2", n)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballots"); n != 0 {
		t.Fatalf("%d ballots after a refusal", n)
	}
	// The same refusal in French.
	u.Client.Get(burl + "?locale=fr")
	u.Post(burl+"/checkout", nil).Contains(t, "Votre vote n&#39;a pas été enregistré", "Votre panier coûte 110")
	u.Client.Get(burl + "?locale=en")
	// Unknown project.
	if r := u.Post(burl+"/basket/add", form("project_id", "999999")); r.Status != 404 {
		t.Fatalf("unknown project: status %d", r.Status)
	}
	u.Post(burl+"/basket/remove", form("project_id", itoa(p[1]))).Must(t, 303)
	u.Post(burl+"/basket/add", form("project_id", itoa(p[2]))).Must(t, 303)
	u.Client.Get(burl).Must(t, 200).Contains(t, "Your basket follows the rule")
	u.Post(burl+"/checkout", nil).Must(t, 303)
	u.Client.Get(burl).Must(t, 200).Contains(t, "Your ballot", "Project A", "Project C")
	// Double checkout.
	if r := u.Post(burl+"/checkout", nil); r.Status != 409 {
		t.Fatalf("second checkout: status %d", r.Status)
	}
	if n := e.count("SELECT COUNT(*) FROM budget_ballots WHERE account_id = ?", u.Acc.ID); n != 1 {
		t.Fatalf("%d ballots for one voter", n)
	}

	// More voters through the API.
	ballots := [][]int{{1, 2}, {1, 2}, {1, 3}, {3, 4}, {0}, {0, 4}, {2, 3, 4}}
	for _, bl := range ballots {
		v := e.user("v", false)
		for _, i := range bl {
			e.json(v, "POST", "/budgets/"+itoa(b.ID)+"/basket", `{"project_id":`+itoa(p[i])+`}`).Must(t, 200)
		}
		e.json(v, "POST", "/budgets/"+itoa(b.ID)+"/checkout", "").Must(t, 200)
	}
	// The .pb is not public before the close.
	if r := u.Client.Get(burl + "/ballots.pb"); r.Status != 409 {
		t.Fatalf("export while open: status %d", r.Status)
	}
	admin.Post(e.base+"/admin/budgets/"+itoa(b.ID)+"/state", form("state", "closed")).Must(t, 303)
	// Closed: no more ballots.
	late := e.user("late", false)
	if r := e.json(late, "POST", "/budgets/"+itoa(b.ID)+"/basket", `{"project_id":`+itoa(p[0])+`}`); r.Status != 409 {
		t.Fatalf("basket after close: status %d", r.Status)
	}
	admin.Post(e.base+"/admin/budgets/"+itoa(b.ID)+"/publish", nil).Must(t, 303)

	page := u.Client.Get(burl+"/results").Must(t, 200)
	page.Contains(t, "Method of Equal Shares", "Most votes first", "SHA-256", "polder budgets "+budgets.Version)
	if !strings.Contains(page.Body, "its supporters&#39; remaining shares covered") && !strings.Contains(page.Body, "only ") {
		t.Errorf("results page explains no unfunded project:\n%s", page.Body)
	}

	// The pages in Dutch and French.
	nl := e.in.Client()
	nl.Get(burl+"/results?locale=nl").Must(t, 200).Contains(t, "Methode van Gelijke Delen", "Hoe dit berekend is")
	nl.Get(burl+"?locale=fr").Must(t, 200).Contains(t, "Télécharger les bulletins anonymisés")
	admin.Client.Get(e.base+"/admin/budgets/"+itoa(b.ID)+"?locale=nl").Must(t, 200).Contains(t, "Uitslag gepubliceerd")
	admin.Client.Get(e.base+"/admin?locale=fr").Must(t, 200).Contains(t, "Nouveau budget", "Méthode des parts égales")

	// Transparency: anyone downloads the .pb, its hash is the published
	// one, and the command recomputes the published outcome.
	visitor := e.in.Client()
	pb := visitor.Get(burl+"/ballots.pb").Must(t, 200)
	if strings.Contains(pb.Body, "voter") && strings.Contains(pb.Body, "@example.org") {
		t.Fatal("export leaks e-mail addresses")
	}
	sum := sha256.Sum256([]byte(pb.Body))
	res, err := e.svc().Results(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(sum[:]) != res.InputSHA256 {
		t.Fatalf("downloaded .pb hash %x, published %s", sum, res.InputSHA256)
	}
	page.Contains(t, res.InputSHA256)
	if res.Voters != 1+len(ballots) {
		t.Fatalf("published %d voters, want %d", res.Voters, 1+len(ballots))
	}
	file := filepath.Join(t.TempDir(), "b.pb")
	if err := os.WriteFile(file, []byte(pb.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"mes", "greedy"} {
		var out bytes.Buffer
		if err := command.Run(context.Background(), []string{"outcome", file, "--rule", rule, "--completion", b.Completion, "--comparison", "--json"}, &out); err != nil {
			t.Fatal(err)
		}
		var rep struct{ Funded []string }
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		want := res.MES.Funded
		if rule == "greedy" {
			want = res.Greedy.Funded
		}
		if !slices.Equal(rep.Funded, want) {
			t.Errorf("%s: recomputed %v, published %v", rule, rep.Funded, want)
		}
		if len(want) == 0 {
			t.Errorf("%s funded nothing", rule)
		}
	}
	// The command's export from the database gives the same file.
	cliFile := filepath.Join(t.TempDir(), "cli.pb")
	var cliOut bytes.Buffer
	if err := command.Run(context.Background(), []string{"export", "--budget", itoa(b.ID), "--out", cliFile, "--db", e.in.App.DB.URL}, &cliOut); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(cliFile); err != nil || string(got) != pb.Body {
		t.Fatalf("command export differs from the download (%v)", err)
	}
	// The API serves the same results.
	var api budgets.Results
	if err := json.Unmarshal([]byte(e.json(u, "GET", "/budgets/"+itoa(b.ID)+"/results", "").Must(t, 200).Body), &api); err != nil {
		t.Fatal(err)
	}
	if api.InputSHA256 != res.InputSHA256 || !slices.Equal(api.MES.Funded, res.MES.Funded) {
		t.Fatal("API results differ from the stored ones")
	}
}

// TestEmptyBasketCannotVote: a new voter's empty basket is not announced
// as ready to vote (page and API), and a visitor's "log in to vote" link
// comes back to the budget.
func TestEmptyBasketCannotVote(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	b, _ := e.budget(admin, `{"title":"Empty","total":100}`, 30)
	burl := e.base + "/budgets/" + itoa(b.ID)
	u := e.user("voter", false)
	page := u.Client.Get(burl).Must(t, 200).Contains(t, "Your basket is empty")
	if strings.Contains(page.Body, "Your basket follows the rule") || strings.Contains(page.Body, "/checkout") {
		t.Fatal("an empty basket is offered for checkout")
	}
	e.json(u, "GET", "/budgets/"+itoa(b.ID)+"/basket", "").Must(t, 200).Contains(t, `"valid":false`)
	m := regexp.MustCompile(`href="/login\?next=([^"]*)"`).FindStringSubmatch(e.in.Client().Get(burl).Must(t, 200).Body)
	if m == nil {
		t.Fatal("no log-in link for visitors")
	}
	if next, err := url.QueryUnescape(m[1]); err != nil || next != burl {
		t.Fatalf("the log-in link comes back to %q, want %q (%v)", next, burl, err)
	}
}
