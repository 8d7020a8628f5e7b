// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/web"
)

// OpenData is the open-data JSON of a version: the frozen result, the
// label edits and how it was made.
type OpenData struct {
	Version *Synthesis `json:"version"`
	// Sources are the component ids read and Kinds the kinds of
	// contributions (empty: every kind); Covers says it in words.
	Sources      []int64              `json:"sources"`
	Kinds        []string             `json:"kinds"`
	Covers       string               `json:"covers"`
	Name         string               `json:"name"`
	Labels       map[string]LabelEdit `json:"label_edits"`
	Result       *Result              `json:"result"`
	Method       string               `json:"method"`
	Introduction string               `json:"introduction"`
}

func (h *handlers) openData(c echo.Context) error {
	b := h.base(c)
	v, err := h.view(c, b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, OpenData{Version: v.Syn, Sources: v.Syn.SourceIDs(), Kinds: v.Syn.KindList(), Covers: v.Covers,
		Name: v.Syn.Name(), Labels: v.Syn.decodeLabels(), Result: v.Result, Method: v.Method, Introduction: v.Syn.Introduction})
}

// tr translates for the downloads, in the request's locale.
func (h *handlers) tr(c echo.Context) func(id string, kv ...any) string {
	loc := web.Locale(c)
	return func(id string, kv ...any) string {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return h.s.Bundle.T(loc, id, m)
	}
}

func (h *handlers) markdown(c echo.Context) error {
	b := h.base(c)
	v, err := h.view(c, b)
	if err != nil {
		return err
	}
	t := h.tr(c)
	var w strings.Builder
	fmt.Fprintf(&w, "# %s — %s\n\n", b.Space.Title.In(web.Locale(c), "en"), t("synthesis.name."+v.Syn.Kind, "Number", v.Syn.Number))
	fmt.Fprintf(&w, "%s\n\n", v.Covers)
	if v.Syn.Introduction != "" {
		fmt.Fprintf(&w, "%s\n\n", v.Syn.Introduction)
	}
	for _, line := range v.Summary {
		fmt.Fprintf(&w, "%s\n\n", line)
	}
	for _, th := range v.Themes {
		fmt.Fprintf(&w, "## %s\n\n%s\n\n", th.Title, t("synthesis.theme.size", "Size", th.Size, "Voices", th.Voices))
		for _, tp := range th.Topics {
			fmt.Fprintf(&w, "### %s\n\n", tp.Label)
			if tp.Original != "" {
				fmt.Fprintf(&w, "_%s_\n\n", t("synthesis.topic.original", "Label", tp.Original))
			}
			fmt.Fprintf(&w, "%s\n\n", t("synthesis.topic.size", "Size", tp.Size, "Percent", tp.Percent, "Voices", tp.Voices))
			if tp.Machine != nil {
				fmt.Fprintf(&w, "> **%s** %s (%s)\n\n", t("synthesis.machine", "Model", tp.Machine.Model), tp.Machine.Text, strings.Join(tp.Machine.IDs, ", "))
			}
			for _, q := range tp.Quotes {
				fmt.Fprintf(&w, "> %s\n>\n> — [%s](%s)\n\n", strings.ReplaceAll(q.Text, "\n", "\n> "), q.ID, q.URL)
			}
			fmt.Fprintf(&w, "%s: %s\n\n", t("synthesis.topic.contributions"), strings.Join(tp.IDs, ", "))
		}
	}
	for _, om := range v.OpinionMaps {
		writeOpinionMap(&w, t, om)
	}
	fmt.Fprintf(&w, "## %s\n\n%s\n\n", t("synthesis.how.title"), v.Method)
	fmt.Fprintf(&w, "- %s\n- %s\n- %s\n", t("synthesis.how.hash", "Hash", v.Syn.InputHash), t("synthesis.how.method", "Method", v.Syn.MethodVersion), t("synthesis.how.software", "Version", v.Syn.SoftwareVersion))
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="synthesis-%d.md"`, v.Syn.ID))
	return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", []byte(w.String()))
}

// writeOpinionMap writes a conversation's consensus and divisive
// statements, each with its vote shares and a link to the votes.
func writeOpinionMap(w *strings.Builder, t func(string, ...any) string, om OpinionMapView) {
	title := t("synthesis.opinion_map")
	if om.Title != "" {
		title += ": " + om.Title
	}
	fmt.Fprintf(w, "## %s\n\n", title)
	switch om.Status {
	case OpinionMapPending:
		fmt.Fprintf(w, "%s\n\n", t("synthesis.opinion_map.pending"))
		return
	case OpinionMapFailed:
		fmt.Fprintf(w, "%s\n\n", t("synthesis.opinion_map.failed"))
		return
	}
	if om.URL != "" {
		fmt.Fprintf(w, "%s [%s](%s)\n\n", t("synthesis.opinion_map.groups", "Participants", om.Participants, "Groups", om.Groups, "Date", om.ComputedAt.UTC().Format(time.DateOnly)),
			t("synthesis.opinion_map.report"), om.URL)
	}
	line := func(st StatementView) string {
		text := "“" + strings.ReplaceAll(st.Text, "\n", " ") + "”"
		if st.URL != "" {
			text = "[" + text + "](" + st.URL + ")"
		}
		return fmt.Sprintf("- %s — %s", text, t("synthesis.statement.shares", "Agree", st.Agree, "Disagree", st.Disagree, "Pass", st.Pass, "Votes", st.Votes))
	}
	fmt.Fprintf(w, "### %s\n\n", t("synthesis.consensus"))
	if len(om.Consensus) == 0 {
		fmt.Fprintf(w, "%s\n", t("synthesis.consensus.none"))
	}
	for _, st := range om.Consensus {
		side := t("synthesis.consensus.agree")
		if !st.AllAgree {
			side = t("synthesis.consensus.disagree")
		}
		fmt.Fprintf(w, "%s; %s\n", line(st), side)
	}
	fmt.Fprintf(w, "\n### %s\n\n", t("synthesis.divisive"))
	if len(om.Divisive) == 0 {
		fmt.Fprintf(w, "%s\n", t("synthesis.divisive.none"))
	}
	for _, st := range om.Divisive {
		fmt.Fprintf(w, "%s\n", line(st))
	}
	fmt.Fprintf(w, "\n")
}

// downloadTemplate is the self-contained HTML file: its CSS is inline
// because the file is opened from disk, never served as a page.
var downloadTemplate = template.Must(template.New("d").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}blockquote{border-left:4px solid #2a6f97;margin:0 0 1rem;padding:.25rem 1rem;white-space:pre-line}.machine{background:#fff4d6;padding:.5rem}</style></head>
<body><h1>{{.Title}}</h1><p>{{.V.Covers}}</p>{{if .Intro}}<p>{{.Intro}}</p>{{end}}{{range .V.Summary}}<p>{{.}}</p>{{end}}
{{range $i, $th := .V.Themes}}<h2>{{$th.Title}}</h2>{{index $.Charts $i}}
{{range $th.Topics}}<h3>{{.Label}}</h3>{{if .Original}}<p><em>{{$.T.Original}} {{.Original}}</em></p>{{end}}<p>{{.Size}} ({{.Percent}}%)</p>
{{if .Machine}}<p class="machine"><strong>{{$.T.Machine}}</strong> {{.Machine.Text}}</p>{{end}}
{{range .Quotes}}<blockquote>{{.Text}}<br>— <a href="{{.URL}}">{{.ID}}</a></blockquote>{{end}}{{end}}{{end}}
{{range .V.OpinionMaps}}<h2>{{$.T.OpinionMap}}{{if .Title}}: {{.Title}}{{end}}</h2>
{{if eq .Status "pending"}}<p>{{$.T.Pending}}</p>{{else if eq .Status "failed"}}<p>{{$.T.Failed}}</p>{{else}}
{{if .URL}}<p>{{call $.Groups .}} <a href="{{.URL}}">{{$.T.Report}}</a></p>{{end}}
<h3>{{$.T.Consensus}}</h3>{{if .Consensus}}<ul>{{range .Consensus}}<li><q>{{if .URL}}<a href="{{.URL}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</q> — {{if .AllAgree}}{{$.T.AllAgree}}{{else}}{{$.T.AllDisagree}}{{end}}; {{call $.Shares .}}</li>{{end}}</ul>{{else}}<p>{{$.T.NoConsensus}}</p>{{end}}
<h3>{{$.T.Divisive}}</h3>{{if .Divisive}}<ul>{{range .Divisive}}<li><q>{{if .URL}}<a href="{{.URL}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</q> — {{call $.Shares .}}</li>{{end}}</ul>{{else}}<p>{{$.T.NoDivisive}}</p>{{end}}{{end}}{{end}}
<h2>{{.T.How}}</h2><p>{{.V.Method}}</p><ul><li>{{.T.Hash}}</li><li>{{.T.MethodV}}</li><li>{{.T.Software}}</li></ul></body></html>
`))

func (h *handlers) htmlDownload(c echo.Context) error {
	b := h.base(c)
	v, err := h.view(c, b)
	if err != nil {
		return err
	}
	t := h.tr(c)
	data := map[string]any{
		"Lang": web.Locale(c), "V": v, "Intro": v.Syn.Introduction,
		"Title": b.Space.Title.In(web.Locale(c), "en") + " — " + t("synthesis.name."+v.Syn.Kind, "Number", v.Syn.Number),
		"T": map[string]string{"How": t("synthesis.how.title"), "Original": t("synthesis.topic.original_short"), "Machine": t("synthesis.machine_short"),
			"Hash": t("synthesis.how.hash", "Hash", v.Syn.InputHash), "MethodV": t("synthesis.how.method", "Method", v.Syn.MethodVersion),
			"Software":   t("synthesis.how.software", "Version", v.Syn.SoftwareVersion),
			"OpinionMap": t("synthesis.opinion_map"), "Pending": t("synthesis.opinion_map.pending"), "Failed": t("synthesis.opinion_map.failed"),
			"Report": t("synthesis.opinion_map.report"), "Consensus": t("synthesis.consensus"), "Divisive": t("synthesis.divisive"),
			"AllAgree": t("synthesis.consensus.agree"), "AllDisagree": t("synthesis.consensus.disagree"),
			"NoConsensus": t("synthesis.consensus.none"), "NoDivisive": t("synthesis.divisive.none")},
		"Shares": func(st StatementView) string {
			return t("synthesis.statement.shares", "Agree", st.Agree, "Disagree", st.Disagree, "Pass", st.Pass, "Votes", st.Votes)
		},
	}
	data["Groups"] = func(om OpinionMapView) string {
		return t("synthesis.opinion_map.groups", "Participants", om.Participants, "Groups", om.Groups, "Date", om.ComputedAt.UTC().Format(time.DateOnly))
	}
	var charts []template.HTML
	for _, tv := range v.Themes {
		charts = append(charts, barChart(t("synthesis.chart.title", "Theme", tv.Title), tv))
	}
	data["Charts"] = charts
	var buf bytes.Buffer
	if err := downloadTemplate.Execute(&buf, data); err != nil {
		return fmt.Errorf("rendering the HTML download: %w", err)
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="synthesis-%d.html"`, v.Syn.ID))
	return c.Blob(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}
