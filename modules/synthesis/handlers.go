// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
)

type handlers struct {
	s   *web.Server
	svc *Service
}

// Base is what every page of the module shows.
type Base struct {
	Space     *registry.Space
	Component *registry.Component
	URL       string
	CanBuild  bool
}

func (h *handlers) base(c echo.Context) Base {
	sp, comp := web.Space(c), web.Component(c)
	ok, err := h.s.Can(c, registry.Permission(ID, ActionBuild))
	return Base{Space: sp, Component: comp, CanBuild: err == nil && ok,
		URL: web.SpacePrefixes[sp.Type] + "/" + sp.Slug + "/c/" + strconv.FormatInt(comp.ID, 10)}
}

// load reads the :id version without its result (Result is empty);
// versions not yet published exist only for organisers.
func (h *handlers) load(c echo.Context, b Base) (*Synthesis, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, perr.NotFound("synthesis")
	}
	syn, err := h.svc.Get(c.Request().Context(), b.Component, id)
	if err != nil {
		return nil, err
	}
	if !syn.Frozen() && !b.CanBuild {
		return nil, perr.NotFound("synthesis")
	}
	return syn, nil
}

// view loads the :id version and prepares it for reading.
func (h *handlers) view(c echo.Context, b Base) (*View, error) {
	syn, err := h.load(c, b)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.readResult(c.Request().Context(), syn)
	if err != nil {
		return nil, err
	}
	loc := web.Locale(c)
	v := newView(syn, d, b.Space, loc, viewWords{NoTheme: h.s.Bundle.T(loc, "synthesis.theme.none", nil),
		NoSession: h.s.Bundle.T(loc, "synthesis.session.none", nil), Other: h.s.Bundle.T(loc, "synthesis.topic.other", nil)})
	v.Slice = h.slice(c, syn, b.Space, loc)
	t := h.tr(c)
	v.Covers = coversLine(t, v.Slice)
	v.Summary = summaryLines(t, func(id string, n int) string { return h.s.Bundle.N(loc, id, n, nil) }, d.res)
	// The method as it was when this version was built, in the reader's
	// language; the English text stored with the result otherwise.
	if key := methodMessage(syn.MethodVersion); h.s.Bundle.Has(key) {
		v.Method = h.s.Bundle.T(loc, key, nil)
	}
	return v, nil
}

// slice names what a version covers in the reader's language. A source
// component deleted since is left out of the list.
func (h *handlers) slice(c echo.Context, syn *Synthesis, sp *registry.Space, loc string) SliceView {
	sv := SliceView{From: syn.DateFrom, To: syn.DateTo}
	if th, ok := sp.Theme(syn.ThemeID); ok && syn.ThemeID != 0 {
		sv.Theme = th.Title.In(loc, "en")
	}
	if se, ok := sp.Session(syn.SessionID); ok && syn.SessionID != 0 {
		sv.Session = se.Title.In(loc, "en")
	}
	for _, id := range syn.SourceIDs() {
		if comp, err := h.s.Components.Get(c.Request().Context(), id); err == nil {
			sv.Sources = append(sv.Sources, comp.Title.In(loc, "en"))
		}
	}
	for _, k := range syn.KindList() {
		sv.Kinds = append(sv.Kinds, h.kindName(c, k))
	}
	return sv
}

// coversLine says in one sentence what a version covers.
func coversLine(t func(string, ...any) string, sv SliceView) string {
	parts := []string{t("synthesis.slice.all_themes"), t("synthesis.slice.all_sessions"), t("synthesis.slice.all_dates")}
	if sv.Theme != "" {
		parts[0] = t("synthesis.slice.theme", "Theme", sv.Theme)
	}
	if sv.Session != "" {
		parts[1] = t("synthesis.slice.session", "Session", sv.Session)
	}
	var dates []string
	if sv.From != nil {
		dates = append(dates, t("synthesis.slice.from", "Date", sv.From.UTC().Format(time.DateOnly)))
	}
	if sv.To != nil {
		dates = append(dates, t("synthesis.slice.to", "Date", sv.To.UTC().Format(time.DateOnly)))
	}
	if len(dates) > 0 {
		parts[2] = strings.Join(dates, " ")
	}
	if len(sv.Sources) > 0 {
		parts = append(parts, t("synthesis.slice.sources")+" "+strings.Join(sv.Sources, ", "))
	}
	if len(sv.Kinds) > 0 {
		parts = append(parts, t("synthesis.slice.kinds")+" "+strings.Join(sv.Kinds, ", "))
	}
	return t("synthesis.slice.covers") + " " + strings.Join(parts, " · ")
}

// summaryLines gives the counts of a built version, a sentence each:
// contributions and duplicates, people (when known), languages; n
// translates a message with plural forms.
func summaryLines(t func(string, ...any) string, n func(string, int) string, res *Result) []string {
	if res == nil || res.Synthesis == nil {
		return nil
	}
	s := res.Synthesis
	out := []string{t("synthesis.summary", "Contributions", s.Contributions, "Analysed", s.Analysed, "Groups", s.DuplicateGroups, "Duplicates", s.DuplicateContributions)}
	if res.Authors > 0 {
		line := n("synthesis.authors", res.Authors)
		if res.Unattributed > 0 {
			line += " " + n("synthesis.unattributed", res.Unattributed)
		}
		out = append(out, line)
	}
	if len(s.Languages) > 0 {
		var langs []string
		for _, l := range s.Languages {
			langs = append(langs, t("synthesis.languages.item", "Name", t("synthesis.lang."+l.Key), "Count", l.Count, "Percent", int(l.Share*100+0.5)))
		}
		out = append(out, t("synthesis.languages")+" "+strings.Join(langs, ", "))
	}
	return out
}

// methodMessage is the message id describing a method version:
// "topics/3" → "synthesis.method.topics_3".
func methodMessage(version string) string {
	return "synthesis.method." + strings.ReplaceAll(version, "/", "_")
}

func intParam(c echo.Context, name string) (int, error) {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil {
		return 0, perr.NotFound("topic")
	}
	return n, nil
}
