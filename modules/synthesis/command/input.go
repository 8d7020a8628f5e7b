// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/polder-civic/polder/modules/synthesis/topics"
)

// record is one contribution as written in an input file; dates are
// parsed by parseDate, which accepts more than RFC 3339.
type record struct {
	ID         string `json:"id"`
	Text       string `json:"text"`
	Theme      string `json:"theme"`
	Session    string `json:"session"`
	Date       string `json:"date"`
	AuthorType string `json:"author_type"`
	Supports   int    `json:"supports"`
	Language   string `json:"language"`
}

func readInput(path string) (topics.Input, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return topics.Input{}, fmt.Errorf("reading contributions: %w", err)
	}
	var recs []record
	var om *topics.OpinionMap
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		recs, err = parseCSV(data)
	case ".json":
		recs, om, err = parseJSON(data)
	default:
		return topics.Input{}, fmt.Errorf("reading %s: unknown format (want .csv or .json)", path)
	}
	if err != nil {
		return topics.Input{}, fmt.Errorf("reading %s: %w", path, err)
	}
	in := topics.Input{OpinionMap: om}
	for n, r := range recs {
		d, err := parseDate(r.Date)
		if err != nil {
			return topics.Input{}, fmt.Errorf("reading %s: contribution %d (%s): %w", path, n+1, r.ID, err)
		}
		in.Contributions = append(in.Contributions, topics.Contribution{
			ID: r.ID, Text: r.Text, Theme: r.Theme, Session: r.Session, Date: d,
			AuthorType: r.AuthorType, Supports: r.Supports, Language: r.Language,
		})
	}
	return in, nil
}

var requiredColumns = []string{"id", "text", "theme", "session", "date"}

func parseCSV(data []byte) ([]record, error) {
	rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parsing CSV: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("parsing CSV: no header row")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range requiredColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("parsing CSV: missing column %q (need %s)", c, strings.Join(requiredColumns, ", "))
		}
	}
	get := func(row []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return ""
		}
		return row[i]
	}
	var recs []record
	for n, row := range rows[1:] {
		r := record{
			ID: get(row, "id"), Text: get(row, "text"), Theme: get(row, "theme"),
			Session: get(row, "session"), Date: get(row, "date"),
			AuthorType: get(row, "author_type"), Language: get(row, "language"),
		}
		if s := strings.TrimSpace(get(row, "supports")); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("parsing CSV line %d: supports %q: %w", n+2, s, err)
			}
			r.Supports = v
		}
		recs = append(recs, r)
	}
	return recs, nil
}

func parseJSON(data []byte) ([]record, *topics.OpinionMap, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var recs []record
		if err := json.Unmarshal(trimmed, &recs); err != nil {
			return nil, nil, fmt.Errorf("parsing JSON: %w", err)
		}
		return recs, nil, nil
	}
	var doc struct {
		Contributions []record           `json:"contributions"`
		OpinionMap    *topics.OpinionMap `json:"opinion_map"`
	}
	if err := json.Unmarshal(trimmed, &doc); err != nil {
		return nil, nil, fmt.Errorf("parsing JSON: %w", err)
	}
	return doc.Contributions, doc.OpinionMap, nil
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q is not RFC 3339 or YYYY-MM-DD", s)
}
