// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// Profile is what a participant can change about their account.
type Profile struct {
	Name     string
	Nickname string
	// Locale is the preferred language ("" follows the browser).
	Locale string
}

// Validate checks a profile, returning per-field message IDs.
func (p *Profile) Validate() error {
	fields := map[string]string{}
	p.Name = strings.TrimSpace(p.Name)
	p.Nickname = strings.TrimSpace(p.Nickname)
	p.Locale = strings.TrimSpace(p.Locale)
	if p.Name == "" || len([]rune(p.Name)) > 120 {
		fields["name"] = "accounts.error.name"
	}
	if !validNickname(p.Nickname) {
		fields["nickname"] = "accounts.error.nickname"
	} else if reservedNickname(p.Nickname) {
		fields["nickname"] = "accounts.error.nickname_reserved"
	}
	if p.Locale != "" && !i18n.IsSupported(p.Locale) {
		fields["locale"] = "accounts.error.locale"
	}
	if len(fields) > 0 {
		return &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: fields}
	}
	return nil
}

// UpdateProfile saves a participant's profile.
func (s *Service) UpdateProfile(ctx context.Context, orgID, accountID int64, p Profile) (*Account, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkUnique(ctx, orgID, "", p.Nickname, accountID); err != nil {
		return nil, err
	}
	err := s.db.WithContext(ctx).Model(&Account{}).Where("id = ? AND organisation_id = ? AND anonymised_at IS NULL", accountID, orgID).
		Updates(map[string]any{"name": p.Name, "nickname": p.Nickname, "locale": p.Locale, "updated_at": time.Now().UTC()}).Error
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, &perr.Error{Code: perr.CodeConflict, MessageID: "error.form_invalid", Fields: map[string]string{"nickname": "accounts.error.nickname_taken"}}
		}
		return nil, fmt.Errorf("saving profile: %w", err)
	}
	return s.Get(ctx, orgID, accountID)
}
