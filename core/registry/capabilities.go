// SPDX-License-Identifier: AGPL-3.0-or-later

package registry

import (
	"context"
	"slices"
	"time"
)

// Optional capabilities a module may implement, found by interface. Other
// modules reach them only through core (Registry.Sources, Panels), never by
// importing the module.

// Contribution is one piece of public participation (a proposal, a
// comment, a statement, a project) as other modules and the synthesis see
// it: public fields only, no personal data.
type Contribution struct {
	// Ref identifies it across modules: "<module>:<component id>:<id>".
	Ref         string
	ModuleID    string
	ComponentID int64
	ID          int64
	Kind        string // "proposal", "comment", "statement", "project"
	Title       string
	Body        string
	ThemeID     int64
	SessionID   int64
	AuthorType  string // "person", "group", "facilitator"
	// AuthorKey stands for the author without naming them (AuthorKey),
	// so that a reader can count the people behind contributions; empty
	// when the author is not a participant (a facilitator's seed).
	AuthorKey string
	Supports  int
	State     string // e.g. "published", "accepted"
	Language  string
	URL       string
	CreatedAt time.Time
}

// ContributionFilter narrows what a source returns.
type ContributionFilter struct {
	ThemeID   int64
	SessionID int64
	State     string
	From, To  time.Time
	// Kinds keeps only contributions of these kinds (Contribution.Kind);
	// empty keeps every kind.
	Kinds []string
}

// Wants reports whether the filter keeps contributions of kind.
func (f ContributionFilter) Wants(kind string) bool {
	return len(f.Kinds) == 0 || slices.Contains(f.Kinds, kind)
}

// ContributionSource is implemented by modules whose components hold
// contributions (proposals and their comments, opinion-map statements,
// budget projects).
type ContributionSource interface {
	Contributions(ctx context.Context, comp *Component, f ContributionFilter) ([]Contribution, error)
	// ContributionKinds lists the kinds of contributions the module's
	// components hold (Contribution.Kind), so that a reader can pick some.
	ContributionKinds() []string
}

// Overview is what a component adds to its space's public page: a small
// table of figures (e.g. proposals per theme and session), already
// translated into the page's locale.
type Overview struct {
	Caption string
	// Columns are the column headings after the row label's.
	Columns []string
	Rows    []OverviewRow
}

// OverviewRow is one labelled row of an overview table.
type OverviewRow struct {
	Label string
	Cells []string
}

// OverviewProvider is implemented by modules that show figures on the
// page of the space their components live in.
type OverviewProvider interface {
	Overview(ctx context.Context, comp *Component, space *Space, locale string) (*Overview, error)
}

// ConsensusStatement is one statement of a conversation with how everyone
// who saw it voted.
type ConsensusStatement struct {
	// Ref identifies it like a Contribution: "<module>:<component id>:<id>".
	Ref  string
	ID   int64
	Text string
	// Seen counts the participants who voted on it (agree, disagree or
	// pass); the shares below are of Seen, in [0, 1].
	Seen                                 int
	AgreeShare, DisagreeShare, PassShare float64
	// Agree says, for a consensus statement, which side every opinion
	// group shares: agreement (true) or disagreement (false).
	Agree bool
	URL   string
}

// ConversationConsensus is what an opinion-map conversation agrees and
// divides on, as computed by its module.
type ConversationConsensus struct {
	ComponentID int64
	// URL is the conversation's report page.
	URL        string
	ComputedAt time.Time
	// Participants counts the participants placed in opinion groups;
	// Groups counts the groups.
	Participants, Groups int
	Consensus            []ConsensusStatement
	Divisive             []ConsensusStatement
}

// ConsensusProvider is implemented by modules whose components are
// opinion-map conversations (the synthesis shows their consensus and
// divisive statements). It returns nil, nil while the conversation has
// no computed results yet.
type ConsensusProvider interface {
	Consensus(ctx context.Context, comp *Component, space *Space) (*ConversationConsensus, error)
}
