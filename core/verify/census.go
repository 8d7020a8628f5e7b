// SPDX-License-Identifier: AGPL-3.0-or-later

package verify

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/polder-civic/polder/core/perr"
)

// CensusRow is one person of an organisation's census: the keyed digest of
// their identifier and their birth date, marked once an account used it.
type CensusRow struct {
	ID             int64
	OrganisationID int64
	Digest         string
	BirthDate      string
	UsedBy         *int64
	UsedAt         *time.Time
	CreatedAt      time.Time
}

// TableName is the census table.
func (CensusRow) TableName() string { return "verify_census" }

// CensusEntry is one parsed line of a census file.
type CensusEntry struct {
	Digest    string
	BirthDate string
}

// MaxCensusRows bounds one upload.
const MaxCensusRows = 2_000_000

// NormaliseIdentifier is the first step of the published procedure: keep
// letters and digits only, in upper case, so that "12.345.678-A" and
// "12345678a" hash alike.
func NormaliseIdentifier(id string) string {
	var b strings.Builder
	for _, r := range id {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// CensusDigest is the published procedure an organisation applies to each
// identifier before uploading: HMAC-SHA-256 keyed with the organisation's
// census secret (the hex string shown on the admin page, used as bytes),
// over the normalised identifier, written as 64 lower-case hex digits.
func CensusDigest(secret, identifier string) string {
	return keyed(secret, NormaliseIdentifier(identifier))
}

// ParseCensus reads a census CSV: two columns, the digest (64 hex digits)
// and the birth date (YYYY-MM-DD), comma or semicolon separated, with an
// optional header line. Errors name the line.
func ParseCensus(r io.Reader) ([]CensusEntry, error) {
	data, err := io.ReadAll(io.LimitReader(r, 200<<20))
	if err != nil {
		return nil, fmt.Errorf("reading census: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []CensusEntry
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, perr.Invalid("verify.census.error.csv", map[string]any{"Line": line})
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != 2 {
			return nil, perr.Invalid("verify.census.error.columns", map[string]any{"Line": line})
		}
		d, bd := strings.ToLower(strings.TrimSpace(rec[0])), strings.TrimSpace(rec[1])
		if line == 1 && !isHex64(d) && (bd == "" || bd[0] < '0' || bd[0] > '9') {
			continue // a header: neither a digest nor a date
		}
		if !isHex64(d) {
			return nil, perr.Invalid("verify.census.error.digest", map[string]any{"Line": line})
		}
		if _, err := time.Parse(time.DateOnly, bd); err != nil || len(bd) != 10 {
			return nil, perr.Invalid("verify.census.error.birth_date", map[string]any{"Line": line})
		}
		out = append(out, CensusEntry{Digest: d, BirthDate: bd})
		if len(out) > MaxCensusRows {
			return nil, perr.Invalid("verify.census.error.too_many", map[string]any{"Max": MaxCensusRows})
		}
	}
	return out, nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// UploadCensus adds parsed census entries to an organisation's census;
// digests already present are kept as they are (with their used mark).
// It returns how many rows were added.
func (s *Service) UploadCensus(ctx context.Context, orgID int64, entries []CensusEntry) (int, error) {
	added := 0
	now := s.Now()
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		for start := 0; start < len(entries); start += 500 {
			end := min(start+500, len(entries))
			rows := make([]CensusRow, 0, end-start)
			for _, e := range entries[start:end] {
				rows = append(rows, CensusRow{OrganisationID: orgID, Digest: e.Digest, BirthDate: e.BirthDate, CreatedAt: now})
			}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
			if res.Error != nil {
				return fmt.Errorf("storing census: %w", res.Error)
			}
			added += int(res.RowsAffected)
		}
		return nil
	})
	return added, err
}

// CensusStats counts an organisation's census rows and those used.
func (s *Service) CensusStats(ctx context.Context, orgID int64) (total, used int64, err error) {
	db := s.db.WithContext(ctx).Model(&CensusRow{})
	if err = db.Where("organisation_id = ?", orgID).Count(&total).Error; err != nil {
		return 0, 0, fmt.Errorf("counting census: %w", err)
	}
	err = s.db.WithContext(ctx).Model(&CensusRow{}).Where("organisation_id = ? AND used_at IS NOT NULL", orgID).Count(&used).Error
	if err != nil {
		return 0, 0, fmt.Errorf("counting census: %w", err)
	}
	return total, used, nil
}

// Census verifies membership of the organisation's census: the
// participant types their identifier and birth date, the server hashes the
// identifier with the census secret, finds the row and marks it used by
// the account (one account per row). The identifier is never stored.
type Census struct{}

// Kind implements Method.
func (Census) Kind() string { return "census" }

// Records implements Method.
func (Census) Records() string { return "verify.census.records" }

// Fields implements Method.
func (Census) Fields() []Field {
	return []Field{
		{Name: "identifier", Label: "verify.census.identifier", Hint: "verify.census.identifier_hint", Type: "text"},
		{Name: "birth_date", Label: "verify.census.birth_date", Hint: "verify.census.birth_date_hint", Type: "date"},
	}
}

// Verify implements Method: a single conditional update claims the row,
// so two accounts racing for one row cannot both win.
func (Census) Verify(ctx context.Context, tx *gorm.DB, a Attempt) (Proof, error) {
	id := NormaliseIdentifier(a.Values["identifier"])
	bd := strings.TrimSpace(a.Values["birth_date"])
	if id == "" {
		return Proof{}, perr.Invalid("verify.census.error.identifier", nil)
	}
	if _, err := time.Parse(time.DateOnly, bd); err != nil {
		return Proof{}, perr.Invalid("verify.census.error.birth_date_form", nil)
	}
	digest := keyed(a.Config.Secret, id)
	now := time.Now().UTC()
	res := tx.Model(&CensusRow{}).
		Where("organisation_id = ? AND digest = ? AND birth_date = ? AND (used_at IS NULL OR used_by = ?)", a.OrgID, digest, bd, a.Account.ID).
		Updates(map[string]any{"used_by": a.Account.ID, "used_at": now})
	if res.Error != nil {
		return Proof{}, fmt.Errorf("claiming census row: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return Proof{}, nil
	}
	var used int64
	if err := tx.Model(&CensusRow{}).Where("organisation_id = ? AND digest = ? AND birth_date = ?", a.OrgID, digest, bd).Count(&used).Error; err != nil {
		return Proof{}, fmt.Errorf("reading census row: %w", err)
	}
	if used > 0 {
		return Proof{}, perr.Conflict("verify.error.proof_used", nil)
	}
	return Proof{}, perr.Invalid("verify.census.error.no_match", nil)
}
