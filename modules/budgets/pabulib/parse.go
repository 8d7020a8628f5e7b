// SPDX-License-Identifier: AGPL-3.0-or-later

package pabulib

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ParseError reports a problem at a line of a .pb file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

// Error formats the error as file:line: message.
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ParseFile reads and parses a .pb file.
func ParseFile(path string) (*Instance, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading pabulib file: %w", err)
	}
	return Parse(data, path)
}

type section int

const (
	sectionNone section = iota
	sectionMeta
	sectionProjects
	sectionVotes
)

var sectionNames = map[string]section{
	"META":     sectionMeta,
	"PROJECTS": sectionProjects,
	"VOTES":    sectionVotes,
}

// Parse parses the content of a .pb file; name is used in error messages.
func Parse(data []byte, name string) (*Instance, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	// Real files contain stray quotes inside unquoted text fields.
	r.LazyQuotes = true
	p := parser{name: name, in: &Instance{}}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &ParseError{File: name, Line: pe.Line, Msg: pe.Err.Error()}
			}
			return nil, &ParseError{File: name, Line: p.line, Msg: err.Error()}
		}
		p.line, _ = r.FieldPos(0)
		for i, f := range rec {
			// A quoted field may swallow a CRLF; store it as LF so that
			// writing and reading again gives the same value.
			rec[i] = strings.ReplaceAll(f, "\r\n", "\n")
		}
		if err := p.record(rec); err != nil {
			return nil, err
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.in, nil
}

type parser struct {
	name       string
	in         *Instance
	line       int
	sec        section
	needHeader bool
	metaKeys   map[string]bool
	projectIDs map[string]int
	voterIDs   map[string]bool
	idCol      int
	costCol    int
	voteCol    int
	pointsCol  int
}

func (p *parser) fail(format string, args ...any) error {
	return &ParseError{File: p.name, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) record(rec []string) error {
	if len(rec) == 1 {
		if s, ok := sectionNames[strings.ToUpper(strings.TrimSpace(rec[0]))]; ok {
			return p.startSection(s, strings.TrimSpace(rec[0]))
		}
	}
	if p.sec == sectionNone {
		return p.fail("expected the META section, got %q", strings.Join(rec, ";"))
	}
	if p.needHeader {
		p.needHeader = false
		return p.header(rec)
	}
	switch p.sec {
	case sectionMeta:
		return p.metaRow(rec)
	case sectionProjects:
		return p.projectRow(rec)
	default:
		return p.voteRow(rec)
	}
}

func (p *parser) startSection(s section, name string) error {
	if s != p.sec+1 {
		return p.fail("section %s out of order (expected META, PROJECTS, VOTES, each once)", name)
	}
	if p.needHeader {
		return p.fail("section %s starts before the previous section's header", name)
	}
	p.sec = s
	p.needHeader = true
	return nil
}

func (p *parser) header(rec []string) error {
	seen := map[string]bool{}
	for _, c := range rec {
		k := strings.ToLower(strings.TrimSpace(c))
		if seen[k] {
			return p.fail("duplicate column %q", c)
		}
		seen[k] = true
	}
	switch p.sec {
	case sectionMeta:
		if len(rec) != 2 {
			return p.fail("META header must be key;value, got %d columns", len(rec))
		}
		p.metaKeys = map[string]bool{}
	case sectionProjects:
		p.in.ProjectColumns = rec
		p.idCol, p.costCol = columnIndex(rec, "project_id"), columnIndex(rec, "cost")
		if p.idCol < 0 || p.costCol < 0 {
			return p.fail("PROJECTS header needs project_id and cost columns")
		}
		p.projectIDs = map[string]int{}
	case sectionVotes:
		p.in.VoteColumns = rec
		p.idCol, p.voteCol = columnIndex(rec, "voter_id"), columnIndex(rec, "vote")
		p.pointsCol = columnIndex(rec, "points")
		if p.idCol < 0 || p.voteCol < 0 {
			return p.fail("VOTES header needs voter_id and vote columns")
		}
		p.voterIDs = map[string]bool{}
	}
	return nil
}

func (p *parser) metaRow(rec []string) error {
	if len(rec) != 2 {
		return p.fail("META row must have 2 fields, got %d", len(rec))
	}
	k := strings.ToLower(strings.TrimSpace(rec[0]))
	if k == "" {
		return p.fail("META row with an empty key")
	}
	if p.metaKeys[k] {
		return p.fail("duplicate META key %q", rec[0])
	}
	p.metaKeys[k] = true
	p.in.Meta = append(p.in.Meta, MetaField{Key: rec[0], Value: rec[1]})
	return nil
}

func (p *parser) projectRow(rec []string) error {
	if len(rec) != len(p.in.ProjectColumns) {
		return p.fail("project row has %d fields, header has %d", len(rec), len(p.in.ProjectColumns))
	}
	id := strings.TrimSpace(rec[p.idCol])
	if id == "" {
		return p.fail("empty project_id")
	}
	if prev, ok := p.projectIDs[id]; ok {
		return p.fail("duplicate project %q (first on line %d)", id, prev)
	}
	cost, err := ParseDecimal(rec[p.costCol])
	if err != nil {
		return p.fail("project %q: cost: %v", id, err)
	}
	if cost.Sign() <= 0 {
		return p.fail("project %q: cost must be positive, got %s", id, rec[p.costCol])
	}
	p.projectIDs[id] = p.line
	p.in.Projects = append(p.in.Projects, Project{ID: id, Cost: cost, Fields: rec, Line: p.line})
	return nil
}

// splitList splits a comma-separated list, dropping empty items: several
// real files end ballots with a stray comma ("3,4,10,").
func splitList(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (p *parser) voteRow(rec []string) error {
	if len(rec) != len(p.in.VoteColumns) {
		return p.fail("vote row has %d fields, header has %d", len(rec), len(p.in.VoteColumns))
	}
	id := strings.TrimSpace(rec[p.idCol])
	if id == "" {
		return p.fail("empty voter_id")
	}
	if p.voterIDs[id] {
		return p.fail("duplicate voter %q", id)
	}
	p.voterIDs[id] = true
	v := Vote{VoterID: id, Projects: splitList(rec[p.voteCol]), Fields: rec, Line: p.line}
	seen := make(map[string]bool, len(v.Projects))
	for _, pid := range v.Projects {
		if _, ok := p.projectIDs[pid]; !ok {
			return p.fail("voter %q: unknown project %q", id, pid)
		}
		if seen[pid] {
			return p.fail("voter %q: project %q listed twice", id, pid)
		}
		seen[pid] = true
	}
	if p.pointsCol >= 0 {
		pts := splitList(rec[p.pointsCol])
		if len(pts) != len(v.Projects) {
			return p.fail("voter %q: %d points for %d projects", id, len(pts), len(v.Projects))
		}
		v.Points = make([]Decimal, len(pts))
		for i, s := range pts {
			d, err := ParseDecimal(s)
			if err != nil {
				return p.fail("voter %q: points: %v", id, err)
			}
			if d.Sign() < 0 {
				return p.fail("voter %q: negative points %s", id, s)
			}
			v.Points[i] = d
		}
	}
	p.in.Votes = append(p.in.Votes, v)
	return nil
}

func (p *parser) finish() error {
	p.line++
	switch {
	case p.sec != sectionVotes:
		return p.fail("file ends before the VOTES section")
	case p.needHeader:
		return p.fail("VOTES section has no header")
	}
	return nil
}
