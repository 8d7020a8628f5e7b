// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
)

// TestFooterLinksToSource: with source_url set, every page's footer
// offers the source code (what the AGPL asks of a modified version);
// without it, there is no empty link.
func TestFooterLinksToSource(t *testing.T) {
	in := apptest.New(t, app.Options{})
	if body := in.Client().Get("/").Must(t, 200).Body; strings.Contains(body, "Source code") {
		t.Error("a source link without a source URL")
	}
	in.App.Server.SourceURL = "https://code.example.org/city/polder"
	in.Client().Get("/").Must(t, 200).Contains(t, `<a href="https://code.example.org/city/polder">Source code</a>`)
	in.Client().Get("/login?locale=fr").Must(t, 200).Contains(t, `<a href="https://code.example.org/city/polder">Code source</a>`)
}
