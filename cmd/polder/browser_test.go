//go:build browser

// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
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
