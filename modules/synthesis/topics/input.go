// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"errors"
	"time"
)

// Contribution is one text to synthesise.
type Contribution struct {
	// ID identifies the contribution; it must be unique and non-empty.
	ID string `json:"id"`
	// Text is the contribution as written; quotes show it verbatim.
	Text string `json:"text"`
	// Theme is the slice the contribution belongs to; topics are found
	// per theme. Empty is a theme of its own.
	Theme string `json:"theme"`
	// Session is the round or meeting it came from (trend figures).
	Session string `json:"session"`
	// Date is when it was written; the earliest of near-duplicates
	// represents the group.
	Date time.Time `json:"date"`
	// AuthorType is "citizen", "organisation" or another kind (optional).
	AuthorType string `json:"author_type,omitempty"`
	// Supports counts endorsements; quotes prefer more supported texts.
	Supports int `json:"supports,omitempty"`
	// Language is the language tag if known (fr, nl, en); empty means
	// detect it.
	Language string `json:"language,omitempty"`
}

// Statement is one statement of an opinion map (Pol.is-style
// conversation), passed through verbatim.
type Statement struct {
	ID              string  `json:"id"`
	Text            string  `json:"text"`
	Votes           int     `json:"votes"`
	AgreePercent    float64 `json:"agree_percent"`
	DisagreePercent float64 `json:"disagree_percent"`
	PassPercent     float64 `json:"pass_percent"`
	// Side is, for a consensus statement, the vote every opinion group
	// shares: "agree" or "disagree" (empty when not known).
	Side string `json:"side,omitempty"`
	// URL links to where the votes can be checked.
	URL string `json:"url,omitempty"`
}

// OpinionMap holds the consensus and divisive statements computed by the
// opinion-map module for the space's conversation.
type OpinionMap struct {
	Conversation string      `json:"conversation"`
	Consensus    []Statement `json:"consensus"`
	Divisive     []Statement `json:"divisive"`
}

// Progress reports how far Build has come; Done and Total count steps of
// the current stage.
type Progress struct {
	Stage string
	Theme string
	Done  int
	Total int
}

// Input is everything Build needs.
type Input struct {
	Contributions []Contribution
	// Seed makes the clustering reproducible; two seeds give two (close)
	// syntheses.
	Seed uint64
	// OpinionMap, when the space has a conversation, is included verbatim.
	OpinionMap *OpinionMap
	// StopWords are extra words to ignore (the city's name, the name of
	// the process), in any case.
	StopWords []string
	// MaxTopics caps k (default and upper bound 15).
	MaxTopics int
	// Runs is the number of k-means runs whose evidence is accumulated
	// (default: consensusRuns of the slice's sample size).
	Runs int
	// MaxAnalysisRunes truncates enormous texts for analysis only
	// (default 10,000 characters); quotes keep the full text.
	MaxAnalysisRunes int
	// Progress, when set, is called from the calling goroutine.
	Progress func(Progress)
}

// consensusRuns is the number of k-means runs for a sample of n texts:
// the co-association is a Monte Carlo estimate, and the budget that
// 200 runs take on the largest sample (runs × texts) buys a more precise
// estimate, so more stable topics across seeds, on a smaller one.
// At most maxRuns: a run's fixed costs dominate on tiny slices, and the
// estimate's standard error is already under 0.012 there.
func consensusRuns(n int) int {
	return min(maxRuns, max(defaultRuns, (consensusBudget+n-1)/max(n, 1)))
}

// ErrInvalidInput marks input that cannot be synthesised as given (missing
// or repeated ids).
var ErrInvalidInput = errors.New("invalid synthesis input")

const (
	defaultMaxTopics = 15
	defaultRuns      = 200
	// consensusBudget is the work of the default runs on the largest
	// sample (runs × texts); smaller slices get as much, as more runs.
	consensusBudget         = defaultRuns * selectionSample
	maxRuns                 = 2000
	defaultMaxAnalysisRunes = 10000
	// minDocsPerTopic is the n/5 of the spec: k ≤ n/5.
	minDocsPerTopic = 5
	// duplicateJaccard is the shingle-set similarity from which two texts
	// are the same contribution.
	duplicateJaccard = 0.8
)
