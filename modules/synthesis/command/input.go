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
// parsed by parseDate, which accepts more than RFC 3339. Ids, themes,
// sessions and dates may be JSON numbers as well as strings.
type record struct {
	ID         flexString `json:"id"`
	Text       string     `json:"text"`
	Theme      flexString `json:"theme"`
	Session    flexString `json:"session"`
	Date       flexString `json:"date"`
	AuthorType string     `json:"author_type"`
	Supports   int        `json:"supports"`
	Language   string     `json:"language"`
}

// flexString is a JSON string, or a number kept as written (42, not 42.0).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %s", b)
	}
	*f = flexString(n.String())
	return nil
}

// readInput reads the contributions of a file, and notes on what it did
// not read (they go with the synthesis's own notes).
func readInput(path string) (topics.Input, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return topics.Input{}, nil, fmt.Errorf("reading contributions: %w", err)
	}
	var recs []record
	var notes []string
	var om *topics.OpinionMap
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		recs, notes, err = parseCSV(data)
	case ".json":
		recs, om, err = parseJSON(data)
	default:
		return topics.Input{}, nil, fmt.Errorf("reading %s: unknown format (want .csv or .json)", path)
	}
	if err != nil {
		return topics.Input{}, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	in := topics.Input{OpinionMap: om}
	for n, r := range recs {
		d, err := parseDate(string(r.Date))
		if err != nil {
			return topics.Input{}, nil, fmt.Errorf("reading %s: contribution %d (%s): %w", path, n+1, r.ID, err)
		}
		in.Contributions = append(in.Contributions, topics.Contribution{
			ID: string(r.ID), Text: r.Text, Theme: string(r.Theme), Session: string(r.Session), Date: d,
			AuthorType: r.AuthorType, Supports: r.Supports, Language: r.Language,
		})
	}
	return in, notes, nil
}

// csvColumns are the columns read, each with the other names it is found
// under when it is missing: those of a Pol.is export's comments.csv
// (comment-id, comment-body, timestamp), so that one builds as it is.
var csvColumns = []struct {
	name     string
	aliases  []string
	required bool
}{
	{"id", []string{"comment-id", "comment_id"}, true},
	{"text", []string{"comment-body", "comment_body", "body"}, true},
	{"theme", nil, false},
	{"session", nil, false},
	{"date", []string{"timestamp", "created_at"}, false},
	{"author_type", nil, false},
	{"supports", nil, false},
	{"language", nil, false},
	{"moderated", nil, false},
}

// csvDelimiter guesses the field separator from the header line: a comma,
// or the semicolon of spreadsheets in French and Dutch locales, or a tab,
// whichever the line holds most of outside quotes.
func csvDelimiter(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(line) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

func parseCSV(data []byte) ([]record, []string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	rd := csv.NewReader(bytes.NewReader(data))
	rd.Comma = csvDelimiter(data)
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("parsing CSV: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("parsing CSV: no header row")
	}
	header := map[string]int{}
	for i, h := range rows[0] {
		header[strings.ToLower(strings.TrimSpace(h))] = i
	}
	col := map[string]int{}
	for _, c := range csvColumns {
		for _, h := range append([]string{c.name}, c.aliases...) {
			if i, ok := header[h]; ok {
				col[c.name] = i
				break
			}
		}
		if _, ok := col[c.name]; !ok && c.required {
			return nil, nil, fmt.Errorf("parsing CSV: missing column %q (need id and text; theme, session, date, author_type, supports and language are optional)", c.name)
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
	rejected := 0
	for n, row := range rows[1:] {
		if strings.TrimSpace(get(row, "moderated")) == "-1" {
			rejected++ // Pol.is: rejected by the conversation's moderators
			continue
		}
		r := record{
			ID: flexString(get(row, "id")), Text: get(row, "text"), Theme: flexString(get(row, "theme")),
			Session: flexString(get(row, "session")), Date: flexString(get(row, "date")),
			AuthorType: get(row, "author_type"), Language: get(row, "language"),
		}
		if s := strings.TrimSpace(get(row, "supports")); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil {
				return nil, nil, fmt.Errorf("parsing CSV line %d: supports %q: %w", n+2, s, err)
			}
			r.Supports = v
		}
		recs = append(recs, r)
	}
	var notes []string
	if rejected > 0 {
		notes = append(notes, fmt.Sprintf("%d row(s) with moderated = -1 (rejected by the conversation's moderators, as in a Pol.is export) were not read.", rejected))
	}
	return recs, notes, nil
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
	// Seconds or milliseconds since 1970 (a Pol.is export's timestamp):
	// 11 digits or more are milliseconds (seconds would be after 2286).
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		if len(s) >= 11 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("date %q is not RFC 3339, YYYY-MM-DD or seconds or milliseconds since 1970", s)
}
