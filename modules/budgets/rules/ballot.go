// SPDX-License-Identifier: AGPL-3.0-or-later

package rules

import "slices"

// BallotRule is what a voter may submit, as the admin set it for a budget.
// Zero fields mean "no such constraint"; all constraints combine.
type BallotRule struct {
	// Knapsack requires the approved projects to cost at most MaxCost, or
	// at most Budget when MaxCost is zero.
	Knapsack bool
	Budget   int64
	MaxCost  int64
	// MinProjects and MaxProjects bound the number of projects chosen.
	MinProjects int
	MaxProjects int
	// ThresholdPercent requires the chosen projects to cost at least this
	// percentage of Budget.
	ThresholdPercent int64
	// MaxPoints (K) bounds the total points, MaxPointsPerProject (k) the
	// points on one project: cumulative ballots.
	MaxPoints           int64
	MaxPointsPerProject int64
	// Scored ballots give each project a score in [0, MaxScore].
	Scored   bool
	MaxScore int64
}

// Choice is one project in a voter's basket. Points is the score or the
// points given (ignored by approval rules).
type Choice struct {
	ProjectID string
	Cost      int64
	Points    int64
}

// Reason codes of ballot violations and needs. A UI translates them; the
// numbers that go into the message are in the same struct.
const (
	CodeOverBudget           = "over_budget"             // Limit: max cost, Value: basket cost
	CodeTooFewProjects       = "too_few_projects"        // Limit: min, Value: count
	CodeTooManyProjects      = "too_many_projects"       // Limit: max, Value: count
	CodeBelowThreshold       = "below_threshold"         // Limit: min cost, Value: basket cost
	CodeTooManyPoints        = "too_many_points"         // Limit: K, Value: total
	CodeTooManyPointsProject = "too_many_points_project" // Limit: k, Value: points, ProjectID
	CodeScoreOutOfRange      = "score_out_of_range"      // Limit: S, Value: score, ProjectID
	CodeDuplicateProject     = "duplicate_project"       // ProjectID
	CodeNegativeCost         = "negative_cost"           // ProjectID, Value: cost

	NeedProjects      = "add_projects"       // Value: how many more projects at least
	NeedCost          = "add_cost"           // Value: how much more cost at least
	RemainingBudget   = "remaining_budget"   // Value: what can still be added
	RemainingProjects = "remaining_projects" // Value: how many can still be added
	RemainingPoints   = "remaining_points"   // Value: points left to give
)

// Reason is one structured finding about a basket.
type Reason struct {
	Code      string
	Limit     int64
	Value     int64
	ProjectID string
}

// BallotCheck is the verdict on a basket: Violations must be fixed by
// removing or lowering something; Needs say what must still be added
// before the ballot can be cast; Remaining is informational headroom.
type BallotCheck struct {
	Valid      bool
	Violations []Reason
	Needs      []Reason
	Remaining  []Reason
}

// CheckBallot checks a basket against the rule. A basket is valid when it
// has no violation and needs nothing more.
func (r BallotRule) CheckBallot(basket []Choice) BallotCheck {
	var ck BallotCheck
	var cost, points int64
	seen := make(map[string]bool, len(basket))
	for _, c := range basket {
		if seen[c.ProjectID] {
			ck.Violations = append(ck.Violations, Reason{Code: CodeDuplicateProject, ProjectID: c.ProjectID})
		}
		seen[c.ProjectID] = true
		if c.Cost < 0 {
			ck.Violations = append(ck.Violations, Reason{Code: CodeNegativeCost, Value: c.Cost, ProjectID: c.ProjectID})
		}
		cost += c.Cost
		points += c.Points
		if r.MaxPointsPerProject > 0 && c.Points > r.MaxPointsPerProject {
			ck.Violations = append(ck.Violations, Reason{Code: CodeTooManyPointsProject, Limit: r.MaxPointsPerProject, Value: c.Points, ProjectID: c.ProjectID})
		}
		if (r.Scored || r.MaxPoints > 0 || r.MaxPointsPerProject > 0) && c.Points < 0 ||
			r.Scored && c.Points > r.MaxScore {
			ck.Violations = append(ck.Violations, Reason{Code: CodeScoreOutOfRange, Limit: r.MaxScore, Value: c.Points, ProjectID: c.ProjectID})
		}
	}
	count := int64(len(basket))
	if r.Knapsack {
		limit := r.MaxCost
		if limit <= 0 {
			limit = r.Budget
		}
		if cost > limit {
			ck.Violations = append(ck.Violations, Reason{Code: CodeOverBudget, Limit: limit, Value: cost})
		} else {
			ck.Remaining = append(ck.Remaining, Reason{Code: RemainingBudget, Limit: limit, Value: limit - cost})
		}
	}
	if r.MaxProjects > 0 {
		if count > int64(r.MaxProjects) {
			ck.Violations = append(ck.Violations, Reason{Code: CodeTooManyProjects, Limit: int64(r.MaxProjects), Value: count})
		} else {
			ck.Remaining = append(ck.Remaining, Reason{Code: RemainingProjects, Limit: int64(r.MaxProjects), Value: int64(r.MaxProjects) - count})
		}
	}
	if r.MinProjects > 0 && count < int64(r.MinProjects) {
		ck.Violations = append(ck.Violations, Reason{Code: CodeTooFewProjects, Limit: int64(r.MinProjects), Value: count})
		ck.Needs = append(ck.Needs, Reason{Code: NeedProjects, Limit: int64(r.MinProjects), Value: int64(r.MinProjects) - count})
	}
	if r.ThresholdPercent > 0 {
		// cost ≥ t% of B, in integers: 100·cost ≥ t·B; the missing amount
		// is rounded up to a whole money unit.
		if 100*cost < r.ThresholdPercent*r.Budget {
			need := r.ThresholdPercent*r.Budget - 100*cost
			minCost := (r.ThresholdPercent*r.Budget + 99) / 100
			ck.Violations = append(ck.Violations, Reason{Code: CodeBelowThreshold, Limit: minCost, Value: cost})
			ck.Needs = append(ck.Needs, Reason{Code: NeedCost, Limit: minCost, Value: (need + 99) / 100})
		}
	}
	if r.MaxPoints > 0 {
		if points > r.MaxPoints {
			ck.Violations = append(ck.Violations, Reason{Code: CodeTooManyPoints, Limit: r.MaxPoints, Value: points})
		} else {
			ck.Remaining = append(ck.Remaining, Reason{Code: RemainingPoints, Limit: r.MaxPoints, Value: r.MaxPoints - points})
		}
	}
	// Below-minimum findings are listed both as violations (the ballot
	// cannot be cast) and as needs (what to add); Valid needs neither.
	ck.Valid = len(ck.Violations) == 0
	slices.SortStableFunc(ck.Violations, func(a, b Reason) int {
		switch {
		case a.Code < b.Code:
			return -1
		case a.Code > b.Code:
			return 1
		}
		return 0
	})
	return ck
}
