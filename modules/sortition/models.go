// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import "time"

// Draw statuses.
const (
	StatusCollecting = "collecting" // quotas set, volunteers sign up through the form
	StatusUploaded   = "uploaded"   // pool and quotas stored (uploaded, or sign-up closed)
	StatusCommitted  = "committed"  // seed commitment published
	StatusDrawing    = "drawing"    // large pool: the background job computes the draw
	StatusDrawn      = "drawn"      // panel drawn, record published
)

// Draw is the one draw of a sortition component.
type Draw struct {
	ID             int64
	OrganisationID int64
	ComponentID    int64
	SpaceID        int64
	PanelSize      int
	Categories     string // JSON []leximin.Category
	PoolSize       int
	Commitment     string
	Status         string
	PseudonymKey   string // hex; erased with the pool so pseudonyms cannot be recomputed
	Record         string // JSON lottery.Record, public once drawn
	Error          string // why the last background draw failed
	DrawnAt        *time.Time
	PoolErasedAt   *time.Time
	// Households: sign-up asks for an address, at most one member per
	// household is drawn.
	Households bool
	// SignupOpenedAt is set when the pool is collected through the
	// sign-up form rather than uploaded.
	SignupOpenedAt *time.Time
	// SignupClosesAt is the optional closing date of the sign-up: from
	// then on the form refuses volunteers (the organisers still close the
	// sign-up, which runs the feasibility check).
	SignupClosesAt *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName is the draws table.
func (Draw) TableName() string { return "sortition_draws" }

// PoolRow is one volunteer of a draw's pool: personal data seen by admins
// only and erased on the retention schedule.
type PoolRow struct {
	ID         int64
	DrawID     int64
	Position   int
	ExternalID string
	Features   string // JSON []int, indices into the categories' values
	Household  string
	AccountID  int64
	// ConsentedAt is when a volunteer who signed up through the form gave
	// consent; nil for uploaded rows.
	ConsentedAt *time.Time
}

// TableName is the pool table.
func (PoolRow) TableName() string { return "sortition_pool" }

// Member is one drawn panel member: its pseudonym in the record and the
// account it is linked to (0 when none).
type Member struct {
	ID        int64
	DrawID    int64
	Pseudonym string
	AccountID int64
	CreatedAt time.Time
	EndedAt   *time.Time // set when the member dropped out and was replaced
}

// TableName is the members table.
func (Member) TableName() string { return "sortition_members" }

// Replacement is the published record of one replacement draw.
type Replacement struct {
	ID          int64
	DrawID      int64
	Replaced    string // pseudonym of the member who dropped out
	Replacement string // pseudonym drawn in their place
	Record      string // JSON lottery.ItemRecord
	CreatedAt   time.Time
}

// TableName is the replacements table.
func (Replacement) TableName() string { return "sortition_replacements" }

// SignupEnded reports whether the sign-up's closing date has come at now.
func (d *Draw) SignupEnded(now time.Time) bool {
	return d.SignupClosesAt != nil && !now.Before(*d.SignupClosesAt)
}
