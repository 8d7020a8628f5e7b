// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/modules/synthesis/topics"
)

// Version kinds and statuses.
const (
	KindInterim = "interim"
	KindFinal   = "final"

	StatusQueued    = "queued"
	StatusBuilding  = "building"
	StatusReady     = "ready"
	StatusFailed    = "failed"
	StatusPublished = "published"
)

// Synthesis is one version of a synthesis component. Once published its
// result, labels and introduction never change.
type Synthesis struct {
	ID              int64      `json:"id"`
	OrganisationID  int64      `json:"-"`
	ComponentID     int64      `json:"component_id"`
	SpaceID         int64      `json:"space_id"`
	Kind            string     `json:"kind"`
	Number          int        `json:"number"`
	Sources         string     `json:"-"` // JSON array of component ids
	Kinds           string     `json:"-"` // JSON array of contribution kinds; empty: all
	ThemeID         int64      `json:"theme_id"`
	SessionID       int64      `json:"session_id"`
	DateFrom        *time.Time `json:"date_from,omitempty"`
	DateTo          *time.Time `json:"date_to,omitempty"`
	Status          string     `json:"status"`
	Progress        int        `json:"progress"`
	ProgressNote    string     `json:"progress_note"`
	JobID           int64      `json:"job_id"`
	Error           string     `json:"error,omitempty"`
	InputHash       string     `json:"input_hash"`
	MethodVersion   string     `json:"method_version"`
	SoftwareVersion string     `json:"software_version"`
	Result          string     `json:"-"`
	Labels          string     `json:"-"`
	Introduction    string     `json:"introduction"`
	CreatedBy       int64      `json:"-"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	BuiltAt         *time.Time `json:"built_at,omitempty"`
	PublishedAt     *time.Time `json:"published_at,omitempty"`
}

// TableName is the table of syntheses.
func (Synthesis) TableName() string { return "syntheses" }

// SourceIDs returns the component ids the synthesis reads.
func (s *Synthesis) SourceIDs() []int64 {
	var ids []int64
	_ = json.Unmarshal([]byte(s.Sources), &ids) // written by Create only
	return ids
}

// KindList returns the kinds of contributions the version reads (nil:
// every kind).
func (s *Synthesis) KindList() []string {
	var kinds []string
	_ = json.Unmarshal([]byte(s.Kinds), &kinds) // written by Create only
	return kinds
}

// Frozen reports whether the version was published and so may no longer
// change.
func (s *Synthesis) Frozen() bool { return s.Status == StatusPublished }

// Name is the version's name key and number ("interim", 2).
func (s *Synthesis) Name() string {
	if s.Kind == KindFinal {
		return "final"
	}
	return "interim " + strconv.Itoa(s.Number)
}

// Source is a contribution as the synthesis read it, kept so that every
// id of the result leads back to its page.
type Source struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	URL   string `json:"url"`
	Theme string `json:"theme"`
}

// MachineSummary is the optional language model's text for a topic, always
// shown as machine-written, with the contribution ids it was given.
type MachineSummary struct {
	Theme int      `json:"theme"`
	Topic int      `json:"topic"`
	Model string   `json:"model"`
	Text  string   `json:"text"`
	IDs   []string `json:"ids"`
}

// Result is the stored, frozen output of a build.
type Result struct {
	Synthesis     *topics.Synthesis `json:"synthesis"`
	Contributions []Source          `json:"contributions"`
	Machine       []MachineSummary  `json:"machine_summaries,omitempty"`
	// Authors counts the people behind the contributions (distinct
	// registry.Contribution.AuthorKey); Unattributed counts the
	// contributions with no participant as author (facilitators' seed
	// statements, budget projects), which Authors leaves out.
	Authors      int `json:"authors"`
	Unattributed int `json:"unattributed"`
	// OpinionMaps are the consensus and divisive statements of the
	// space's opinion-map conversations when the version was built.
	OpinionMaps []OpinionMapResult `json:"opinion_maps,omitempty"`
}

// OpinionMapResult is one conversation's consensus and divisive
// statements, as its module computed them (registry.ConsensusProvider);
// percentages are of the participants who saw each statement.
type OpinionMapResult struct {
	ComponentID int64 `json:"component_id"`
	// Status says whether the statements are there: "computed", or
	// "pending" (no opinion groups computed yet), or "failed" (the
	// conversation could not be read; the build went on without it).
	Status       string             `json:"status"`
	Title        i18n.Text          `json:"title"`
	URL          string             `json:"url"`
	ComputedAt   time.Time          `json:"computed_at"`
	Participants int                `json:"participants"`
	Groups       int                `json:"groups"`
	Consensus    []topics.Statement `json:"consensus"`
	Divisive     []topics.Statement `json:"divisive"`
}

// Statuses of an opinion map in a result.
const (
	OpinionMapComputed = "computed"
	OpinionMapPending  = "pending"
	OpinionMapFailed   = "failed"
)

// LabelEdit is an organiser's change of a topic label.
type LabelEdit struct {
	Original string    `json:"original"`
	Label    string    `json:"label"`
	By       int64     `json:"by"`
	At       time.Time `json:"at"`
}

// labelKey names a topic within a synthesis: theme index / topic index.
func labelKey(theme, topic int) string { return fmt.Sprintf("%d/%d", theme, topic) }

// decodeResult reads the stored result (nil before the build ends).
func (s *Synthesis) decodeResult() (*Result, error) {
	if s.Result == "" {
		return nil, nil
	}
	var r Result
	if err := json.Unmarshal([]byte(s.Result), &r); err != nil {
		return nil, fmt.Errorf("reading synthesis %d result: %w", s.ID, err)
	}
	return &r, nil
}

// decodeLabels reads the label edits.
func (s *Synthesis) decodeLabels() map[string]LabelEdit {
	m := map[string]LabelEdit{}
	if s.Labels != "" {
		_ = json.Unmarshal([]byte(s.Labels), &m) // written by SetLabel only
	}
	return m
}
