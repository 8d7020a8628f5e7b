// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
)

// APIToken is a personal access token for the JSON API. Only the SHA-256
// of the secret is stored; the secret is shown once, at creation.
type APIToken struct {
	ID         int64
	AccountID  int64
	Name       string
	TokenHash  string `json:"-"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
}

// apiTokenPrefix makes leaked tokens recognisable by secret scanners.
const apiTokenPrefix = "pld_"

// NewSecret returns a random URL-safe secret and its SHA-256 hex digest.
func NewSecret(prefix string) (secret, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // the OS random source never fails on supported systems
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashSecret(secret)
}

// HashSecret is how one-time and API token secrets are stored.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateAPIToken issues a token and returns its secret (shown once).
func (s *Service) CreateAPIToken(ctx context.Context, accountID int64, name string) (*APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return nil, "", &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: map[string]string{"name": "accounts.error.token_name"}}
	}
	secret, hash := NewSecret(apiTokenPrefix)
	t := &APIToken{AccountID: accountID, Name: name, TokenHash: hash}
	if err := s.db.WithContext(ctx).Create(t).Error; err != nil {
		return nil, "", fmt.Errorf("creating API token: %w", err)
	}
	return t, secret, nil
}

// APITokens lists an account's tokens.
func (s *Service) APITokens(ctx context.Context, accountID int64) ([]APIToken, error) {
	var out []APIToken
	err := s.db.WithContext(ctx).Where("account_id = ?", accountID).Order("id").Find(&out).Error
	return out, err
}

// RevokeAPIToken revokes one of the account's tokens.
func (s *Service) RevokeAPIToken(ctx context.Context, accountID, tokenID int64) error {
	res := s.db.WithContext(ctx).Model(&APIToken{}).Where("id = ? AND account_id = ? AND revoked_at IS NULL", tokenID, accountID).Update("revoked_at", time.Now().UTC())
	if res.Error != nil {
		return fmt.Errorf("revoking token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return perr.NotFound("token")
	}
	return nil
}

// ByAPIToken authenticates a bearer token.
func (s *Service) ByAPIToken(ctx context.Context, orgID int64, secret string) (*Account, error) {
	var t APIToken
	err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", HashSecret(strings.TrimSpace(secret))).First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.New(perr.CodeUnauthorised, "accounts.error.token", nil)
	}
	if err != nil {
		return nil, fmt.Errorf("looking up API token: %w", err)
	}
	a, err := s.Get(ctx, orgID, t.AccountID)
	if err != nil || a.AnonymisedAt != nil {
		return nil, perr.New(perr.CodeUnauthorised, "accounts.error.token", nil)
	}
	now := time.Now().UTC()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		s.db.WithContext(ctx).Model(&t).Update("last_used_at", now)
	}
	return a, nil
}
