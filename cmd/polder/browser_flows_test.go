//go:build browser

// SPDX-License-Identifier: AGPL-3.0-or-later

package main

// Walkthroughs of the "Done when" of issues #4 to #8, tried as a new user
// would: each test starts a fresh instance seeded like the demo (the
// climate preset plus the module's own seeder), drives headless Chromium
// through forms with the keyboard-reachable fields, and checks both what
// the person sees and what the database holds afterwards.

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/blindtoken"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/budgets"
	"github.com/polder-civic/polder/modules/opinionmap"
	"github.com/polder-civic/polder/modules/proposals"
	"github.com/polder-civic/polder/modules/sortition"
	"github.com/polder-civic/polder/modules/sortition/lottery"
	"github.com/polder-civic/polder/modules/synthesis"
	"github.com/polder-civic/polder/spaces/process"
)

// demoInstance is a fresh instance with the climate preset applied, as
// the demo does before its module seeders run.
type demoInstance struct {
	*apptest.Instance
	res *process.ApplyResult
}

func newDemoInstance(t *testing.T) *demoInstance {
	t.Helper()
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	preset, err := fs.ReadFile(config.Presets(), demoPreset)
	must(t, err)
	res, err := process.ApplyPreset(context.Background(), in.App, in.Org.ID, preset)
	must(t, err)
	return &demoInstance{Instance: in, res: res}
}

// component returns the id and absolute URL of the process's component of
// the given module.
func (d *demoInstance) component(t *testing.T, module string) (int64, string) {
	t.Helper()
	comps, err := d.App.Components.InSpace(context.Background(), "process", d.res.Process.ID)
	must(t, err)
	for _, c := range comps {
		if c.ModuleID == module {
			return c.ID, d.URL + "/processes/" + d.res.Process.Slug + "/c/" + strconv.FormatInt(c.ID, 10)
		}
	}
	t.Fatalf("the climate preset has no %s component", module)
	return 0, ""
}

// loginAs logs in through the login form.
func loginAs(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/account"]`)),
	))
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return mustRun(t, ctx, chromedp.Text(chromedp.CSS(sel)))
}

// waitText waits (up to 20 s) until the element's text contains want:
// after a form is submitted, the old page still matches the selector.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+strconv.Quote(sel)+`)||{}).innerText||""`))
		if err == nil && strings.Contains(v, want) {
			return
		}
		last = v
	}
	t.Fatalf("%s never showed %q (last: %q)", sel, want, last)
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return mustRun(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
}

// TestBrowserOpinionMapFlow (#4): a newcomer without an account opens the
// seeded conversation, votes agree, disagree and pass with the plain
// forms, adds a statement, then opens the map and the report.
func TestBrowserOpinionMapFlow(t *testing.T) {
	d := newDemoInstance(t)
	ctx0 := context.Background()
	if _, err := opinionmap.SeedDemo(ctx0, d.App, d.Org.ID, d.res.Process.Slug, 60); err != nil {
		t.Fatal(err)
	}
	compID, compURL := d.component(t, opinionmap.ID)
	ctx := browser(t)
	// The whole flow works without JavaScript (plain forms; a statement
	// without the script's proof of work falls under the per-address
	// limit): the page's scripts are off, which this checks first.
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	must(t, err)
	must(t, chromedp.Do(ctx, chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`)))
	if title := mustRun(t, ctx, chromedp.Title()); title != "off" {
		t.Fatalf("page scripts still run (title %q)", title)
	}

	// Find the conversation from the process page, as a visitor would.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(d.URL+"/processes/"+d.res.Process.Slug),
		chromedp.Click(chromedp.CSS(`main a[href$="/c/`+strconv.FormatInt(compID, 10)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#om-statement`)),
	))
	seen := map[string]bool{}
	for i, v := range []string{"agree", "disagree", "pass", "agree"} {
		st := text(t, ctx, `#om-statement`)
		if seen[st] {
			t.Fatalf("statement %q shown again after voting on it", st)
		}
		seen[st] = true
		must(t, chromedp.Do(ctx,
			chromedp.Focus(chromedp.CSS(`form.om-buttons button[value="`+v+`"]`)),
			chromedp.KeyEvent("\r"),
		))
		// The next page counts the vote.
		waitText(t, ctx, `p.om-hint`, "voted on "+strconv.Itoa(i+1)+" statement")
	}
	// The database holds one anonymous participant with the four votes.
	var parts []opinionmap.Participant
	must(t, d.App.DB.Where("component_id = ? AND anon_key IS NOT NULL AND external_id IS NULL", compID).Find(&parts).Error)
	var mine *opinionmap.Participant
	for i := range parts {
		var n int64
		must(t, d.App.DB.Model(&opinionmap.Vote{}).Where("participant_id = ?", parts[i].ID).Count(&n).Error)
		if n == 4 {
			mine = &parts[i]
		}
	}
	if mine == nil {
		t.Fatalf("no anonymous participant with the 4 browser votes among %d", len(parts))
	}
	var votes []opinionmap.Vote
	must(t, d.App.DB.Where("participant_id = ?", mine.ID).Order("created_at").Find(&votes).Error)
	got := map[int]int{}
	for _, v := range votes {
		got[v.Vote]++
	}
	// agree=1 twice, disagree=-1 once, pass=0 once (Pol.is's coding).
	if got[1] != 2 || got[-1] != 1 || got[0] != 1 {
		t.Errorf("stored votes by value = %v, want 2 agree, 1 disagree, 1 pass", got)
	}

	// Add a statement.
	const mineText = "Cycle paths should connect every village to its nearest station."
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#om-body`), mineText),
		chromedp.Click(chromedp.CSS(`section[aria-labelledby="om-add"] button[type=submit]`)),
	))
	// The answer redirects back with a thank-you: wait for it, or the next
	// navigation races the redirect and one of the loads is aborted.
	waitPage(t, ctx, "the thank-you for the statement", `(document.querySelector("p.flash") || {textContent: ""}).textContent.includes("Your statement")`)
	waitFor(t, "the submitted statement", func() bool {
		var n int64
		d.App.DB.Model(&opinionmap.Statement{}).Where("component_id = ? AND body = ? AND participant_id = ?", compID, mineText, mine.ID).Count(&n)
		return n == 1
	})

	// The map: an SVG and its accessible table.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(compURL),
		chromedp.Click(chromedp.CSS(`nav.om-nav a[href$="/map"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main svg[role="img"]`)),
	))
	if n := count(t, ctx, `main table caption`); n == 0 {
		t.Error("the map page has no table equivalent")
	}
	if n := count(t, ctx, `main table tbody tr`); n == 0 {
		t.Error("the map's table is empty")
	}
	// The report: groups, consensus and participation.
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.om-nav a[href$="/report"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
	))
	report := text(t, ctx, `main`)
	for _, want := range []string{"What unites the groups", "Participation over time"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if n := count(t, ctx, `main table`); n < 2 {
		t.Errorf("the report has %d tables, want the groups' and participation's", n)
	}
	// A statement of the report opens its own page, with its votes.
	if n := count(t, ctx, `main table td a[href*="/statements/"]`); n == 0 {
		t.Fatal("the report's statements link to no statement page")
	}
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`main table td a[href*="/statements/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main blockquote`)),
	))
	statement := text(t, ctx, `main`)
	for _, want := range []string{"Statement ", "Votes", "% agree"} {
		if !strings.Contains(statement, want) {
			t.Errorf("the statement page lacks %q:\n%s", want, statement)
		}
	}
}

// TestBrowserBudgetFlow (#5): a participant fills a basket past the
// budget, sees the rule's feedback, has the checkout refused with the
// reason and the basket kept, fixes it and checks out; an admin closes the
// vote and publishes; the results page shows greedy and MES side by side.
func TestBrowserBudgetFlow(t *testing.T) {
	d := newDemoInstance(t)
	ctx0 := context.Background()
	// The demo's voters are the proposals seeder's participants.
	if _, err := proposals.SeedDemo(ctx0, d.App, d.Org.ID, d.res.Process.Slug, 40); err != nil {
		t.Fatal(err)
	}
	seeded, err := budgets.SeedDemo(ctx0, d.App, d.Org.ID, d.res.Process.Slug)
	must(t, err)
	compID, _ := d.component(t, budgets.ID)
	var b budgets.Budget
	must(t, d.App.DB.Where("component_id = ?", compID).First(&b).Error)
	var projects []budgets.Project
	must(t, d.App.DB.Where("budget_id = ?", b.ID).Order("cost DESC, id").Find(&projects).Error)
	// The costliest projects until the basket is over the budget.
	var over []budgets.Project
	var sum int64
	for _, p := range projects {
		over = append(over, p)
		if sum += p.Cost; sum > b.Total {
			break
		}
	}
	if sum <= b.Total || len(over) < 2 {
		t.Fatalf("the seeded projects cannot exceed the budget (%d of %d)", sum, b.Total)
	}

	const email, password = "voter@example.org", "a long enough passphrase"
	voter := d.CreateAccount(email, password, false)
	ctx := browser(t)
	loginAs(t, ctx, d.URL, email, password)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(d.URL+"/processes/"+d.res.Process.Slug),
		chromedp.Click(chromedp.CSS(`main a[href$="/c/`+strconv.FormatInt(compID, 10)+`"]`)),
		chromedp.Click(chromedp.CSS(`main h2 a[href$="/budgets/`+strconv.FormatInt(b.ID, 10)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#basket`)),
	))
	for _, p := range over {
		must(t, chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`form[action$="/basket/add"]:has(input[value="`+strconv.FormatInt(p.ID, 10)+`"]) button`)),
		))
		// The basket on the next page lists the project.
		waitText(t, ctx, `#basket`, p.Title)
	}
	// The rule's live feedback says why the basket cannot be cast.
	waitText(t, ctx, `#basket .errors`, "more than the "+strconv.FormatInt(b.Total, 10))
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action$="/checkout"] button`))))
	waitText(t, ctx, `main div.errors[role=alert]`, "was not cast")
	waitText(t, ctx, `#basket .errors`, "remove a project")
	basket := text(t, ctx, `#basket`)
	for _, p := range over {
		if !strings.Contains(basket, p.Title) {
			t.Errorf("after the refused checkout the basket lost %q", p.Title)
		}
	}
	var n int64
	must(t, d.App.DB.Model(&budgets.Ballot{}).Where("budget_id = ? AND account_id = ?", b.ID, voter.ID).Count(&n).Error)
	if n != 0 {
		t.Fatalf("a refused checkout stored %d ballots", n)
	}
	// Take the last one out, then vote.
	last := over[len(over)-1]
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#basket form[action$="/basket/remove"]:has(input[value="`+strconv.FormatInt(last.ID, 10)+`"]) button`)),
	))
	waitText(t, ctx, `#basket`, "follows the rule")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action$="/checkout"] button`))))
	waitText(t, ctx, `#ballot`, over[0].Title)
	var ballot budgets.Ballot
	must(t, d.App.DB.Where("budget_id = ? AND account_id = ?", b.ID, voter.ID).First(&ballot).Error)
	var lines []int64
	must(t, d.App.DB.Table("budget_ballot_lines").Where("ballot_id = ?", ballot.ID).Order("project_id").Pluck("project_id", &lines).Error)
	if len(lines) != len(over)-1 {
		t.Errorf("the stored ballot has %d projects, want %d", len(lines), len(over)-1)
	}

	// The admin closes and publishes (a fresh login counts as recent
	// re-authentication).
	const admin, adminPass = "admin@example.org", "another long passphrase"
	d.CreateAccount(admin, adminPass, true)
	actx := browser(t)
	loginAs(t, actx, d.URL, admin, adminPass)
	must(t, chromedp.Do(actx,
		chromedp.Navigate(d.URL+"/processes/"+d.res.Process.Slug+"/c/"+strconv.FormatInt(compID, 10)+"/budgets/"+strconv.FormatInt(b.ID, 10)),
		chromedp.Click(chromedp.CSS(`p.actions a[href$="/admin/budgets/`+strconv.FormatInt(b.ID, 10)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/state"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/state"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/publish"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)),
	))
	waitFor(t, "the published budget", func() bool {
		var st string
		d.App.DB.Model(&budgets.Budget{}).Where("id = ?", b.ID).Pluck("state", &st)
		return st == budgets.StatePublished
	})
	// A visitor (the voter's browser) reads the results.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(d.URL+"/processes/"+d.res.Process.Slug+"/c/"+strconv.FormatInt(compID, 10)+"/budgets/"+strconv.FormatInt(b.ID, 10)),
		chromedp.Click(chromedp.CSS(`p.actions a[href$="/results"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.results`)),
	))
	head := text(t, ctx, `main table thead`)
	for _, want := range []string{"Most votes first (greedy)", "Method of Equal Shares"} {
		if !strings.Contains(head, want) {
			t.Errorf("results header %q lacks %q", head, want)
		}
	}
	if rows := count(t, ctx, `table.results tbody tr`); rows != len(projects) {
		t.Errorf("results list %d projects, want %d", rows, len(projects))
	}
	if summary := text(t, ctx, `main h1 + p`); !strings.Contains(summary, strconv.Itoa(seeded+1)+" voters") {
		t.Errorf("results do not count the %d ballots (seeded %d + the browser's)", seeded+1, seeded)
	}
}

// TestBrowserSynthesisFlow (#7): an organiser builds interim synthesis 1
// from the process's contributions (the background job runs through the
// job queue, as the worker would run it), renames a topic and publishes;
// a visitor reads the synthesis and follows that topic to its
// contributions.
func TestBrowserSynthesisFlow(t *testing.T) {
	d := newDemoInstance(t)
	ctx0 := context.Background()
	if _, err := proposals.SeedDemo(ctx0, d.App, d.Org.ID, d.res.Process.Slug, 80); err != nil {
		t.Fatal(err)
	}
	compID, compURL := d.component(t, synthesis.ID)
	const admin, adminPass = "organiser@example.org", "another long passphrase"
	d.CreateAccount(admin, adminPass, true)
	ctx := browser(t)
	loginAs(t, ctx, d.URL, admin, adminPass)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(d.URL+"/processes/"+d.res.Process.Slug),
		chromedp.Click(chromedp.CSS(`main a[href$="/c/`+strconv.FormatInt(compID, 10)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/syntheses"] button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/syntheses"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#build-progress`)),
	))
	var syn synthesis.Synthesis
	must(t, d.App.DB.Where("component_id = ?", compID).First(&syn).Error)
	if syn.Kind != synthesis.KindInterim || syn.Number != 1 {
		t.Fatalf("built %s %d, want interim 1", syn.Kind, syn.Number)
	}
	for {
		ran, err := d.App.Jobs.RunOne(ctx0)
		must(t, err)
		if !ran {
			break
		}
	}
	// The page refreshes itself while building; the topics appear.
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`article.synthesis-topic input[name=label]`))))
	if h := text(t, ctx, `main h1`); !strings.Contains(h, "Interim synthesis 1") {
		t.Errorf("synthesis heading = %q", h)
	}
	// Rename the first topic.
	const label = "Cycling and safe streets"
	first := `article.synthesis-topic form[action$="/label"] input[name=label]`
	original := mustRun(t, ctx, chromedp.Value(chromedp.CSS(first)))
	must(t, chromedp.Do(ctx,
		chromedp.Clear(chromedp.CSS(first)),
		chromedp.SendKeys(chromedp.CSS(first), label),
		chromedp.Submit(chromedp.CSS(first)),
	))
	waitText(t, ctx, `article.synthesis-topic h3`, label)
	must(t, d.App.DB.First(&syn, syn.ID).Error)
	if !strings.Contains(syn.Labels, label) || !strings.Contains(syn.Labels, original) {
		t.Errorf("the label edit is not recorded with its original: %s", syn.Labels)
	}
	// Publish.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`))))
	waitFor(t, "the published synthesis", func() bool {
		d.App.DB.First(&syn, syn.ID)
		return syn.Status == synthesis.StatusPublished
	})

	// A visitor without an account.
	vctx := browser(t)
	must(t, chromedp.Do(vctx,
		chromedp.Navigate(compURL),
		chromedp.Click(chromedp.CSS(`main ul a[href$="/syntheses/`+strconv.FormatInt(syn.ID, 10)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.synthesis-topic`)),
	))
	if n := count(t, vctx, `article.synthesis-topic input`); n != 0 {
		t.Errorf("a visitor sees %d label fields", n)
	}
	if h := text(t, vctx, `article.synthesis-topic h3`); h != label {
		t.Errorf("the visitor sees the first topic as %q, want the edited %q", h, label)
	}
	// The page says what it covers and who wrote it, and links to the
	// method in full.
	head := text(t, vctx, `main`)
	for _, want := range []string{"Covers: all themes", "Written by ", "Languages: ", "How this synthesis was made"} {
		if !strings.Contains(head, want) {
			t.Errorf("the synthesis page lacks %q", want)
		}
	}
	must(t, chromedp.Do(vctx,
		chromedp.Click(chromedp.CSS(`main a[href$="/method"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.method h3`)),
	))
	if h := text(t, vctx, `main h1`); h != "How syntheses are made" {
		t.Errorf("method page heading = %q", h)
	}
	must(t, chromedp.Do(vctx,
		chromedp.Navigate(compURL+"/syntheses/"+strconv.FormatInt(syn.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`article.synthesis-topic`)),
	))
	must(t, chromedp.Do(vctx,
		chromedp.Click(chromedp.CSS(`article.synthesis-topic a[href*="/topics/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.synthesis-contributions`)),
	))
	if h := text(t, vctx, `main h1`); h != label {
		t.Errorf("topic page heading = %q", h)
	}
	items := count(t, vctx, `ol.synthesis-contributions li`)
	if items == 0 {
		t.Fatal("the topic lists no contributions")
	}
	// Each listed contribution is a real proposal the visitor can open.
	must(t, chromedp.Do(vctx,
		chromedp.Click(chromedp.CSS(`ol.synthesis-contributions li a`)),
		chromedp.WaitVisible(chromedp.CSS(`article.proposal`)),
	))
	title := text(t, vctx, `main h1`)
	var n int64
	must(t, d.App.DB.Table("proposals").Where("title = ?", strings.TrimSpace(title)).Count(&n).Error)
	if n == 0 {
		t.Errorf("the topic's first contribution %q is not a stored proposal", title)
	}
}

// TestBrowserSortitionFlow (#6): an admin uploads the demo's pool and
// quotas, publishes a seed commitment and draws with the secret and a
// public value; a visitor sees the published inputs, opens the
// verification page, and the record the visitor downloads replays (in
// the test, through the lottery package) to the panel the page shows.
func TestBrowserSortitionFlow(t *testing.T) {
	d := newDemoInstance(t)
	ctx0 := context.Background()
	compID, compURL := d.component(t, sortition.ID)
	quotas, pool := sortition.DemoPool()
	dir := t.TempDir()
	qPath, pPath := filepath.Join(dir, "quotas.csv"), filepath.Join(dir, "pool.csv")
	must(t, os.WriteFile(qPath, []byte(quotas), 0o600))
	must(t, os.WriteFile(pPath, []byte(pool), 0o600))

	const admin, adminPass = "panel-admin@example.org", "another long passphrase"
	d.CreateAccount(admin, adminPass, true)
	ctx := browser(t)
	loginAs(t, ctx, d.URL, admin, adminPass)
	const secret, public = "our secret for the climate panel", "5 12 23 31 42 + 7"
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(d.URL+"/processes/"+d.res.Process.Slug),
		chromedp.Click(chromedp.CSS(`main a[href$="/c/`+strconv.FormatInt(compID, 10)+`"]`)),
		chromedp.Click(chromedp.CSS(`main a[href$="/pool"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#quotas`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#quotas`), []string{qPath}),
		chromedp.SetUploadFiles(chromedp.CSS(`#pool`), []string{pPath}),
		chromedp.Clear(chromedp.CSS(`#panel_size`)),
		chromedp.SendKeys(chromedp.CSS(`#panel_size`), "150"),
		chromedp.Click(chromedp.CSS(`form[action$="/pool"] button[type=submit]`)),
	))
	// The commitment, then the draw with the secret and the public value,
	// each on the page the previous step leads to.
	must(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/commit"] #secret`)),
		chromedp.SendKeys(chromedp.CSS(`#secret`), secret),
		chromedp.Click(chromedp.CSS(`form[action$="/commit"] button[type=submit]`)),
	))
	var draw sortition.Draw
	waitFor(t, "the commitment", func() bool {
		return d.App.DB.Where("component_id = ?", compID).First(&draw).Error == nil && draw.Status == sortition.StatusCommitted
	})
	if draw.PoolSize != 1200 || draw.PanelSize != 150 {
		t.Fatalf("stored pool %d, panel %d; want 1200 and 150", draw.PoolSize, draw.PanelSize)
	}
	must(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/draw"] #public_value`)),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/draw"] #secret`), secret),
		chromedp.SendKeys(chromedp.CSS(`#public_value`), public),
		chromedp.Click(chromedp.CSS(`form[action$="/draw"] button[type=submit]`)),
	))
	waitFor(t, "the draw to start", func() bool {
		d.App.DB.First(&draw, draw.ID)
		return draw.Status != sortition.StatusCommitted
	})
	// Run the queued draw; a background worker may hold it instead, so
	// wait for its end either way.
	waitFor(t, "the draw job", func() bool {
		if _, err := d.App.Jobs.RunOne(ctx0); err != nil {
			t.Fatal(err)
		}
		must(t, d.App.DB.First(&draw, draw.ID).Error)
		return draw.Status != sortition.StatusDrawing
	})
	if draw.Status != sortition.StatusDrawn {
		t.Fatalf("draw status %s (error %q)", draw.Status, draw.Error)
	}

	// A visitor: the published inputs, then the verification page.
	vctx := browser(t)
	must(t, chromedp.Do(vctx,
		chromedp.Navigate(compURL),
		chromedp.WaitVisible(chromedp.CSS(`main dl`)),
	))
	inputs := text(t, vctx, `main dl`)
	for _, want := range []string{draw.Commitment, secret, public} {
		if !strings.Contains(inputs, want) {
			t.Errorf("the published inputs %q lack %q", inputs, want)
		}
	}
	if n := count(t, vctx, `main a[href$="/pool"]`); n != 0 {
		t.Error("a visitor is offered the admin's pool page")
	}
	must(t, chromedp.Do(vctx,
		chromedp.Click(chromedp.CSS(`main a[href$="/verify"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.verified`)),
	))
	if v := text(t, vctx, `p.verified`); !strings.Contains(v, "150 members") {
		t.Errorf("verification says %q", v)
	}
	shown := strings.Fields(text(t, vctx, `table.panel tbody`))
	// The visitor's own replay of the downloadable record.
	resp, err := http.Get(compURL + "/record.json")
	must(t, err)
	defer resp.Body.Close()
	rec, _, err := lottery.ReadRecord(resp.Body)
	must(t, err)
	if rec == nil {
		t.Fatal("record.json is not a panel record")
	}
	if rec.Seed.Commitment != draw.Commitment || rec.Seed.PublicValue != public {
		t.Errorf("the record's seed inputs differ from the published ones: %+v", rec.Seed)
	}
	sel, err := rec.Verify()
	must(t, err)
	if len(sel) != 150 || !slices.Equal(sel, rec.Selected) {
		t.Fatalf("the downloaded record replays to %d members, not its own panel", len(sel))
	}
	for _, id := range sel {
		if !slices.Contains(shown, id) {
			t.Errorf("replayed member %s is not on the verification page", id)
			break
		}
	}
}

// TestBrowserSortitionSignupFlow (#6): an organiser opens a sign-up with
// a quota table before any pool exists; a participant volunteers through
// the form (a missing consent comes back with the answers kept, the
// checkbox is ticked with the keyboard), sees their sign-up; the
// organiser sees the counts against the quotas, closes the sign-up,
// commits and draws from the collected pool.
func TestBrowserSortitionSignupFlow(t *testing.T) {
	d := newDemoInstance(t)
	ctx0 := context.Background()
	compID, compURL := d.component(t, sortition.ID)
	const admin, adminPass = "panel-organiser@example.org", "another long passphrase"
	const vol, volPass = "volunteer@example.org", "a volunteer's passphrase"
	d.CreateAccount(admin, adminPass, true)
	volAcc := d.CreateAccount(vol, volPass, false)
	const quotas = "category,feature,min,max\ngender,female,1,1\ngender,male,1,1\nage,young,0,2\nage,old,0,2\n"
	// An optional closing date, typed in the datetime-local field (UTC).
	closes := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(time.Minute)

	actx := browser(t)
	loginAs(t, actx, d.URL, admin, adminPass)
	must(t, chromedp.Do(actx,
		chromedp.Navigate(compURL+"/pool"),
		chromedp.WaitVisible(chromedp.CSS(`#signup_quotas`)),
		chromedp.SetValue(chromedp.CSS(`#signup_quotas`), quotas),
		chromedp.SetValue(chromedp.CSS(`#signup_panel_size`), "2"),
		chromedp.SetValue(chromedp.CSS(`#signup_closes_at`), web.InputTime(closes)),
		chromedp.Click(chromedp.CSS(`form[action$="/setup"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/signup/close"]`)),
	))
	var draw sortition.Draw
	must(t, d.App.DB.Where("component_id = ?", compID).First(&draw).Error)
	if draw.Status != sortition.StatusCollecting || draw.PanelSize != 2 || draw.SignupClosesAt == nil || !draw.SignupClosesAt.Equal(closes) {
		t.Fatalf("after the setup: status %s, panel %d, closing date %v (want %v)", draw.Status, draw.PanelSize, draw.SignupClosesAt, closes)
	}

	// The participant: every question has its label; no consent first.
	vctx := browser(t)
	loginAs(t, vctx, d.URL, vol, volPass)
	must(t, chromedp.Do(vctx,
		chromedp.Navigate(compURL),
		chromedp.WaitVisible(chromedp.CSS(`#signup select#f0`)),
	))
	if s := text(t, vctx, `p.signup-closes`); !strings.Contains(s, "Sign-ups close on "+web.DateTime(closes)) {
		t.Errorf("the closing date reads %q", s)
	}
	for _, f := range []string{"f0", "f1", "consent"} {
		if n := count(t, vctx, `label[for="`+f+`"]`); n != 1 {
			t.Errorf("%d labels for #%s", n, f)
		}
	}
	must(t, chromedp.Do(vctx,
		chromedp.SetValue(chromedp.CSS(`#f0`), "female"),
		chromedp.SetValue(chromedp.CSS(`#f1`), "old"),
		chromedp.Click(chromedp.CSS(`form[action$="/signup"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#consent-error`)),
	))
	if v := mustRun(t, vctx, chromedp.Value(chromedp.CSS(`#f0`))); v != "female" {
		t.Errorf("the answer was not kept: %q", v)
	}
	var n int64
	must(t, d.App.DB.Model(&sortition.PoolRow{}).Count(&n).Error)
	if n != 0 {
		t.Fatalf("a sign-up without consent stored %d rows", n)
	}
	// Tick the consent with the keyboard and send.
	must(t, chromedp.Do(vctx,
		chromedp.Focus(chromedp.CSS(`#consent`)),
		chromedp.SendKeys(chromedp.CSS(`#consent`), " "),
		chromedp.Click(chromedp.CSS(`form[action$="/signup"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.signed-up`)),
	))
	if mine := text(t, vctx, `dl.my-signup`); !strings.Contains(mine, "female") || !strings.Contains(mine, "old") {
		t.Errorf("the volunteer's sign-up shows %q", mine)
	}
	var row sortition.PoolRow
	must(t, d.App.DB.Where("account_id = ?", volAcc.ID).First(&row).Error)
	if row.ConsentedAt == nil || row.DrawID != draw.ID {
		t.Fatalf("stored sign-up %+v", row)
	}

	// Three more volunteers (through the service), then the organiser.
	_, comp, err := d.App.SpaceComponent(ctx0, d.Org.ID, "process", d.res.Process.Slug, sortition.ID)
	must(t, err)
	svc := sortition.NewService(d.App.Server, d.App.Jobs, d.App.Panels)
	for i, a := range [][2]string{{"male", "young"}, {"male", "old"}, {"female", "young"}} {
		acc := d.CreateAccount(fmt.Sprintf("other%d@example.org", i), "some long passphrase", false)
		_, err := svc.SignUp(ctx0, comp, acc.ID, sortition.Signup{Values: map[string]string{"gender": a[0], "age": a[1]}, Consent: true})
		must(t, err)
	}
	must(t, chromedp.Do(actx,
		chromedp.Navigate(compURL+"/pool"),
		chromedp.WaitVisible(chromedp.CSS(`table.tally`)),
	))
	if tally := text(t, actx, `main`); !strings.Contains(tally, "Volunteers signed up so far: 4.") || !strings.Contains(tally, "The counts allow a panel") {
		t.Errorf("the pool page shows %q", tally)
	}
	const secret, public = "the panel organisers' secret", "4 4 2 1"
	must(t, chromedp.Do(actx,
		chromedp.Click(chromedp.CSS(`form[action$="/signup/close"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/commit"] #secret`)),
		chromedp.SendKeys(chromedp.CSS(`#secret`), secret),
		chromedp.Click(chromedp.CSS(`form[action$="/commit"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/draw"] #public_value`)),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/draw"] #secret`), secret),
		chromedp.SendKeys(chromedp.CSS(`#public_value`), public),
		chromedp.Click(chromedp.CSS(`form[action$="/draw"] button[type=submit]`)),
	))
	waitFor(t, "the draw", func() bool {
		must(t, d.App.DB.First(&draw, draw.ID).Error)
		return draw.Status == sortition.StatusDrawn
	})
	rec, err := draw.PublishedRecord()
	must(t, err)
	if sel, err := rec.Verify(); err != nil || len(sel) != 2 || len(rec.Pool) != 4 {
		t.Fatalf("the collected pool's record: %v %v (pool %d)", sel, err, len(rec.Pool))
	}
	must(t, chromedp.Do(vctx, chromedp.Navigate(compURL), chromedp.WaitVisible(chromedp.CSS(`main dl`))))
	waitText(t, vctx, `#signup`, "The draw has taken place")
}

// TestBrowserPrivacyFlow (#8): the space asks for an invitation code
// before a participant may take an anonymous token. A participant
// verifies with the code printed on their letter, takes a blind token in
// the page (the script blinds it; the server signs without seeing it),
// redeems it, and votes in the opinion map and the budget under the
// pseudonym. Afterwards no row of any table joins the verified account
// and the pseudonym, and none stores the token.
func TestBrowserPrivacyFlow(t *testing.T) {
	d := newDemoInstance(t)
	ctx0 := context.Background()
	if _, err := opinionmap.SeedDemo(ctx0, d.App, d.Org.ID, d.res.Process.Slug, 30); err != nil {
		t.Fatal(err)
	}
	if _, err := budgets.SeedDemo(ctx0, d.App, d.Org.ID, d.res.Process.Slug); err != nil {
		t.Fatal(err)
	}
	omID, omURL := d.component(t, opinionmap.ID)
	budID, budURL := d.component(t, budgets.ID)
	var b budgets.Budget
	must(t, d.App.DB.Where("component_id = ?", budID).First(&b).Error)
	var cheapest budgets.Project
	must(t, d.App.DB.Where("budget_id = ?", b.ID).Order("cost, id").First(&cheapest).Error)

	// The organisation's setup: invitation codes on, one printed code,
	// and the space's token requires that verification.
	domain := registry.SpaceDomain("process", d.res.Process.ID)
	_, err := d.App.Verify.Configure(ctx0, d.Org.ID, "code", true, 365, "")
	must(t, err)
	codes, err := d.App.Verify.GenerateCodes(ctx0, d.Org.ID, 1, "letters")
	must(t, err)
	must(t, d.App.Authz.RequireVerification(ctx0, domain, blindtoken.Permission, "code"))
	anonLink := `/processes/` + d.res.Process.Slug + `/anon"`
	if body := d.Client().Get("/processes/" + d.res.Process.Slug).Body; strings.Contains(body, anonLink) {
		t.Error("the process page links to anonymous participation before it is switched on")
	}
	const admin, adminPass = "privacy-admin@example.org", "another long passphrase"
	d.CreateAccount(admin, adminPass, true)
	actx := browser(t)
	loginAs(t, actx, d.URL, admin, adminPass)
	spaceURL := d.URL + "/processes/" + d.res.Process.Slug
	// The admin finds the switch from the process page.
	must(t, chromedp.Do(actx,
		chromedp.Navigate(spaceURL),
		chromedp.Click(chromedp.CSS(`main a[href$="/anon"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/anon/enable"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#anon-redeem`)),
	))

	if body := d.Client().Get("/processes/" + d.res.Process.Slug).Body; !strings.Contains(body, anonLink) {
		t.Error("once switched on, the process page does not link to anonymous participation")
	}

	// The participant verifies with the code from the letter.
	const email, password = "resident@example.org", "a long enough passphrase"
	resident := d.CreateAccount(email, password, false)
	ctx := browser(t)
	loginAs(t, ctx, d.URL, email, password)
	// The process page leads to anonymous participation once it is on.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(spaceURL),
		chromedp.Click(chromedp.CSS(`main a[href$="/anon"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#anon-get`)),
	))
	if n := count(t, ctx, `#anon-issue-button`); n != 0 {
		t.Error("an unverified participant is offered a token")
	}
	// The page says which verification is missing and links to it; the
	// verification page comes back here.
	if msg := text(t, ctx, `section[aria-labelledby="anon-get"]`); !strings.Contains(msg, "Invitation code") {
		t.Errorf("the token section does not name the missing verification: %q", msg)
	}
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`section[aria-labelledby="anon-get"] a[href^="/verify?next="]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-code-code`)),
		chromedp.SendKeys(chromedp.CSS(`#f-code-code`), codes[0]),
		chromedp.Click(chromedp.CSS(`#verify-code button[type=submit]`)),
	))
	waitFor(t, "the verification", func() bool { return d.App.Verify.Has(ctx0, resident.ID, "code") })

	// The token: the page's script blinds, gets it signed, unblinds.
	must(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#anon-issue-button`)),
		chromedp.Click(chromedp.CSS(`#anon-issue-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#anon-token-out`)),
	))
	token := mustRun(t, ctx, chromedp.Value(chromedp.CSS(`#anon-token-out`)))
	msg, sig, err := blindtoken.ParseToken(token)
	must(t, err)
	// Pasted into the redemption form (the proof of work runs in script).
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#anon-token`), token),
		chromedp.Click(chromedp.CSS(`form[action$="/anon/redeem"] button[type=submit]`)),
	))
	var pseudoID int64
	waitFor(t, "the redemption", func() bool {
		d.App.DB.Table("anon_redemptions").Select("account_id").Scan(&pseudoID)
		return pseudoID != 0
	})
	if pseudoID == resident.ID {
		t.Fatal("the token was redeemed as the verified account")
	}
	var pseudo struct {
		Nickname string
		Kind     string
	}
	must(t, d.App.DB.Table("accounts").Where("id = ?", pseudoID).Select("nickname, kind").Scan(&pseudo).Error)
	if pseudo.Kind != blindtoken.KindPseudonym {
		t.Fatalf("redeemed account kind %q", pseudo.Kind)
	}
	waitText(t, ctx, `header`, pseudo.Nickname)

	// Votes under the pseudonym: the opinion map, then the budget.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(omURL),
		chromedp.WaitVisible(chromedp.CSS(`form.om-buttons button[value="agree"]`)),
		chromedp.Click(chromedp.CSS(`form.om-buttons button[value="agree"]`)),
	))
	waitText(t, ctx, `p.om-hint`, "voted on 1 statement")
	var omVotes int64
	must(t, d.App.DB.Model(&opinionmap.Vote{}).
		Joins("JOIN opinion_participants p ON p.id = opinion_votes.participant_id").
		Where("p.component_id = ? AND p.account_id = ?", omID, pseudoID).Count(&omVotes).Error)
	if omVotes != 1 {
		t.Errorf("the pseudonym has %d opinion-map votes, want 1", omVotes)
	}
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(budURL+"/budgets/"+strconv.FormatInt(b.ID, 10)),
		chromedp.Click(chromedp.CSS(`form[action$="/basket/add"]:has(input[value="`+strconv.FormatInt(cheapest.ID, 10)+`"]) button`)),
	))
	waitText(t, ctx, `#basket`, "follows the rule")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action$="/checkout"] button`))))
	waitText(t, ctx, `#ballot`, cheapest.Title)
	var ballots int64
	must(t, d.App.DB.Model(&budgets.Ballot{}).Where("budget_id = ? AND account_id = ?", b.ID, pseudoID).Count(&ballots).Error)
	if ballots != 1 {
		t.Errorf("the pseudonym has %d ballots, want 1", ballots)
	}
	must(t, d.App.DB.Model(&budgets.Ballot{}).Where("budget_id = ? AND account_id = ?", b.ID, resident.ID).Count(&ballots).Error)
	if ballots != 0 {
		t.Errorf("the verified account has %d ballots", ballots)
	}

	// Unlinkability, as internal/anontest checks it after a scripted run:
	// no row refers to both sides, and no row holds the token.
	residentSide := []string{email, resident.Nickname}
	pseudoSide := []string{pseudo.Nickname, blindtoken.TokenHash(msg)}
	secrets := []string{token, hex.EncodeToString(msg), base64.RawURLEncoding.EncodeToString(msg),
		hex.EncodeToString(sig), base64.RawURLEncoding.EncodeToString(sig)}
	tables, err := d.App.DB.Migrator().GetTables()
	must(t, err)
	scanned := 0
	for _, table := range tables {
		var rows []map[string]any
		must(t, d.App.DB.Table(table).Find(&rows).Error)
		for _, row := range rows {
			scanned++
			vals := rowValues(row)
			if rowRefers(table, row, vals, resident.ID, residentSide) && rowRefers(table, row, vals, pseudoID, pseudoSide) {
				t.Errorf("%s row joins the account and its pseudonym: %v", table, row)
			}
			for _, v := range vals {
				for _, s := range secrets {
					if strings.Contains(v, s) {
						t.Errorf("%s stores the token (%s…)", table, s[:8])
					}
				}
			}
		}
	}
	if scanned < 100 {
		t.Fatalf("only %d rows scanned", scanned)
	}
}

// rowValues renders a row's values as text (bytes also as hex).
func rowValues(row map[string]any) []string {
	var out []string
	for _, v := range row {
		switch x := v.(type) {
		case nil:
		case []byte:
			out = append(out, string(x), hex.EncodeToString(x))
		default:
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}

// rowRefers reports whether a row concerns an account: its id in an
// account column (the accounts row's own id included; casbin rules hold
// "account:ID"), or one of its identifying strings in any value.
func rowRefers(table string, row map[string]any, vals []string, id int64, strs []string) bool {
	for k, v := range row {
		accountCol := k == "account_id" || k == "actor_id" || k == "author_id" || strings.HasSuffix(k, "_account_id") ||
			(table == "accounts" && k == "id") || k == "v0" || k == "v1"
		if accountCol && (fmt.Sprint(v) == fmt.Sprint(id) || fmt.Sprint(v) == "account:"+fmt.Sprint(id)) {
			return true
		}
	}
	joined := strings.Join(vals, "\x00")
	for _, s := range strs {
		if s != "" && strings.Contains(joined, s) {
			return true
		}
	}
	return false
}
