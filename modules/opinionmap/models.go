// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import "time"

// Statement states.
const (
	StatePending  = "pending"  // waiting for moderation (pre-moderation)
	StateAccepted = "accepted" // shown and in the math
	StateRejected = "rejected" // moderated out
	// StateUnmoderated is a participant statement under post-moderation:
	// shown and in the math until a moderator decides.
	StateUnmoderated = "unmoderated"
)

// Statement is one statement of a conversation.
type Statement struct {
	ID            int64      `json:"id"`
	ComponentID   int64      `json:"-"`
	ParticipantID *int64     `json:"-"`
	Body          string     `json:"body"`
	State         string     `json:"state"`
	Seed          bool       `json:"seed"`
	Meta          bool       `json:"meta"`
	ExternalID    *int64     `json:"-"`
	CreatedAt     time.Time  `json:"created_at"`
	ModeratedAt   *time.Time `json:"-"`
}

// TableName is the statements table.
func (Statement) TableName() string { return "opinion_statements" }

// Participant is one participant of a conversation: an account, or an
// anonymous participant bound to a browser session (AnonKey), or one
// imported from a Pol.is export (ExternalID).
type Participant struct {
	ID          int64
	ComponentID int64
	AccountID   *int64
	AnonKey     *string
	ExternalID  *int64
	CreatedAt   time.Time
}

// TableName is the participants table.
func (Participant) TableName() string { return "opinion_participants" }

// Vote is a participant's current vote on a statement.
type Vote struct {
	StatementID   int64
	ParticipantID int64
	ComponentID   int64
	Vote          int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName is the votes table.
func (Vote) TableName() string { return "opinion_votes" }

// storedResult is the row of the last recompute.
type storedResult struct {
	ComponentID       int64 `gorm:"primaryKey"`
	VotesCount        int64
	ParticipantsCount int64
	ComputedAt        time.Time
	DurationMs        int64
	Result            []byte
}

func (storedResult) TableName() string { return "opinion_results" }
