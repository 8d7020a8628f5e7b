// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/polder-civic/polder/core/perr"
)

// Proposal states.
const (
	StateDraft     = "draft"
	StatePublished = "published"
	StateWithdrawn = "withdrawn"
)

// Official answer states set by evaluators.
const (
	AnswerEvaluating = "evaluating"
	AnswerAccepted   = "accepted"
	AnswerRejected   = "rejected"
)

// ResourceType names proposals for comments and moderation.
const ResourceType = "proposal"

// Proposal is one contribution.
type Proposal struct {
	ID             int64      `json:"id"`
	OrganisationID int64      `json:"-"`
	ComponentID    int64      `json:"component_id"`
	SpaceID        int64      `json:"space_id"`
	ThemeID        int64      `json:"theme_id"`
	SessionID      int64      `json:"session_id"`
	AuthorID       int64      `json:"-"`
	AuthorKind     string     `json:"author_kind"`
	Title          string     `json:"title"`
	Body           string     `json:"body"`
	Locale         string     `json:"locale"`
	State          string     `json:"state"`
	AnswerState    string     `json:"answer_state,omitempty"`
	AnswerText     string     `json:"answer_text,omitempty"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	Fingerprint    string     `json:"fingerprint,omitempty"`
	CountsQuota    bool       `json:"-"`
	SupportsCount  int        `json:"supports"`
	CommentsCount  int        `json:"comments"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Fingerprint returns the SHA-256, in lower-case hex, of the canonical
// serialisation of a proposal's content:
//
//	{"body":"<body>","title":"<title>"}
//
// a JSON object with exactly these two keys in this (lexicographic) order,
// no white space outside strings, strings escaped as Go's encoding/json
// does with HTML escaping off (so <, > and & stay as they are; quotes,
// backslashes and control characters are escaped; other characters are
// raw UTF-8), without a trailing newline. Title and body are hashed as
// stored: trimmed, with line endings normalised to "\n".
func Fingerprint(title, body string) string {
	h := sha256.Sum256(CanonicalContent(title, body))
	return hex.EncodeToString(h[:])
}

// CanonicalContent is the byte string Fingerprint hashes.
func CanonicalContent(title, body string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// A struct fixes the key order; encoding never fails for strings.
	_ = enc.Encode(struct {
		Body  string `json:"body"`
		Title string `json:"title"`
	}{body, title})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Draft is what an author writes.
type Draft struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// normalise trims and unifies line endings, so the fingerprint does not
// depend on the author's browser or operating system.
func (d Draft) normalise() Draft {
	d.Title = strings.Join(strings.Fields(d.Title), " ")
	d.Body = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(d.Body, "\r\n", "\n"), "\r", "\n"))
	return d
}

// Validate checks lengths against the component's settings, returning
// per-field message IDs; the content is never interpreted as HTML (pages
// escape it), so markup is allowed and shown as text.
func (d Draft) Validate(s Settings) error {
	fields := map[string]string{}
	tl, bl := utf8.RuneCountInString(d.Title), utf8.RuneCountInString(d.Body)
	switch {
	case tl == 0:
		fields["title"] = "proposals.error.title_empty"
	case tl < s.TitleMin:
		fields["title"] = "proposals.error.title_short"
	case tl > s.TitleMax:
		fields["title"] = "proposals.error.title_long"
	}
	switch {
	case bl == 0 && s.BodyMin > 0:
		fields["body"] = "proposals.error.body_empty"
	case bl < s.BodyMin:
		fields["body"] = "proposals.error.body_short"
	case bl > s.BodyMax:
		fields["body"] = "proposals.error.body_long"
	}
	if !utf8.ValidString(d.Title) || !utf8.ValidString(d.Body) || strings.ContainsRune(d.Title+d.Body, 0) {
		fields["body"] = "proposals.error.encoding"
	}
	if len(fields) > 0 {
		return &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid",
			Data:   map[string]any{"TitleMin": s.TitleMin, "TitleMax": s.TitleMax, "BodyMin": s.BodyMin, "BodyMax": s.BodyMax, "Length": tl, "BodyLength": bl},
			Fields: fields}
	}
	return nil
}
