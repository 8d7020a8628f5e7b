// SPDX-License-Identifier: AGPL-3.0-or-later

package verify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
)

// Code is one invitation code, known by its hash only.
type Code struct {
	ID             int64
	OrganisationID int64
	CodeHash       string
	Batch          string
	UsedBy         *int64
	UsedAt         *time.Time
	CreatedAt      time.Time
}

// TableName is the codes table.
func (Code) TableName() string { return "verify_codes" }

// codeAlphabet has no letters that read alike (I/1, O/0) on a letter.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// codeLength is 12 symbols of 5 bits: 60 bits, far beyond guessing at
// any rate the server accepts.
const codeLength = 12

// MaxCodes bounds one generation.
const MaxCodes = 100_000

// normaliseCode maps what a participant types to the printed form's
// symbols: upper case, without spaces or dashes.
func normaliseCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r != '-' && r != ' ' && r != '\t' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// codeHash is the stored form: SHA-256 of the organisation and the
// normalised code. The code's entropy makes a salt unnecessary.
func codeHash(orgID int64, code string) string {
	h := sha256.Sum256([]byte(strconv.FormatInt(orgID, 10) + ":" + normaliseCode(code)))
	return hex.EncodeToString(h[:])
}

func newCode() string {
	b := make([]byte, codeLength)
	_, _ = rand.Read(b)
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)]) // 256 is a multiple of 32: no bias
	}
	return s.String()
}

// GenerateCodes creates n one-time codes for an organisation and returns
// them in clear, the only time they exist outside the printed letters.
func (s *Service) GenerateCodes(ctx context.Context, orgID int64, n int, batch string) ([]string, error) {
	if n < 1 || n > MaxCodes {
		return nil, perr.Invalid("verify.codes.error.count", map[string]any{"Max": MaxCodes})
	}
	batch = strings.TrimSpace(batch)
	if len(batch) > 80 {
		return nil, perr.Invalid("verify.codes.error.batch", nil)
	}
	codes := make([]string, n)
	now := s.Now()
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		for start := 0; start < n; start += 500 {
			end := min(start+500, n)
			rows := make([]Code, 0, end-start)
			for i := start; i < end; i++ {
				codes[i] = newCode()
				rows = append(rows, Code{OrganisationID: orgID, CodeHash: codeHash(orgID, codes[i]), Batch: batch, CreatedAt: now})
			}
			if err := tx.Create(&rows).Error; err != nil {
				return fmt.Errorf("storing codes: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// CodeStats counts an organisation's codes and those used.
func (s *Service) CodeStats(ctx context.Context, orgID int64) (total, used int64, err error) {
	if err = s.db.WithContext(ctx).Model(&Code{}).Where("organisation_id = ?", orgID).Count(&total).Error; err != nil {
		return 0, 0, fmt.Errorf("counting codes: %w", err)
	}
	if err = s.db.WithContext(ctx).Model(&Code{}).Where("organisation_id = ? AND used_at IS NOT NULL", orgID).Count(&used).Error; err != nil {
		return 0, 0, fmt.Errorf("counting codes: %w", err)
	}
	return total, used, nil
}

// Codes verifies holders of an invitation code.
type Codes struct{}

// Kind implements Method.
func (Codes) Kind() string { return "code" }

// Records implements Method.
func (Codes) Records() string { return "verify.code.records" }

// Fields implements Method.
func (Codes) Fields() []Field {
	return []Field{{Name: "code", Label: "verify.code.code", Hint: "verify.code.code_hint", Type: "text"}}
}

// Verify implements Method: one conditional update spends the code, so of
// any number of concurrent redemptions exactly one succeeds.
func (Codes) Verify(ctx context.Context, tx *gorm.DB, a Attempt) (Proof, error) {
	code := normaliseCode(a.Values["code"])
	if len(code) != codeLength {
		return Proof{}, perr.Invalid("verify.code.error.invalid", nil)
	}
	res := tx.Model(&Code{}).Where("organisation_id = ? AND code_hash = ? AND used_at IS NULL", a.OrgID, codeHash(a.OrgID, code)).
		Updates(map[string]any{"used_by": a.Account.ID, "used_at": time.Now().UTC()})
	if res.Error != nil {
		return Proof{}, fmt.Errorf("spending code: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return Proof{}, perr.Invalid("verify.code.error.invalid", nil)
	}
	return Proof{}, nil
}
