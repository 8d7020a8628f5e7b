// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// barChart draws the topics of a theme as horizontal bars in SVG, served
// inside the page (no script, no style attribute: the CSP allows it).
// The title and description are the text alternative; the page also lists
// every number in text.
func barChart(title string, tv ThemeView) template.HTML {
	const rowH, labelW, barW = 28, 260, 300
	h := rowH*len(tv.Topics) + 8
	var b strings.Builder
	id := fmt.Sprintf("chart-%d", tv.Index)
	fmt.Fprintf(&b, `<svg class="synthesis-chart" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %d %d" width="100%%" xmlns="http://www.w3.org/2000/svg">`, id, id, labelW+barW+60, h)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">`, id, html.EscapeString(title), id)
	for i, t := range tv.Topics {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %d (%d%%)", html.EscapeString(t.Label), t.Size, t.Percent)
	}
	b.WriteString("</desc>")
	maxSize := 1
	for _, t := range tv.Topics {
		maxSize = max(maxSize, t.Size)
	}
	for i, t := range tv.Topics {
		y := 4 + i*rowH
		w := t.Size * barW / maxSize
		label := []rune(t.Label)
		if len(label) > 38 {
			label = append(label[:37], '…')
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="13" fill="currentColor" aria-hidden="true">%s</text>`, y+17, html.EscapeString(string(label)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#2a6f97"/>`, labelW, y+3, max(w, 1), rowH-8)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="currentColor" aria-hidden="true">%d</text>`, labelW+max(w, 1)+6, y+17, t.Size)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String()) // every text above is escaped
}
