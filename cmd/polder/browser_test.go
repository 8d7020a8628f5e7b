//go:build browser

// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/mail"
	"github.com/polder-civic/polder/spaces/process"
)

// browser starts headless Chromium (Debian's /usr/bin/chromium, or
// $POLDER_CHROMIUM) with the flags that keep it off the network.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("POLDER_CHROMIUM")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("chromium"); err != nil {
			t.Fatalf("chromium not found (apt-get install chromium, or set POLDER_CHROMIUM): %v", err)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// TestBrowserHomeAndLanguage opens the home page and switches to French
// with the keyboard-reachable language links.
func TestBrowserHomeAndLanguage(t *testing.T) {
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	ctx := browser(t)
	must(t, chromedp.Do(ctx, chromedp.Navigate(in.URL+"/")))
	heading := mustRun(t, ctx, chromedp.Text(chromedp.CSS("h1")))
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="fr"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"]`)),
	))
	lang := mustRun(t, ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value
	if !strings.Contains(heading, in.Org.Name) {
		t.Errorf("home heading %q lacks the organisation name", heading)
	}
	if lang != "fr" {
		t.Errorf("lang after switching = %q, want fr", lang)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustRun[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var confirmLink = regexp.MustCompile(`https?://[^\s]+/confirm[^\s]*`)

// TestBrowserRegisterLoginProcessFrench is a newcomer's first visit: they
// register, follow the confirmation link from the e-mail, log in, open the
// climate convention process and switch the site to French.
func TestBrowserRegisterLoginProcessFrench(t *testing.T) {
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	rec := mail.NewRecorder()
	in.App.Accounts.Mailer = rec
	preset, err := fs.ReadFile(config.Presets(), "climate-convention.yaml")
	must(t, err)
	res, err := process.ApplyPreset(context.Background(), in.App, in.Org.ID, preset)
	must(t, err)
	ctx := browser(t)
	const email, password = "newcomer@example.org", "a long enough passphrase"

	// Register through the form, with the keyboard-reachable fields.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/"),
		chromedp.Click(chromedp.CSS(`a[href="/register"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Camille Martin"),
		chromedp.SendKeys(chromedp.CSS(`#f-nickname`), "camille"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
	))
	// The form may first solve a proof-of-work challenge in script: wait
	// for the server's effect, not for the page.
	waitFor(t, "the confirmation mail", func() bool { _, ok := rec.Last(email); return ok })
	msg, _ := rec.Last(email)
	link := confirmLink.FindString(msg.Text)
	if link == "" {
		t.Fatalf("confirmation mail has no link:\n%s", msg.Text)
	}

	// Confirm, then log in.
	// The link opens a page whose button confirms (mail scanners that
	// follow links must not consume the token).
	// The confirmation redirects to the login page: wait for the browser
	// to get there (navigating there ourselves would race the redirect,
	// and one of the two loads is aborted).
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
	))
	waitFor(t, "the e-mail confirmation", func() bool {
		acc, err := in.App.Accounts.ByEmail(context.Background(), in.Org.ID, email)
		return err == nil && acc.Confirmed()
	})
	if loc := mustRun(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/login") {
		t.Fatalf("after confirming the browser is at %s, want the login page", loc)
	}
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/account"]`)),
	))
	account := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`a[href="/account"]`)))
	if !strings.Contains(account, "camille") {
		t.Errorf("after login the header shows %q, want the nickname", account)
	}

	// Open the climate convention from the home page.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/"),
		chromedp.Click(chromedp.CSS(`a[href="/processes/`+res.Process.Slug+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
	))
	title := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`main h1`)))
	if !strings.Contains(title, "Convention") {
		t.Errorf("process page title = %q", title)
	}

	// Switch to French: the page and its language change.
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="fr"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"]`)),
	))
	loc := mustRun(t, ctx, chromedp.Location())
	if !strings.Contains(loc, "/processes/"+res.Process.Slug) {
		t.Errorf("switching language left the process page: %s", loc)
	}
	frTitle := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`main h1`)))
	if frTitle == title {
		t.Errorf("the process title did not change language: %q", frTitle)
	}
	nav := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`header nav`)))
	if !strings.Contains(nav, "Se déconnecter") {
		t.Errorf("the header is not in French after switching: %q", nav)
	}
}

// TestBrowserProposalQuota files a proposal in a theme of the current
// session, then tries a second one in the same theme: the climate preset
// allows one per theme and per session, so the second is refused with the
// quota, what is used and when the next session opens, and the text typed
// stays in the form.
func TestBrowserProposalQuota(t *testing.T) {
	in := apptest.New(t, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	ctx0 := context.Background()
	preset, err := fs.ReadFile(config.Presets(), "climate-convention.yaml")
	must(t, err)
	res, err := process.ApplyPreset(ctx0, in.App, in.Org.ID, preset)
	must(t, err)
	comps, err := in.App.Components.InSpace(ctx0, "process", res.Process.ID)
	must(t, err)
	var compURL string
	for _, c := range comps {
		if c.ModuleID == "proposals" {
			compURL = in.URL + "/processes/" + res.Process.Slug + "/c/" + strconv.FormatInt(c.ID, 10)
		}
	}
	if compURL == "" {
		t.Fatal("the climate preset has no proposals component")
	}
	const email, password = "filer@example.org", "a long enough passphrase"
	in.CreateAccount(email, password, false)
	ctx := browser(t)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/account"]`)),
	))
	file := func(title, body string) {
		t.Helper()
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(compURL+"/proposals/new"),
			chromedp.WaitVisible(chromedp.CSS(`#theme_id`)),
			chromedp.SetValue(chromedp.CSS(`#theme_id`), strconv.FormatInt(res.Process.Themes[0].ID, 10)),
			chromedp.SendKeys(chromedp.CSS(`#title`), title),
			chromedp.SendKeys(chromedp.CSS(`#body`), body),
			chromedp.Click(chromedp.CSS(`main form button[type=submit]:not([name])`)),
			chromedp.WaitVisible(chromedp.CSS(`article.proposal, #form-error`)), // the next page, not the form still shown
		))
	}
	first := "Protected cycle lanes on every main road"
	file(first, "Separate cycle lanes from traffic so that children can ride to school safely.")
	if h := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`main h1`))); !strings.Contains(h, first) {
		t.Fatalf("after filing, the page heading is %q, want the proposal", h)
	}
	second := "Free public transport for young people"
	body := "Make buses and trams free for everyone under 26 to cut car use."
	file(second, body)
	errText := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`#form-error`)))
	for _, want := range []string{"quota", "1 of 1", "next session"} {
		if !strings.Contains(errText, want) {
			t.Errorf("refusal %q lacks %q", errText, want)
		}
	}
	if v := mustRun(t, ctx, chromedp.Value(chromedp.CSS(`#title`))); v != second {
		t.Errorf("the refused title was not kept: %q", v)
	}
	if v := mustRun(t, ctx, chromedp.Value(chromedp.CSS(`#body`))); v != body {
		t.Errorf("the refused body was not kept: %q", v)
	}
}

// waitFor polls a server-side condition (up to 20 s), for steps whose page
// gives no reliable signal that the browser's request has been handled.
// waitPage waits until the JavaScript predicate holds in the browser's
// page; evaluation errors (the page navigating meanwhile) count as false.
func waitPage(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	waitFor(t, what, func() bool {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](predicate))
		return err == nil && ok
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
