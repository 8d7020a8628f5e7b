// SPDX-License-Identifier: AGPL-3.0-or-later

package polisdata

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// WriteDir writes the export into dir (created if missing) in the same
// format ReadDir reads. participants-votes.csv and summary.csv are written
// only when the export has participants or summary fields.
func WriteDir(dir string, e *Export) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating export folder: %w", err)
	}
	files := []struct {
		name string
		fn   func(io.Writer) error
		skip bool
	}{
		{CommentsFile, e.WriteComments, false},
		{VotesFile, e.WriteVotes, false},
		{ParticipantsFile, e.WriteParticipants, len(e.Participants) == 0 && len(e.VoteColumns) == 0},
		{SummaryFile, e.WriteSummary, len(e.Summary) == 0},
	}
	for _, f := range files {
		if f.skip {
			continue
		}
		if err := writeFile(filepath.Join(dir, f.name), f.fn); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, fn func(io.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing %s: %w", path, cerr)
		}
	}()
	if err := fn(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

func writeAll(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if header != nil {
		if err := cw.Write(header); err != nil {
			return err
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// WriteComments writes comments.csv.
func (e *Export) WriteComments(w io.Writer) error {
	rows := make([][]string, len(e.Comments))
	for i, c := range e.Comments {
		rows[i] = []string{i64(c.Timestamp), c.Datetime, i64(c.ID), i64(c.AuthorID),
			strconv.Itoa(c.Agrees), strconv.Itoa(c.Disagrees), strconv.Itoa(c.Moderated), c.Body}
	}
	return writeAll(w, commentsHeader, rows)
}

// WriteVotes writes votes.csv.
func (e *Export) WriteVotes(w io.Writer) error {
	rows := make([][]string, len(e.Votes))
	for i, v := range e.Votes {
		rows[i] = []string{i64(v.Timestamp), v.Datetime, i64(v.CommentID), i64(v.VoterID), strconv.Itoa(v.Vote)}
	}
	return writeAll(w, votesHeader, rows)
}

// WriteParticipants writes participants-votes.csv with the VoteColumns
// order (an empty cell for an unseen comment, an empty group-id for an
// unclustered participant).
func (e *Export) WriteParticipants(w io.Writer) error {
	header := append([]string(nil), participantsHeader...)
	if e.HasXID {
		header = append([]string(nil), participantsHeaderXID...)
	}
	for _, c := range e.VoteColumns {
		header = append(header, i64(c))
	}
	rows := make([][]string, len(e.Participants))
	for i, p := range e.Participants {
		group := ""
		if p.Group >= 0 {
			group = strconv.Itoa(p.Group)
		}
		row := []string{i64(p.ID)}
		if e.HasXID {
			row = append(row, p.XID)
		}
		row = append(row, group, strconv.Itoa(p.NComments), strconv.Itoa(p.NVotes), strconv.Itoa(p.NAgree), strconv.Itoa(p.NDisagree))
		for _, c := range e.VoteColumns {
			cell := ""
			if v, ok := p.Votes[c]; ok {
				cell = strconv.Itoa(v)
			}
			row = append(row, cell)
		}
		rows[i] = row
	}
	return writeAll(w, header, rows)
}

// WriteSummary writes summary.csv (key, value rows without a header).
func (e *Export) WriteSummary(w io.Writer) error {
	rows := make([][]string, len(e.Summary))
	for i, f := range e.Summary {
		rows[i] = []string{f.Key, f.Value}
	}
	return writeAll(w, nil, rows)
}
