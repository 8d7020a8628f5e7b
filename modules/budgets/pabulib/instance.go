// SPDX-License-Identifier: AGPL-3.0-or-later

package pabulib

import (
	"fmt"
	"strings"
)

// Vote types as spelled in the vote_type META key.
const (
	VoteApproval   = "approval"
	VoteOrdinal    = "ordinal"
	VoteCumulative = "cumulative"
	VoteScoring    = "scoring"
)

// MetaField is one key;value row of the META section, in file order.
type MetaField struct {
	Key   string
	Value string
}

// Project is one row of the PROJECTS section.
type Project struct {
	ID   string
	Cost Decimal
	// Fields holds every column of the row as written, aligned with
	// Instance.ProjectColumns (so it includes project_id and cost).
	Fields []string
	// Line is the line of the row in the source file (0 if built in code).
	Line int
}

// Vote is one row of the VOTES section.
type Vote struct {
	VoterID string
	// Projects lists the project ids of the ballot in file order (for
	// ordinal ballots, the preference order).
	Projects []string
	// Points is aligned with Projects for cumulative and scoring ballots;
	// nil when the row has no points column.
	Points []Decimal
	// Fields holds every column of the row as written, aligned with
	// Instance.VoteColumns.
	Fields []string
	Line   int
}

// Instance is a parsed .pb file.
type Instance struct {
	Meta           []MetaField
	ProjectColumns []string
	Projects       []Project
	VoteColumns    []string
	Votes          []Vote
}

// MetaValue returns the value of a META key (the last one if repeated).
func (in *Instance) MetaValue(key string) (string, bool) {
	for i := len(in.Meta) - 1; i >= 0; i-- {
		if strings.EqualFold(strings.TrimSpace(in.Meta[i].Key), key) {
			return in.Meta[i].Value, true
		}
	}
	return "", false
}

// Budget returns the META budget.
func (in *Instance) Budget() (Decimal, error) {
	v, ok := in.MetaValue("budget")
	if !ok {
		return Decimal{}, fmt.Errorf("META has no budget")
	}
	d, err := ParseDecimal(v)
	if err != nil {
		return Decimal{}, fmt.Errorf("META budget: %w", err)
	}
	return d, nil
}

// VoteType returns the META vote_type, lower-cased, "approval" when absent.
func (in *Instance) VoteType() string {
	v, ok := in.MetaValue("vote_type")
	if !ok || strings.TrimSpace(v) == "" {
		return VoteApproval
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// Rule returns the META rule (the rule the city used), or "".
func (in *Instance) Rule() string {
	v, _ := in.MetaValue("rule")
	return strings.TrimSpace(v)
}

// ProjectColumn returns the value of a named column for project p and
// whether the column exists.
func (in *Instance) ProjectColumn(p int, name string) (string, bool) {
	i := columnIndex(in.ProjectColumns, name)
	if i < 0 || i >= len(in.Projects[p].Fields) {
		return "", false
	}
	return in.Projects[p].Fields[i], true
}

// ProjectIndex maps project ids to their index in Projects.
func (in *Instance) ProjectIndex() map[string]int {
	m := make(map[string]int, len(in.Projects))
	for i, p := range in.Projects {
		m[p.ID] = i
	}
	return m
}

func columnIndex(cols []string, name string) int {
	for i, c := range cols {
		if strings.EqualFold(strings.TrimSpace(c), name) {
			return i
		}
	}
	return -1
}
