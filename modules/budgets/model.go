// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"time"

	"github.com/polder-civic/polder/modules/budgets/rules"
)

// Budget states, in the order a budget goes through them.
const (
	StateDraft     = "draft"     // admins prepare it; nobody votes
	StateOpen      = "open"      // voters build baskets and check out
	StateClosed    = "closed"    // no more ballots; anonymised ballots downloadable
	StatePublished = "published" // results computed and shown
)

// Ballot kinds.
const (
	KindApproval = "approval" // a set of projects
	KindPoints   = "points"   // points to distribute (cumulative)
	KindScores   = "scores"   // a score per project
)

// Budget is one budget of a component: a total, a ballot rule and an
// outcome rule.
type Budget struct {
	ID               int64  `json:"id"`
	OrganisationID   int64  `json:"-"`
	ComponentID      int64  `json:"component_id"`
	SpaceID          int64  `json:"space_id"`
	Title            string `json:"title"`
	Description      string `json:"description"`
	Total            int64  `json:"total"`
	State            string `json:"state"`
	BallotKind       string `json:"ballot_kind"`
	Knapsack         bool   `json:"knapsack"`
	MaxCost          int64  `json:"max_cost"`
	MinProjects      int    `json:"min_projects"`
	MaxProjects      int    `json:"max_projects"`
	ThresholdPercent int    `json:"threshold_percent"`
	MaxPoints        int64  `json:"max_points"`
	MaxPointsProject int64  `json:"max_points_project"`
	MaxScore         int64  `json:"max_score"`
	OutcomeRule      string `json:"outcome_rule"`
	Completion       string `json:"completion"`
	// ExportKey is the secret that numbers voters in the .pb export (see
	// voterOrder); set when the ballots are first exported.
	ExportKey string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Cardinal reports whether ballots carry points or scores.
func (b *Budget) Cardinal() bool { return b.BallotKind == KindPoints || b.BallotKind == KindScores }

// BallotRule is the budget's ballot rule for the rules package.
func (b *Budget) BallotRule() rules.BallotRule {
	return rules.BallotRule{Knapsack: b.Knapsack, Budget: b.Total, MaxCost: b.MaxCost, MinProjects: b.MinProjects, MaxProjects: b.MaxProjects,
		ThresholdPercent: int64(b.ThresholdPercent), MaxPoints: b.MaxPoints, MaxPointsPerProject: b.MaxPointsProject,
		Scored: b.BallotKind == KindScores, MaxScore: b.MaxScore}
}

// Project is a fundable project of a budget. Cost is in whole currency
// units.
type Project struct {
	ID          int64     `json:"id"`
	BudgetID    int64     `json:"budget_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Cost        int64     `json:"cost"`
	ThemeID     int64     `json:"theme_id"`
	Location    string    `json:"location"`
	ImageURL    string    `json:"image_url"`
	SourceRef   string    `json:"source_ref,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName is the projects table.
func (Project) TableName() string { return "budget_projects" }

// Line is one project in a basket or a ballot.
type Line struct {
	ProjectID int64  `json:"project_id"`
	Title     string `json:"title"`
	Cost      int64  `json:"cost"`
	Points    int64  `json:"points"`
}

// Ballot is a voter's checked-out ballot.
type Ballot struct {
	ID        int64     `json:"id"`
	BudgetID  int64     `json:"budget_id"`
	AccountID int64     `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	Lines     []Line    `json:"lines" gorm:"-"`
}

// TableName is the ballots table.
func (Ballot) TableName() string { return "budget_ballots" }
