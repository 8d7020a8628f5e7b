// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/csvsafe"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
)

// CSVColumns are the columns ImportCSV reads (title and cost required).
var CSVColumns = []string{"title", "description", "cost", "theme", "location", "image_url"}

// ImportCSV adds the projects of a CSV file (header row naming the
// columns of CSVColumns; theme is a theme key or id of the space) to a
// draft budget, all or nothing: the first bad row refuses the file and
// names its line.
func (s *Service) ImportCSV(ctx context.Context, sp *registry.Space, b *Budget, actorID int64, r io.Reader) (int, error) {
	if b.State != StateDraft {
		return 0, perr.Conflict("budgets.error.not_draft", nil)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return 0, perr.Invalid("budgets.error.csv_header", nil)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["title"]; !ok {
		return 0, perr.Invalid("budgets.error.csv_header", nil)
	}
	if _, ok := col["cost"]; !ok {
		return 0, perr.Invalid("budgets.error.csv_header", nil)
	}
	themes := map[string]int64{}
	for _, th := range sp.Themes {
		themes[strings.ToLower(th.Key)] = th.ID
		themes[strconv.FormatInt(th.ID, 10)] = th.ID
	}
	var projects []Project
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A malformed record has no fields to ask FieldPos about (it
			// panics): the parse error names the line.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return 0, perr.Invalid("budgets.error.csv_line", map[string]any{"Line": line})
		}
		line, _ := cr.FieldPos(0)
		// A file in another encoding than UTF-8 (Latin-1 from a
		// spreadsheet) is refused by its line: PostgreSQL would refuse the
		// text with an internal error.
		if !utf8.ValidString(strings.Join(rec, "")) {
			return 0, perr.Invalid("budgets.error.csv_line", map[string]any{"Line": line})
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		cost, err := strconv.ParseInt(strings.ReplaceAll(get("cost"), " ", ""), 10, 64)
		if err != nil {
			cost = 0
		}
		// Text exported by Polder was escaped against spreadsheet formulas
		// (csvsafe): read it back as it was.
		p := Project{Title: csvsafe.Unescape(get("title")), Description: csvsafe.Unescape(get("description")), Cost: cost,
			Location: csvsafe.Unescape(get("location")), ImageURL: csvsafe.Unescape(get("image_url"))}
		if t := strings.ToLower(get("theme")); t != "" {
			id, ok := themes[t]
			if !ok {
				return 0, perr.Invalid("budgets.error.csv_theme", map[string]any{"Line": line, "Theme": get("theme")})
			}
			p.ThemeID = id
		}
		if err := validateProject(sp, &p); err != nil {
			return 0, perr.Invalid("budgets.error.csv_line", map[string]any{"Line": line})
		}
		p.BudgetID, p.CreatedAt = b.ID, s.Now()
		projects = append(projects, p)
	}
	if len(projects) == 0 {
		return 0, perr.Invalid("budgets.error.csv_empty", nil)
	}
	if err := s.db.WithContext(ctx).Create(&projects).Error; err != nil {
		return 0, fmt.Errorf("importing projects: %w", err)
	}
	s.record(ctx, b, actorID, "project.import_csv", strconv.Itoa(len(projects)))
	return len(projects), nil
}

// ImportContributions adds to a draft budget, as projects costing cost
// each (admins then adjust), the accepted contributions of another
// component of the same space, read through core's ContributionSource
// capability (the budgets module never imports the module that holds
// them). Contributions already imported (same reference) are skipped.
func (s *Service) ImportContributions(ctx context.Context, sp *registry.Space, b *Budget, actorID, sourceComponentID, cost int64) (int, error) {
	if b.State != StateDraft {
		return 0, perr.Conflict("budgets.error.not_draft", nil)
	}
	if cost <= 0 {
		return 0, perr.Invalid("budgets.error.cost", nil)
	}
	src, err := s.comps.Get(ctx, sourceComponentID)
	if err != nil || src.SpaceType != sp.Type || src.SpaceID != sp.ID {
		return 0, perr.NotFound("component")
	}
	if src.ModuleID == ID {
		// Budgets hold projects, not contributions to turn into them.
		return 0, perr.Invalid("budgets.error.not_a_source", nil)
	}
	mod, ok := s.comps.Registry().Module(src.ModuleID)
	if !ok {
		return 0, perr.NotFound("component")
	}
	source, ok := mod.(registry.ContributionSource)
	if !ok {
		return 0, perr.Invalid("budgets.error.not_a_source", nil)
	}
	items, err := source.Contributions(ctx, src, registry.ContributionFilter{State: "accepted", Kinds: []string{"proposal"}})
	if err != nil {
		return 0, fmt.Errorf("reading contributions: %w", err)
	}
	n := 0
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, it := range items {
			if it.State != "accepted" {
				continue
			}
			var have int64
			if err := tx.Model(&Project{}).Where("budget_id = ? AND source_ref = ?", b.ID, it.Ref).Count(&have).Error; err != nil {
				return fmt.Errorf("checking import: %w", err)
			}
			if have > 0 {
				continue
			}
			title := it.Title
			if len(title) > 600 {
				title = title[:600]
			}
			p := Project{BudgetID: b.ID, Title: title, Description: it.Body, Cost: cost, ThemeID: it.ThemeID, SourceRef: it.Ref, CreatedAt: s.Now()}
			if err := tx.Create(&p).Error; err != nil {
				return fmt.Errorf("importing %s: %w", it.Ref, err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.record(ctx, b, actorID, "project.import_contributions", strconv.Itoa(n))
	return n, nil
}

// Sources lists the space's components whose module offers contributions
// (for the admin's import form).
func (s *Service) Sources(ctx context.Context, sp *registry.Space) ([]registry.Component, error) {
	comps, err := s.comps.InSpace(ctx, sp.Type, sp.ID)
	if err != nil {
		return nil, err
	}
	var out []registry.Component
	for _, c := range comps {
		if mod, ok := s.comps.Registry().Module(c.ModuleID); ok && c.ModuleID != ID {
			if _, ok := mod.(registry.ContributionSource); ok {
				out = append(out, c)
			}
		}
	}
	return out, nil
}
