// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
)

// Purposes of one-time tokens.
const (
	PurposeConfirm = "confirm"
	PurposeReset   = "reset"
)

// Lifetimes of one-time tokens: a confirmation link may wait in a mailbox
// for a couple of days; a password reset link is dangerous for longer than
// the hour it takes to use it.
const (
	ConfirmTTL = 48 * time.Hour
	ResetTTL   = time.Hour
)

// oneTimeToken is a row of account_tokens. Only the secret's SHA-256 is
// stored, so a database leak yields no usable link.
type oneTimeToken struct {
	ID        int64
	AccountID int64
	Purpose   string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// TableName is core's table of one-time tokens.
func (oneTimeToken) TableName() string { return "account_tokens" }

// issueToken stores a new one-time token and returns its secret.
func (s *Service) issueToken(ctx context.Context, accountID int64, purpose string, ttl time.Duration) (string, error) {
	secret, hash := NewSecret("")
	now := time.Now().UTC()
	t := oneTimeToken{AccountID: accountID, Purpose: purpose, TokenHash: hash, ExpiresAt: now.Add(ttl), CreatedAt: now}
	if err := s.db.WithContext(ctx).Create(&t).Error; err != nil {
		return "", fmt.Errorf("storing %s token: %w", purpose, err)
	}
	return secret, nil
}

// IssueConfirmation returns the secret of a new e-mail confirmation link
// for the account.
func (s *Service) IssueConfirmation(ctx context.Context, accountID int64) (string, error) {
	return s.issueToken(ctx, accountID, PurposeConfirm, ConfirmTTL)
}

// useToken consumes a one-time token inside tx: it must exist for the
// purpose, belong to an account of the organisation, be unexpired and
// unused. Marking it used is a conditional update, so two concurrent uses
// of one link cannot both succeed.
func useToken(tx *gorm.DB, orgID int64, secret, purpose string, now time.Time) (*Account, error) {
	var t oneTimeToken
	err := tx.Where("token_hash = ? AND purpose = ?", HashSecret(secret), purpose).First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.Invalid("accounts.error.link_invalid", nil)
	}
	if err != nil {
		return nil, fmt.Errorf("loading %s token: %w", purpose, err)
	}
	if t.UsedAt != nil {
		return nil, perr.Invalid("accounts.error.link_used", nil)
	}
	if !now.Before(t.ExpiresAt) {
		return nil, perr.Invalid("accounts.error.link_expired", nil)
	}
	var a Account
	err = tx.Where("id = ? AND organisation_id = ? AND anonymised_at IS NULL", t.AccountID, orgID).First(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.Invalid("accounts.error.link_invalid", nil)
	}
	if err != nil {
		return nil, fmt.Errorf("loading account of %s token: %w", purpose, err)
	}
	res := tx.Model(&oneTimeToken{}).Where("id = ? AND used_at IS NULL", t.ID).Update("used_at", now)
	if res.Error != nil {
		return nil, fmt.Errorf("using %s token: %w", purpose, res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, perr.Invalid("accounts.error.link_used", nil)
	}
	return &a, nil
}

// Confirm confirms the e-mail address of the account a confirmation link
// was sent to.
func (s *Service) Confirm(ctx context.Context, orgID int64, secret string) (*Account, error) {
	var acc *Account
	now := time.Now().UTC()
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		a, err := useToken(tx, orgID, secret, PurposeConfirm, now)
		if err != nil {
			return err
		}
		if a.ConfirmedAt == nil {
			if err := tx.Model(a).Update("confirmed_at", now).Error; err != nil {
				return fmt.Errorf("confirming account: %w", err)
			}
			a.ConfirmedAt = &now
		}
		acc = a
		return nil
	})
	return acc, err
}

// RequestPasswordReset issues a reset link for the account with that
// e-mail. For an unknown or erased address it returns (nil, "", nil): the
// caller shows the same answer either way, so the form does not reveal who
// has an account.
func (s *Service) RequestPasswordReset(ctx context.Context, orgID int64, email string) (*Account, string, error) {
	a, err := s.ByEmail(ctx, orgID, email)
	if perr.CodeOf(err) == perr.CodeNotFound {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	if a.AnonymisedAt != nil {
		return nil, "", nil
	}
	secret, err := s.issueToken(ctx, a.ID, PurposeReset, ResetTTL)
	if err != nil {
		return nil, "", err
	}
	return a, secret, nil
}

// CheckToken tells whether a mailed link (PurposeConfirm or PurposeReset)
// is still usable, without using it, so that its page can explain at once
// why it no longer works.
func (s *Service) CheckToken(ctx context.Context, orgID int64, secret, purpose string) error {
	now := time.Now().UTC()
	// A transaction rolled back on purpose: useToken's checks without its
	// write.
	errCheck := errors.New("check only")
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if _, err := useToken(tx, orgID, secret, purpose, now); err != nil {
			return err
		}
		return errCheck
	})
	if errors.Is(err, errCheck) {
		return nil
	}
	return err
}

// CheckResetToken is CheckToken for a password reset link.
func (s *Service) CheckResetToken(ctx context.Context, orgID int64, secret string) error {
	return s.CheckToken(ctx, orgID, secret, PurposeReset)
}

// ResetPassword sets a new password through a reset link. The link is
// used up, the other reset links of the account are cancelled, the e-mail
// counts as confirmed (the link proved it), and every existing session of
// the account ends (its session epoch is raised).
func (s *Service) ResetPassword(ctx context.Context, orgID int64, secret, password string) (*Account, error) {
	if len([]rune(password)) < MinPasswordLength || len(password) > 1024 {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: map[string]string{"password": "accounts.error.password_length"}, Data: map[string]any{"Min": MinPasswordLength}}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	var acc *Account
	now := time.Now().UTC()
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		a, err := useToken(tx, orgID, secret, PurposeReset, now)
		if err != nil {
			return err
		}
		upd := map[string]any{"password_hash": hash, "session_epoch": gorm.Expr("session_epoch + 1"), "updated_at": now}
		if a.ConfirmedAt == nil {
			upd["confirmed_at"] = now
		}
		if err := tx.Model(&Account{}).Where("id = ?", a.ID).Updates(upd).Error; err != nil {
			return fmt.Errorf("setting new password: %w", err)
		}
		if err := tx.Where("account_id = ? AND purpose = ? AND used_at IS NULL", a.ID, PurposeReset).Delete(&oneTimeToken{}).Error; err != nil {
			return fmt.Errorf("cancelling other reset links: %w", err)
		}
		if err := tx.Where("id = ?", a.ID).First(a).Error; err != nil {
			return fmt.Errorf("reloading account: %w", err)
		}
		acc = a
		return nil
	})
	return acc, err
}

// EndSessions ends every session of the account (all devices).
func (s *Service) EndSessions(ctx context.Context, accountID int64) error {
	if err := s.db.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Update("session_epoch", gorm.Expr("session_epoch + 1")).Error; err != nil {
		return fmt.Errorf("ending sessions: %w", err)
	}
	return nil
}

// RequestConfirmation issues a new confirmation link for the unconfirmed
// account with that e-mail. Like RequestPasswordReset it returns
// (nil, "", nil) when there is nothing to send, without telling why.
func (s *Service) RequestConfirmation(ctx context.Context, orgID int64, email string) (*Account, string, error) {
	a, err := s.ByEmail(ctx, orgID, email)
	if perr.CodeOf(err) == perr.CodeNotFound {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	if a.AnonymisedAt != nil || a.Confirmed() {
		return nil, "", nil
	}
	secret, err := s.IssueConfirmation(ctx, a.ID)
	if err != nil {
		return nil, "", err
	}
	return a, secret, nil
}
