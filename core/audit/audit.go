// SPDX-License-Identifier: AGPL-3.0-or-later

// Package audit is the action log: who did what to which resource, when.
// Entries are appended and never updated or deleted by the application;
// details never carry passwords or tokens: Record scrubs them before
// writing, whatever the caller passed.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
)

// Entry is one logged action as stored.
type Entry struct {
	ID             int64
	OrganisationID int64
	ActorID        *int64
	ActorLabel     string
	Action         string
	ResourceType   string
	ResourceID     string
	SpaceID        *int64
	Details        string
	CreatedAt      time.Time
}

// TableName is the audit table.
func (Entry) TableName() string { return "audit_log" }

// Log writes and reads the action log.
type Log struct{ db *store.DB }

// New returns the audit log.
func New(db *store.DB) *Log { return &Log{db: db} }

// Field lengths of the audit_log table: longer values are cut rather
// than lose the entry.
const (
	maxLabel   = 120
	maxAction  = 80
	maxResType = 60
	maxResID   = 60
	maxDetails = 4000
)

// Record appends an entry; a failure is logged, never shown to the actor.
func (l *Log) Record(ctx context.Context, e web.AuditEntry) {
	row := Entry{OrganisationID: e.OrganisationID, ActorLabel: cut(e.ActorLabel, maxLabel), Action: cut(e.Action, maxAction),
		ResourceType: cut(e.ResourceType, maxResType), ResourceID: cut(e.ResourceID, maxResID),
		Details: cut(Scrub(e.Details), maxDetails), CreatedAt: time.Now().UTC()}
	if e.ActorID != 0 {
		row.ActorID = &e.ActorID
	}
	if e.SpaceID != 0 {
		row.SpaceID = &e.SpaceID
	}
	// In the caller's transaction when ctx carries one (store.WithTx).
	if err := l.db.Conn(ctx).Create(&row).Error; err != nil {
		slog.Error("writing audit log", "action", e.Action, "err", err)
	}
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// List returns an organisation's entries, newest first, one page at a time.
func (l *Log) List(ctx context.Context, orgID int64, offset, limit int) ([]Entry, int64, error) {
	var out []Entry
	var total int64
	q := l.db.WithContext(ctx).Model(&Entry{}).Where("organisation_id = ?", orgID)
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("counting audit entries: %w", err)
	}
	if err := q.Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("listing audit entries: %w", err)
	}
	return out, total, nil
}

// Recent is List in the web layer's terms (web.AuditReader), for the
// admin page and API.
func (l *Log) Recent(ctx context.Context, orgID int64, offset, limit int) ([]web.AuditRecord, int64, error) {
	list, total, err := l.List(ctx, orgID, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]web.AuditRecord, len(list))
	for i, e := range list {
		out[i] = web.AuditRecord{ID: e.ID, ActorID: e.ActorID, ActorLabel: e.ActorLabel, Action: e.Action, ResourceType: e.ResourceType,
			ResourceID: e.ResourceID, SpaceID: e.SpaceID, Details: e.Details, CreatedAt: e.CreatedAt}
	}
	return out, total, nil
}

// secretWords are the words that, inside a field name, say it holds a
// secret ("password", "new_password", "apiToken", "csrf").
var secretWords = map[string]bool{"password": true, "passwd": true, "passphrase": true, "pwd": true, "secret": true, "token": true,
	"tokens": true, "csrf": true, "apikey": true, "authorization": true, "authorisation": true, "cookie": true, "cookies": true,
	"otp": true, "credential": true, "credentials": true, "privatekey": true}

var camelBoundary = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// isSecretKey splits a field name into words (snake, kebab, dotted or
// camel case) and looks for a secret word, alone or joined to the next
// ("api_key" → "apikey").
func isSecretKey(k string) bool {
	words := strings.FieldsFunc(strings.ToLower(camelBoundary.ReplaceAllString(k, "${1}_${2}")), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	for i, w := range words {
		if secretWords[w] || i+1 < len(words) && secretWords[w+words[i+1]] {
			return true
		}
	}
	return false
}

// secretPair finds key=value and key: value pairs of free text whose key
// names a secret.
var secretPair = regexp.MustCompile(`(?i)\b([a-z0-9_.-]*(?:password|passwd|passphrase|secret|token|csrf|api[_-]?key|authori[sz]ation|cookie|otp|credentials?)[a-z0-9_.-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)`)

// secretValue finds values that look like credentials wherever they are:
// our API tokens, bearer headers, argon2id and other PHC hashes, JWTs.
var secretValue = regexp.MustCompile(`pld_[A-Za-z0-9_-]{8,}|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}|\$argon2(?:id|i|d)\$[^\s"',;]+|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+`)

// Redacted replaces a scrubbed secret.
const Redacted = "[redacted]"

// Scrub removes secrets from an entry's details: in a JSON object, the
// values of keys that name a secret (at any depth); in text, key=value
// pairs naming one; anywhere, values shaped like tokens or password
// hashes.
func Scrub(details string) string {
	if details == "" {
		return ""
	}
	var v any
	if json.Unmarshal([]byte(details), &v) == nil {
		switch v.(type) {
		case map[string]any, []any:
			if b, err := json.Marshal(scrubJSON(v)); err == nil {
				return string(b)
			}
		}
	}
	// Values shaped like credentials first, so that "Authorization:
	// Bearer x" loses its token and not only the word Bearer.
	details = secretValue.ReplaceAllString(details, Redacted)
	return secretPair.ReplaceAllString(details, "${1}${2}"+Redacted)
}

func scrubJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if isSecretKey(k) {
				x[k] = Redacted
				continue
			}
			x[k] = scrubJSON(val)
		}
		return x
	case []any:
		for i := range x {
			x[i] = scrubJSON(x[i])
		}
		return x
	case string:
		return secretValue.ReplaceAllString(x, Redacted)
	}
	return v
}

// Interface guards.
var (
	_ web.Auditor     = (*Log)(nil)
	_ web.AuditReader = (*Log)(nil)
)

// DetailsJSON encodes details for Record, for callers that log
// structured data (scrubbed all the same).
func DetailsJSON(kv map[string]any) string {
	b, err := json.Marshal(kv)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
