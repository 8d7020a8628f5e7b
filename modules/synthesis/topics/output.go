// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

// Synthesis is the machine-made part of a synthesis page.
type Synthesis struct {
	// Contributions is the number of contributions given.
	Contributions int `json:"contributions"`
	// Analysed is the number that went into topics or "other".
	Analysed int `json:"analysed"`
	// Languages counts the analysed contributions per language.
	Languages []Share `json:"languages"`
	// DuplicateGroups is the number of groups of two or more
	// near-identical contributions; DuplicateContributions the
	// contributions in them.
	DuplicateGroups        int `json:"duplicate_groups"`
	DuplicateContributions int `json:"duplicate_contributions"`
	// Themes holds the topics found in each theme, themes sorted by name.
	Themes []ThemeSynthesis `json:"themes"`
	// LeftOut lists contributions that could not be analysed and why.
	LeftOut []LeftOut `json:"left_out,omitempty"`
	// Notes explain anything unusual (truncation, too few texts).
	Notes []string `json:"notes,omitempty"`
	// OpinionMap is the input's opinion map, verbatim.
	OpinionMap *OpinionMap `json:"opinion_map,omitempty"`
	// Method is the method in three sentences, for the page.
	Method string `json:"method"`
	Seed   uint64 `json:"seed"`
}

// ThemeSynthesis is the synthesis of one slice.
type ThemeSynthesis struct {
	Theme string `json:"theme"`
	// Size counts contributions, Voices distinct texts (near-duplicate
	// groups count once).
	Size   int `json:"size"`
	Voices int `json:"voices"`
	// K is the number of clusters chosen, Silhouette its score.
	K          int     `json:"k"`
	Silhouette float64 `json:"silhouette"`
	// Topics are ordered by size, largest first.
	Topics []Topic `json:"topics"`
	// Other holds the contributions that fit no topic; it is never
	// hidden, and is nil when empty.
	Other *Topic `json:"other,omitempty"`
	// Duplicates lists the near-duplicate groups of two or more.
	Duplicates []DuplicateGroup `json:"duplicates,omitempty"`
	// Sessions lists the sessions of the slice in order.
	Sessions []Share `json:"sessions"`
}

// Topic is one group of contributions about the same thing.
type Topic struct {
	// Label is the top terms joined; Terms holds 3-5 terms as shown
	// (most frequent surface form of each stem), Stems their stems.
	Label string   `json:"label"`
	Terms []string `json:"terms"`
	Stems []string `json:"stems"`
	// Size counts contributions, near-duplicates each counted; Voices
	// counts distinct texts. Size == len(IDs).
	Size   int `json:"size"`
	Voices int `json:"voices"`
	// IDs lists every contribution of the topic, near-duplicates
	// included.
	IDs    []string `json:"ids"`
	Quotes []Quote  `json:"quotes"`
	// Shares of the topic within each session, author type and language
	// of the slice.
	BySession    []Share `json:"by_session"`
	ByAuthorType []Share `json:"by_author_type"`
	ByLanguage   []Share `json:"by_language"`
	// Other marks the "other contributions" group.
	Other bool `json:"other,omitempty"`
}

// Quote is a verbatim contribution chosen to represent a topic.
type Quote struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Supports int    `json:"supports"`
	// Copies is the size of its near-duplicate group (1 if none).
	Copies int `json:"copies"`
}

// Share is a count and the share it makes of a whole.
type Share struct {
	Key   string  `json:"key"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

// DuplicateGroup is a set of near-identical contributions, represented by
// the earliest.
type DuplicateGroup struct {
	Representative string   `json:"representative"`
	Text           string   `json:"text"`
	Size           int      `json:"size"`
	IDs            []string `json:"ids"`
}

// LeftOut is a contribution that was not analysed.
type LeftOut struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}
