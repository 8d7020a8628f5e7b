// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// readme is this module's README, whose "Pipeline" and "Limits" sections
// describe the method in full: the page every synthesis links to, so
// that what a reader is told and what the developers maintain are one
// text.
//
//go:embed README.md
var readme string

// methodSections are the README sections the method page shows.
var methodSections = []string{"### Pipeline", "### Limits"}

// methodHTML renders those sections once (goldmark leaves raw HTML out,
// so the page holds only what Markdown makes).
var methodHTML = sync.OnceValue(func() template.HTML {
	var md strings.Builder
	for _, head := range methodSections {
		md.WriteString(section(readme, head))
		md.WriteString("\n")
	}
	var out bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.Table)).Convert([]byte(md.String()), &out); err != nil {
		return template.HTML(template.HTMLEscapeString(md.String())) // goldmark does not fail on text
	}
	return template.HTML(out.String()) // #nosec: goldmark's output, raw HTML omitted
})

// section returns the Markdown section of doc whose heading starts with
// head, up to the next heading of the same or a higher level.
func section(doc, head string) string {
	i := strings.Index(doc, "\n"+head)
	if i < 0 {
		return ""
	}
	rest := doc[i+1:]
	level := strings.Count(strings.Fields(head)[0], "#")
	lines := strings.SplitAfter(rest, "\n")
	var b strings.Builder
	for n, l := range lines {
		if n > 0 && strings.HasPrefix(l, "#") {
			if h := strings.Fields(l); len(h) > 0 && strings.Trim(h[0], "#") == "" && len(h[0]) <= level {
				break
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

// MethodPage is the method in full.
type MethodPage struct {
	Base
	HTML template.HTML
	// SourceURL is where the README with the measurements is (the
	// operator's source_url; empty when not set).
	SourceURL string
}

func (h *handlers) method(c echo.Context) error {
	return h.s.Render(c, http.StatusOK, "synthesis/method", MethodPage{Base: h.base(c), HTML: methodHTML(), SourceURL: h.s.SourceURL})
}
