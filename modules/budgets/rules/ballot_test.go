// SPDX-License-Identifier: AGPL-3.0-or-later

package rules

import (
	"reflect"
	"testing"
)

func TestCheckBallot(t *testing.T) {
	basket := func(costs ...int64) []Choice {
		var b []Choice
		for i, c := range costs {
			b = append(b, Choice{ProjectID: string(rune('a' + i)), Cost: c, Points: 1})
		}
		return b
	}
	cases := []struct {
		name       string
		rule       BallotRule
		basket     []Choice
		valid      bool
		violations []Reason
		needs      []Reason
	}{
		{"KnapsackOK", BallotRule{Knapsack: true, Budget: 100}, basket(40, 60), true, nil, nil},
		{"KnapsackOver", BallotRule{Knapsack: true, Budget: 100}, basket(40, 61), false,
			[]Reason{{Code: CodeOverBudget, Limit: 100, Value: 101}}, nil},
		{"PerVoterLimit", BallotRule{Knapsack: true, Budget: 100, MaxCost: 50}, basket(40, 20), false,
			[]Reason{{Code: CodeOverBudget, Limit: 50, Value: 60}}, nil},
		{"TooFew", BallotRule{MinProjects: 3}, basket(1), false,
			[]Reason{{Code: CodeTooFewProjects, Limit: 3, Value: 1}},
			[]Reason{{Code: NeedProjects, Limit: 3, Value: 2}}},
		{"TooMany", BallotRule{MaxProjects: 2}, basket(1, 1, 1), false,
			[]Reason{{Code: CodeTooManyProjects, Limit: 2, Value: 3}}, nil},
		// 30% of 1001 is 300.3: at least 301 whole units, 101 more.
		{"Threshold", BallotRule{Budget: 1001, ThresholdPercent: 30}, basket(200), false,
			[]Reason{{Code: CodeBelowThreshold, Limit: 301, Value: 200}},
			[]Reason{{Code: NeedCost, Limit: 301, Value: 101}}},
		{"ThresholdMet", BallotRule{Budget: 1000, ThresholdPercent: 30}, basket(300), true, nil, nil},
		{"Points", BallotRule{MaxPoints: 5, MaxPointsPerProject: 3},
			[]Choice{{ProjectID: "a", Points: 4}, {ProjectID: "b", Points: 2}}, false,
			[]Reason{{Code: CodeTooManyPoints, Limit: 5, Value: 6}, {Code: CodeTooManyPointsProject, Limit: 3, Value: 4, ProjectID: "a"}}, nil},
		{"Scores", BallotRule{Scored: true, MaxScore: 10},
			[]Choice{{ProjectID: "a", Points: 10}, {ProjectID: "b", Points: 11}, {ProjectID: "c", Points: -1}}, false,
			[]Reason{{Code: CodeScoreOutOfRange, Limit: 10, Value: 11, ProjectID: "b"}, {Code: CodeScoreOutOfRange, Limit: 10, Value: -1, ProjectID: "c"}}, nil},
		{"Duplicate", BallotRule{}, []Choice{{ProjectID: "a"}, {ProjectID: "a"}}, false,
			[]Reason{{Code: CodeDuplicateProject, ProjectID: "a"}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ck := c.rule.CheckBallot(c.basket)
			if ck.Valid != c.valid || !reflect.DeepEqual(ck.Violations, c.violations) || !reflect.DeepEqual(ck.Needs, c.needs) {
				t.Fatalf("got %+v", ck)
			}
		})
	}
	t.Run("Remaining", func(t *testing.T) {
		r := BallotRule{Knapsack: true, Budget: 100, MaxProjects: 4, MaxPoints: 10}
		ck := r.CheckBallot([]Choice{{ProjectID: "a", Cost: 30, Points: 7}})
		want := []Reason{{Code: RemainingBudget, Limit: 100, Value: 70}, {Code: RemainingProjects, Limit: 4, Value: 3}, {Code: RemainingPoints, Limit: 10, Value: 3}}
		if !ck.Valid || !reflect.DeepEqual(ck.Remaining, want) {
			t.Fatalf("got %+v", ck)
		}
	})
}
