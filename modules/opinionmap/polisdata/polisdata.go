// SPDX-License-Identifier: AGPL-3.0-or-later

// Package polisdata reads and writes the Pol.is open-data export format
// (comments.csv, votes.csv, participants-votes.csv and summary.csv, as in
// the compdemocracy/openData repository) and turns an export into an
// opinionmath vote matrix.
package polisdata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// Comment is a row of comments.csv.
type Comment struct {
	Timestamp int64
	Datetime  string
	ID        int64
	AuthorID  int64
	Agrees    int
	Disagrees int
	// Moderated: 1 accepted, 0 unmoderated, −1 rejected.
	Moderated int
	Body      string
}

// Vote is a row of votes.csv: 1 agree, −1 disagree, 0 pass.
type Vote struct {
	Timestamp int64
	Datetime  string
	CommentID int64
	VoterID   int64
	Vote      int
}

// Participant is a row of participants-votes.csv.
type Participant struct {
	ID int64
	// Group is Pol.is's group id, −1 when the participant was not clustered.
	Group     int
	NComments int
	NVotes    int
	NAgree    int
	NDisagree int
	// XID is the external id, in exports that have the xid column.
	XID string
	// Votes holds the final vote per comment id; unseen comments are absent.
	Votes map[int64]int
}

// SummaryField is a key/value row of summary.csv.
type SummaryField struct {
	Key, Value string
}

// Export is one conversation's export.
type Export struct {
	Comments []Comment
	Votes    []Vote
	// VoteColumns is the comment-id column order of participants-votes.csv.
	VoteColumns []int64
	// HasXID: participants-votes.csv has the xid column.
	HasXID       bool
	Participants []Participant
	Summary      []SummaryField
}

// File names of an export folder.
const (
	CommentsFile     = "comments.csv"
	VotesFile        = "votes.csv"
	ParticipantsFile = "participants-votes.csv"
	SummaryFile      = "summary.csv"
)

var (
	commentsHeader     = []string{"timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"}
	votesHeader        = []string{"timestamp", "datetime", "comment-id", "voter-id", "vote"}
	participantsHeader = []string{"participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"}
	// Some exports carry the participant's external id after the first column.
	participantsHeaderXID = []string{"participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"}
)

// ReadDir reads an export folder. comments.csv and votes.csv are required;
// participants-votes.csv and summary.csv are read when present.
func ReadDir(dir string) (*Export, error) {
	e := &Export{}
	if err := readFile(filepath.Join(dir, CommentsFile), e.readComments); err != nil {
		return nil, err
	}
	if err := readFile(filepath.Join(dir, VotesFile), e.readVotes); err != nil {
		return nil, err
	}
	for name, fn := range map[string]func(io.Reader) error{ParticipantsFile: e.readParticipants, SummaryFile: e.readSummary} {
		err := readFile(filepath.Join(dir, name), fn)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return e, nil
}

func readFile(path string, fn func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening Pol.is export file: %w", err)
	}
	defer f.Close()
	if err := fn(f); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

// fields reads a CSV with a header, checking that it starts with want.
func fields(r io.Reader, want []string, variable bool) (header []string, rows [][]string, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	all, err := cr.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(all) == 0 {
		return nil, nil, errors.New("empty file")
	}
	header = all[0]
	if len(header) < len(want) || !slices.Equal(header[:len(want)], want) || (!variable && len(header) != len(want)) {
		return nil, nil, fmt.Errorf("unexpected header %v", header)
	}
	for i, row := range all[1:] {
		if len(row) != len(header) {
			return nil, nil, fmt.Errorf("line %d: %d fields, header has %d", i+2, len(row), len(header))
		}
	}
	return header, all[1:], nil
}

// ints parses the listed fields of a row as integers.
func ints(row []string, line int, idx ...int) ([]int64, error) {
	out := make([]int64, len(idx))
	for k, i := range idx {
		v, err := strconv.ParseInt(row[i], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d field %d: %w", line, i+1, err)
		}
		out[k] = v
	}
	return out, nil
}

func (e *Export) readComments(r io.Reader) error {
	_, rows, err := fields(r, commentsHeader, false)
	if err != nil {
		return err
	}
	for i, row := range rows {
		v, err := ints(row, i+2, 0, 2, 3, 4, 5, 6)
		if err != nil {
			return err
		}
		e.Comments = append(e.Comments, Comment{Timestamp: v[0], Datetime: row[1], ID: v[1], AuthorID: v[2],
			Agrees: int(v[3]), Disagrees: int(v[4]), Moderated: int(v[5]), Body: row[7]})
	}
	return nil
}

func (e *Export) readVotes(r io.Reader) error {
	_, rows, err := fields(r, votesHeader, false)
	if err != nil {
		return err
	}
	e.Votes = make([]Vote, 0, len(rows))
	for i, row := range rows {
		v, err := ints(row, i+2, 0, 2, 3, 4)
		if err != nil {
			return err
		}
		e.Votes = append(e.Votes, Vote{Timestamp: v[0], Datetime: row[1], CommentID: v[1], VoterID: v[2], Vote: int(v[3])})
	}
	return nil
}

func (e *Export) readParticipants(r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	all, err := cr.ReadAll()
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return errors.New("empty file")
	}
	header := all[0]
	want := participantsHeader
	if len(header) > 1 && header[1] == "xid" {
		want, e.HasXID = participantsHeaderXID, true
	}
	if len(header) < len(want) || !slices.Equal(header[:len(want)], want) {
		return fmt.Errorf("unexpected header %v", header)
	}
	fixed := len(want)
	e.VoteColumns = make([]int64, len(header)-fixed)
	for k, h := range header[fixed:] {
		if e.VoteColumns[k], err = strconv.ParseInt(h, 10, 64); err != nil {
			return fmt.Errorf("header column %q: %w", h, err)
		}
	}
	// Column positions after the optional xid.
	off := 0
	if e.HasXID {
		off = 1
	}
	for i, row := range all[1:] {
		line := i + 2
		if len(row) != len(header) {
			return fmt.Errorf("line %d: %d fields, header has %d", line, len(row), len(header))
		}
		v, err := ints(row, line, 0, 2+off, 3+off, 4+off, 5+off)
		if err != nil {
			return err
		}
		p := Participant{ID: v[0], Group: -1, NComments: int(v[1]), NVotes: int(v[2]), NAgree: int(v[3]), NDisagree: int(v[4]), Votes: map[int64]int{}}
		if e.HasXID {
			p.XID = row[1]
		}
		if g := row[1+off]; g != "" {
			if p.Group, err = strconv.Atoi(g); err != nil {
				return fmt.Errorf("line %d group-id: %w", line, err)
			}
		}
		for k, cell := range row[fixed:] {
			if cell == "" {
				continue
			}
			x, err := strconv.Atoi(cell)
			if err != nil {
				return fmt.Errorf("line %d comment %d: %w", line, e.VoteColumns[k], err)
			}
			p.Votes[e.VoteColumns[k]] = x
		}
		e.Participants = append(e.Participants, p)
	}
	return nil
}

func (e *Export) readSummary(r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	all, err := cr.ReadAll()
	if err != nil {
		return err
	}
	for i, row := range all {
		if len(row) != 2 {
			return fmt.Errorf("line %d: %d fields, want 2", i+1, len(row))
		}
		e.Summary = append(e.Summary, SummaryField{row[0], row[1]})
	}
	return nil
}

// LatestVotes returns each (voter, comment) pair's latest vote, ordered by
// time (file order among equal timestamps).
func (e *Export) LatestVotes() []Vote {
	idx := make([]int, len(e.Votes))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ta, tb := e.Votes[a].Timestamp, e.Votes[b].Timestamp
		switch {
		case ta < tb:
			return -1
		case ta > tb:
			return 1
		}
		return 0
	})
	type key struct{ voter, comment int64 }
	last := make(map[key]int, len(idx))
	for _, i := range idx {
		v := e.Votes[i]
		last[key{v.VoterID, v.CommentID}] = i
	}
	out := make([]Vote, 0, len(last))
	for _, i := range idx {
		v := e.Votes[i]
		if last[key{v.VoterID, v.CommentID}] == i {
			out = append(out, v)
		}
	}
	return out
}

// Matrix builds the vote matrix of the export: every comment as a
// statement with its moderation state (exports carry no meta flag), and
// the latest votes. Participants are added in order of their id, the
// order of participants-votes.csv, so that runs are reproducible.
func (e *Export) Matrix() (*opinionmath.Matrix, error) {
	m := opinionmath.NewMatrix()
	for _, s := range e.Statements() {
		m.SetStatement(s)
	}
	votes := e.LatestVotes()
	slices.SortStableFunc(votes, func(a, b Vote) int {
		if c := cmpInt(a.VoterID, b.VoterID); c != 0 {
			return c
		}
		return cmpInt(a.CommentID, b.CommentID)
	})
	for _, v := range votes {
		if v.Vote < -1 || v.Vote > 1 {
			return nil, fmt.Errorf("vote of %d on comment %d: invalid value %d", v.VoterID, v.CommentID, v.Vote)
		}
		if err := m.SetVote(v.VoterID, v.CommentID, opinionmath.Vote(v.Vote)); err != nil {
			return nil, fmt.Errorf("building matrix: %w", err)
		}
	}
	return m, nil
}

// Statements returns every comment as a statement with its (final)
// moderation state, in comment-id order. Exports carry no meta flag.
func (e *Export) Statements() []opinionmath.Statement {
	comments := slices.Clone(e.Comments)
	slices.SortFunc(comments, func(a, b Comment) int { return cmpInt(a.ID, b.ID) })
	out := make([]opinionmath.Statement, len(comments))
	for i, c := range comments {
		out[i] = opinionmath.Statement{ID: c.ID, Moderation: opinionmath.Moderation(max(-1, min(1, c.Moderated)))}
	}
	return out
}

// TimedVotes returns every vote of votes.csv (changed votes included, so
// that a replay sees them change) in time order, file order among equal
// times, for opinionmath.Replay.
func (e *Export) TimedVotes() ([]opinionmath.TimedVote, error) {
	out := make([]opinionmath.TimedVote, 0, len(e.Votes))
	for _, v := range e.Votes {
		if v.Vote < -1 || v.Vote > 1 {
			return nil, fmt.Errorf("vote of %d on comment %d: invalid value %d", v.VoterID, v.CommentID, v.Vote)
		}
		out = append(out, opinionmath.TimedVote{Time: v.Timestamp, Participant: v.VoterID, Statement: v.CommentID, Vote: opinionmath.Vote(v.Vote)})
	}
	slices.SortStableFunc(out, func(a, b opinionmath.TimedVote) int { return cmpInt(a.Time, b.Time) })
	return out, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PolisGroups returns Pol.is's group per clustered participant.
func (e *Export) PolisGroups() map[int64]int {
	out := map[int64]int{}
	for _, p := range e.Participants {
		if p.Group >= 0 {
			out[p.ID] = p.Group
		}
	}
	return out
}
