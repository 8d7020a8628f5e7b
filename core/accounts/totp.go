// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// TOTP parameters: RFC 6238's defaults, which every authenticator app
// understands (30 s steps, 6 digits, HMAC-SHA1), a 160-bit secret, and one
// step of clock skew either way.
const (
	totpPeriod = 30
	totpSkew   = 1
	// RecoveryCodes is how many one-time recovery codes enrolment gives.
	RecoveryCodes = 10
	// TOTPKeyEnv names the environment variable that may hold the key
	// TOTP secrets are encrypted with (32 bytes, base64 or hex); without
	// it a key is drawn once and kept in the totp_keys table.
	TOTPKeyEnv = "POLDER_TOTP_KEY"
)

// totpRecord is an account's second factor. Secret is the base32 secret
// sealed with AES-256-GCM; LastStep is the last time step accepted.
type totpRecord struct {
	AccountID int64 `gorm:"primaryKey;autoIncrement:false"`
	Secret    string
	EnabledAt *time.Time
	LastStep  int64
	CreatedAt time.Time
}

func (totpRecord) TableName() string { return "account_totp" }

type recoveryCode struct {
	ID        int64
	AccountID int64
	CodeHash  string
	UsedAt    *time.Time
}

func (recoveryCode) TableName() string { return "account_recovery_codes" }

type totpKey struct {
	ID        int64 `gorm:"primaryKey;autoIncrement:false"`
	Secret    string
	CreatedAt time.Time
}

func (totpKey) TableName() string { return "totp_keys" }

// sealKey returns the AES-256 key of TOTP secrets: the operator's
// (POLDER_TOTP_KEY), else the one stored in the database, drawn at first
// use.
func (s *Service) sealKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.totpKey != nil {
		return s.totpKey, nil
	}
	if v := strings.TrimSpace(os.Getenv(TOTPKeyEnv)); v != "" {
		k, err := parseKey(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", TOTPKeyEnv, err)
		}
		s.totpKey = k
		return k, nil
	}
	var k totpKey
	err := s.db.WithContext(ctx).Where("id = 1").First(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("drawing the TOTP key: %w", err)
		}
		k = totpKey{ID: 1, Secret: hex.EncodeToString(b), CreatedAt: time.Now().UTC()}
		if err := s.db.WithContext(ctx).Create(&k).Error; err != nil {
			if !store.IsUniqueViolation(err) {
				return nil, fmt.Errorf("storing the TOTP key: %w", err)
			}
			// Another instance drew it first: use theirs.
			if err := s.db.WithContext(ctx).Where("id = 1").First(&k).Error; err != nil {
				return nil, fmt.Errorf("loading the TOTP key: %w", err)
			}
		}
	} else if err != nil {
		return nil, fmt.Errorf("loading the TOTP key: %w", err)
	}
	b, err := hex.DecodeString(k.Secret)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("the stored TOTP key is malformed")
	}
	s.totpKey = b
	return b, nil
}

func parseKey(v string) ([]byte, error) {
	if b, err := hex.DecodeString(v); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, fmt.Errorf("want 32 bytes in hex or base64")
}

// seal encrypts a TOTP secret; the account id is the additional data, so
// a sealed secret copied to another account's row does not open.
func (s *Service) seal(ctx context.Context, accountID int64, secret string) (string, error) {
	aead, err := s.aead(ctx)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("drawing a nonce: %w", err)
	}
	out := aead.Seal(nonce, nonce, []byte(secret), []byte(itoa(accountID)))
	return base64.RawStdEncoding.EncodeToString(out), nil
}

func (s *Service) open(ctx context.Context, accountID int64, sealed string) (string, error) {
	aead, err := s.aead(ctx)
	if err != nil {
		return "", err
	}
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < aead.NonceSize() {
		return "", fmt.Errorf("TOTP secret of account %d is malformed", accountID)
	}
	pt, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(itoa(accountID)))
	if err != nil {
		return "", fmt.Errorf("opening TOTP secret of account %d (wrong %s?): %w", accountID, TOTPKeyEnv, err)
	}
	return string(pt), nil
}

func (s *Service) aead(ctx context.Context) (cipher.AEAD, error) {
	k, err := s.sealKey(ctx)
	if err != nil {
		return nil, err
	}
	blk, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("TOTP cipher: %w", err)
	}
	return cipher.NewGCM(blk)
}

func itoa(n int64) string { return fmt.Sprint(n) }

func (s *Service) totpOf(ctx context.Context, db *gorm.DB, accountID int64) (*totpRecord, error) {
	var r totpRecord
	err := db.WithContext(ctx).Where("account_id = ?", accountID).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading second factor: %w", err)
	}
	return &r, nil
}

// TOTPEnabled reports whether the account has a confirmed second factor.
func (s *Service) TOTPEnabled(ctx context.Context, accountID int64) (bool, error) {
	r, err := s.totpOf(ctx, s.db.DB, accountID)
	if err != nil {
		return false, err
	}
	return r != nil && r.EnabledAt != nil, nil
}

// TOTPStatus is what the account page shows of the second factor.
type TOTPStatus struct {
	Enabled bool `json:"enabled"`
	// RecoveryLeft is the number of unused recovery codes.
	RecoveryLeft int64 `json:"recovery_codes_left"`
}

// TOTPStatusOf returns an account's second-factor status.
func (s *Service) TOTPStatusOf(ctx context.Context, accountID int64) (TOTPStatus, error) {
	var st TOTPStatus
	var err error
	if st.Enabled, err = s.TOTPEnabled(ctx, accountID); err != nil || !st.Enabled {
		return st, err
	}
	err = s.db.WithContext(ctx).Model(&recoveryCode{}).Where("account_id = ? AND used_at IS NULL", accountID).Count(&st.RecoveryLeft).Error
	return st, err
}

func keyOf(issuer, accountName, secret string) (*otp.Key, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: accountName, Period: totpPeriod,
		Secret: mustB32(secret), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("building TOTP key: %w", err)
	}
	return k, nil
}

func mustB32(secret string) []byte {
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil
	}
	return b
}

// BeginTOTP draws a new secret for an account without a confirmed second
// factor, kept pending until ConfirmTOTP, and returns its key (otpauth
// URI, secret). Beginning again replaces a pending secret.
func (s *Service) BeginTOTP(ctx context.Context, acc *Account, issuer string) (*otp.Key, error) {
	r, err := s.totpOf(ctx, s.db.DB, acc.ID)
	if err != nil {
		return nil, err
	}
	if r != nil && r.EnabledAt != nil {
		return nil, perr.New(perr.CodeConflict, "accounts.totp.error.enabled", nil)
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: accountLabel(acc), Period: totpPeriod, SecretSize: 20,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("drawing TOTP secret: %w", err)
	}
	sealed, err := s.seal(ctx, acc.ID, k.Secret())
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	if err := db.Where("account_id = ? AND enabled_at IS NULL", acc.ID).Delete(&totpRecord{}).Error; err != nil {
		return nil, fmt.Errorf("replacing pending second factor: %w", err)
	}
	if err := db.Create(&totpRecord{AccountID: acc.ID, Secret: sealed, CreatedAt: time.Now().UTC()}).Error; err != nil {
		return nil, fmt.Errorf("storing pending second factor: %w", err)
	}
	return k, nil
}

// PendingTOTP returns the key of an enrolment not yet confirmed, or nil.
func (s *Service) PendingTOTP(ctx context.Context, acc *Account, issuer string) (*otp.Key, error) {
	r, err := s.totpOf(ctx, s.db.DB, acc.ID)
	if err != nil || r == nil || r.EnabledAt != nil {
		return nil, err
	}
	secret, err := s.open(ctx, acc.ID, r.Secret)
	if err != nil {
		return nil, err
	}
	return keyOf(issuer, accountLabel(acc), secret)
}

func accountLabel(a *Account) string {
	if a.Email != nil {
		return *a.Email
	}
	return a.Nickname
}

var errCode = &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: map[string]string{"code": "accounts.totp.error.code"}}

// matchStep returns the time step whose code equals code, within the
// allowed skew, or -1.
func matchStep(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return -1
	}
	step := now.Unix() / totpPeriod
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	found := int64(-1)
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*totpPeriod, 0), opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = step + d
		}
	}
	return found
}

// useCode accepts a TOTP code of the record once: the step it matched
// must be later than the last accepted one, which the conditional update
// moves forward (so two requests with one code cannot both pass).
func (s *Service) useCode(ctx context.Context, tx *gorm.DB, r *totpRecord, code string, now time.Time) (bool, error) {
	secret, err := s.open(ctx, r.AccountID, r.Secret)
	if err != nil {
		return false, err
	}
	step := matchStep(secret, code, now)
	if step < 0 || step <= r.LastStep {
		return false, nil
	}
	res := tx.WithContext(ctx).Model(&totpRecord{}).Where("account_id = ? AND last_step < ?", r.AccountID, step).Update("last_step", step)
	if res.Error != nil {
		return false, fmt.Errorf("recording TOTP step: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ConfirmTOTP enables the pending second factor when code matches it, and
// returns fresh recovery codes (shown once; only their hashes are kept).
func (s *Service) ConfirmTOTP(ctx context.Context, accountID int64, code string) ([]string, error) {
	r, err := s.totpOf(ctx, s.db.DB, accountID)
	if err != nil {
		return nil, err
	}
	if r == nil || r.EnabledAt != nil {
		return nil, perr.New(perr.CodeConflict, "accounts.totp.error.no_pending", nil)
	}
	now := time.Now().UTC()
	ok, err := s.useCode(ctx, s.db.DB, r, code, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errCode
	}
	codes := make([]string, RecoveryCodes)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&totpRecord{}).Where("account_id = ?", accountID).Update("enabled_at", now).Error; err != nil {
			return fmt.Errorf("enabling second factor: %w", err)
		}
		if err := tx.Where("account_id = ?", accountID).Delete(&recoveryCode{}).Error; err != nil {
			return fmt.Errorf("dropping old recovery codes: %w", err)
		}
		for i := range codes {
			codes[i] = newRecoveryCode()
			if err := tx.Create(&recoveryCode{AccountID: accountID, CodeHash: HashSecret(normaliseRecovery(codes[i]))}).Error; err != nil {
				return fmt.Errorf("storing recovery code: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// newRecoveryCode returns 80 random bits as four groups of four base32
// letters: too many to guess online, or to reverse from the SHA-256 that
// is stored.
func newRecoveryCode() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // the OS random source never fails on supported systems
	}
	s := strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

func normaliseRecovery(c string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(c)))
}

// VerifySecondFactor checks a TOTP code, accepted once, or an unused
// recovery code, spent by the check. Accounts without a confirmed second
// factor fail.
func (s *Service) VerifySecondFactor(ctx context.Context, accountID int64, code string) error {
	r, err := s.totpOf(ctx, s.db.DB, accountID)
	if err != nil {
		return err
	}
	if r == nil || r.EnabledAt == nil {
		return errCode
	}
	code = strings.TrimSpace(code)
	if len(code) == 6 {
		ok, err := s.useCode(ctx, s.db.DB, r, code, time.Now().UTC())
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		return errCode
	}
	n := normaliseRecovery(code)
	if len(n) != 16 {
		return errCode
	}
	res := s.db.WithContext(ctx).Model(&recoveryCode{}).Where("account_id = ? AND code_hash = ? AND used_at IS NULL", accountID, HashSecret(n)).
		Update("used_at", time.Now().UTC())
	if res.Error != nil {
		return fmt.Errorf("spending recovery code: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return errCode
	}
	return nil
}

// DisableTOTP removes the second factor after checking the password and
// a code (TOTP or recovery).
func (s *Service) DisableTOTP(ctx context.Context, orgID, accountID int64, password, code string) error {
	a, err := s.Get(ctx, orgID, accountID)
	if err != nil {
		return err
	}
	if !CheckPassword(password, a.PasswordHash) {
		return &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: map[string]string{"password": "accounts.error.password_wrong"}}
	}
	if err := s.VerifySecondFactor(ctx, accountID, code); err != nil {
		return err
	}
	return s.dropTOTP(ctx, s.db.DB, accountID)
}

func (s *Service) dropTOTP(ctx context.Context, db *gorm.DB, accountID int64) error {
	for _, m := range []any{&recoveryCode{}, &totpRecord{}} {
		if err := db.WithContext(ctx).Where("account_id = ?", accountID).Delete(m).Error; err != nil {
			return fmt.Errorf("removing second factor: %w", err)
		}
	}
	return nil
}
