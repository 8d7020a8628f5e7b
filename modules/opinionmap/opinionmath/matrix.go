// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import (
	"fmt"
	"slices"
)

// Vote is a participant's reaction to a statement: agree, disagree or pass.
type Vote int8

// The three votes. Their numeric values are the matrix entries.
const (
	Disagree Vote = -1
	Pass     Vote = 0
	Agree    Vote = 1
)

// String names the vote.
func (v Vote) String() string {
	switch v {
	case Agree:
		return "agree"
	case Disagree:
		return "disagree"
	case Pass:
		return "pass"
	}
	return fmt.Sprintf("vote(%d)", int8(v))
}

// Moderation is a statement's moderation state, with Pol.is's values.
type Moderation int8

// The moderation states.
const (
	Rejected    Moderation = -1
	Unmoderated Moderation = 0
	Accepted    Moderation = 1
)

// Statement is a column of the matrix.
type Statement struct {
	ID         int64
	Moderation Moderation
	// Meta marks a statement about the conversation itself: it can be shown
	// but is left out of the math.
	Meta bool
}

// inMath reports whether the statement's column takes part in the PCA and
// the statistics. With strict moderation only accepted statements do.
func (s Statement) inMath(strict bool) bool {
	if s.Meta {
		return false
	}
	return s.Moderation == Accepted || (s.Moderation == Unmoderated && !strict)
}

// routable reports whether the statement may be shown to participants.
func (s Statement) routable(strict bool) bool {
	return s.Moderation == Accepted || (s.Moderation == Unmoderated && !strict)
}

// entry is one vote in a participant's row.
type entry struct {
	col  int32
	vote Vote
}

// Matrix is a sparse participant × statement vote matrix: one row per
// participant holding their latest vote on each statement they saw, sorted
// by column. Memory is proportional to the number of votes, never to
// participants × statements. A Matrix is not safe for concurrent writes.
type Matrix struct {
	statements   []Statement
	stmtIndex    map[int64]int
	participants []int64
	partIndex    map[int64]int
	rows         [][]entry
	nnz          int

	// lastPart caches the row of the last participant written to: vote
	// streams usually come grouped by participant.
	lastPart int64
	lastRow  int
}

// NewMatrix returns an empty matrix.
func NewMatrix() *Matrix {
	return &Matrix{stmtIndex: map[int64]int{}, partIndex: map[int64]int{}, lastRow: -1}
}

// SetStatement adds a statement (a new column) or updates the moderation
// state and meta flag of an existing one.
func (m *Matrix) SetStatement(s Statement) {
	if i, ok := m.stmtIndex[s.ID]; ok {
		m.statements[i] = s
		return
	}
	m.stmtIndex[s.ID] = len(m.statements)
	m.statements = append(m.statements, s)
}

// AddParticipant adds a participant with no votes yet (a no-op if known),
// fixing their position in participant order.
func (m *Matrix) AddParticipant(id int64) {
	m.row(id)
}

func (m *Matrix) row(participant int64) int {
	if m.lastRow >= 0 && m.lastPart == participant {
		return m.lastRow
	}
	r, ok := m.partIndex[participant]
	if !ok {
		r = len(m.participants)
		m.partIndex[participant] = r
		m.participants = append(m.participants, participant)
		m.rows = append(m.rows, nil)
	}
	m.lastPart, m.lastRow = participant, r
	return r
}

// SetVote records a participant's vote on a statement, replacing any
// earlier vote on it (the latest vote counts). Unknown participants are
// added; an unknown statement is an error.
func (m *Matrix) SetVote(participant, statement int64, v Vote) error {
	c, ok := m.stmtIndex[statement]
	if !ok {
		return fmt.Errorf("vote of participant %d on unknown statement %d", participant, statement)
	}
	if v < Disagree || v > Agree {
		return fmt.Errorf("vote of participant %d on statement %d: invalid value %d", participant, statement, v)
	}
	r := m.row(participant)
	row := m.rows[r]
	col := int32(c)
	// Fast path: columns arriving in increasing order append.
	if n := len(row); n == 0 || row[n-1].col < col {
		m.rows[r] = append(row, entry{col, v})
		m.nnz++
		return nil
	}
	i, found := slices.BinarySearchFunc(row, col, func(e entry, c int32) int { return int(e.col - c) })
	if found {
		row[i].vote = v
		return nil
	}
	m.rows[r] = slices.Insert(row, i, entry{col, v})
	m.nnz++
	return nil
}

// Vote returns a participant's vote on a statement and whether they voted.
func (m *Matrix) Vote(participant, statement int64) (Vote, bool) {
	r, ok := m.partIndex[participant]
	if !ok {
		return 0, false
	}
	c, ok := m.stmtIndex[statement]
	if !ok {
		return 0, false
	}
	row := m.rows[r]
	i, found := slices.BinarySearchFunc(row, int32(c), func(e entry, c int32) int { return int(e.col - c) })
	if !found {
		return 0, false
	}
	return row[i].vote, true
}

// NumParticipants is the number of rows.
func (m *Matrix) NumParticipants() int { return len(m.participants) }

// NumStatements is the number of columns.
func (m *Matrix) NumStatements() int { return len(m.statements) }

// NumVotes is the number of stored (latest) votes.
func (m *Matrix) NumVotes() int { return m.nnz }

// Statements returns the columns in order.
func (m *Matrix) Statements() []Statement { return slices.Clone(m.statements) }

// Participants returns the participant ids in row order (first seen first).
func (m *Matrix) Participants() []int64 { return slices.Clone(m.participants) }

// VotedStatements returns the ids of the statements a participant voted on.
func (m *Matrix) VotedStatements(participant int64) []int64 {
	r, ok := m.partIndex[participant]
	if !ok {
		return nil
	}
	out := make([]int64, len(m.rows[r]))
	for i, e := range m.rows[r] {
		out[i] = m.statements[e.col].ID
	}
	return out
}

// RemoveParticipant erases a participant and all their votes (the right to
// erasure); the others keep their relative order. It reports whether the
// participant was known. A later Compute forgets them entirely, including
// their admission to the clustering.
func (m *Matrix) RemoveParticipant(participant int64) bool {
	r, ok := m.partIndex[participant]
	if !ok {
		return false
	}
	m.nnz -= len(m.rows[r])
	m.participants = slices.Delete(m.participants, r, r+1)
	m.rows = slices.Delete(m.rows, r, r+1)
	delete(m.partIndex, participant)
	for i := r; i < len(m.participants); i++ {
		m.partIndex[m.participants[i]] = i
	}
	m.lastRow = -1
	return true
}
