// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
)

// PersonalData is everything Polder holds about a participant, as they
// download it: core's records, then each module's under its id. Secrets
// (password hash, token hashes) are never part of it.
type PersonalData struct {
	ExportedAt time.Time      `json:"exported_at"`
	Account    AccountData    `json:"account"`
	APITokens  []APITokenData `json:"api_tokens"`
	// SecondFactor says whether two-step login is on (never its secret).
	SecondFactor  TOTPStatus         `json:"second_factor"`
	Notifications []NotificationData `json:"notifications"`
	// Activity is the audit log's record of what the account did.
	Activity []ActivityData `json:"activity"`
	// Modules maps a module id (or space type) to what it holds.
	Modules map[string]any `json:"modules"`
}

// AccountData is the account as exported and shown by the API.
type AccountData struct {
	ID          int64      `json:"id"`
	Email       *string    `json:"email"`
	Name        string     `json:"name"`
	Nickname    string     `json:"nickname"`
	Locale      string     `json:"locale"`
	Kind        string     `json:"kind"`
	OrgAdmin    bool       `json:"org_admin"`
	ConfirmedAt *time.Time `json:"confirmed_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Data returns the account's public-to-its-owner fields.
func (a *Account) Data() AccountData {
	return AccountData{ID: a.ID, Email: a.Email, Name: a.Name, Nickname: a.Nickname, Locale: a.Locale, Kind: a.Kind, OrgAdmin: a.OrgAdmin,
		ConfirmedAt: a.ConfirmedAt, LastLoginAt: a.LastLoginAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// APITokenData is a personal access token without its secret.
type APITokenData struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Data returns the token without its hash.
func (t *APIToken) Data() APITokenData {
	return APITokenData{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

// NotificationData is a notification sent to the account.
type NotificationData struct {
	Kind      string     `json:"kind"`
	Message   string     `json:"message"`
	Link      string     `json:"link"`
	ReadAt    *time.Time `json:"read_at"`
	CreatedAt time.Time  `json:"created_at"`
}

// ActivityData is one audit log entry of the account's own actions.
type ActivityData struct {
	Action       string    `json:"action"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	SpaceID      *int64    `json:"space_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Holders are the modules and space types that keep personal data, by id.
// The web layer collects them from the registry with Holders.
type Holders map[string]any

// HoldersOf returns, by id, the values that implement PersonalDataProvider
// or Eraser.
func HoldersOf(byID map[string]any) Holders {
	h := Holders{}
	for id, v := range byID {
		_, p := v.(registry.PersonalDataProvider)
		_, e := v.(registry.Eraser)
		if p || e {
			h[id] = v
		}
	}
	return h
}

// AddHolder registers a core service (comments, moderation, panels,
// permissions…) that keeps personal data: it implements
// registry.PersonalDataProvider, registry.Eraser or both, and is called
// like the modules are, under id. Modules and space types need not
// register: the web layer finds them in the registry. Call it while
// assembling the app, before serving.
func (s *Service) AddHolder(id string, v any) {
	if s.holders == nil {
		s.holders = map[string]any{}
	}
	s.holders[id] = v
}

// CoreHolders returns the core services registered with AddHolder.
func (s *Service) CoreHolders() map[string]any {
	out := make(map[string]any, len(s.holders))
	for k, v := range s.holders {
		out[k] = v
	}
	return out
}

func (h Holders) ids() []string {
	ids := make([]string, 0, len(h))
	for id := range h {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Export gathers everything held about an account.
func (s *Service) Export(ctx context.Context, orgID, accountID int64, holders Holders) (*PersonalData, error) {
	a, err := s.Get(ctx, orgID, accountID)
	if err != nil {
		return nil, err
	}
	out := &PersonalData{ExportedAt: time.Now().UTC(), Account: a.Data(), APITokens: []APITokenData{}, Notifications: []NotificationData{}, Activity: []ActivityData{}, Modules: map[string]any{}}
	toks, err := s.APITokens(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("exporting tokens: %w", err)
	}
	for i := range toks {
		out.APITokens = append(out.APITokens, toks[i].Data())
	}
	if out.SecondFactor, err = s.TOTPStatusOf(ctx, accountID); err != nil {
		return nil, fmt.Errorf("exporting second factor: %w", err)
	}
	db := s.db.WithContext(ctx)
	if err := db.Table("notifications").Select("kind, message, link, read_at, created_at").
		Where("account_id = ?", accountID).Order("id").Scan(&out.Notifications).Error; err != nil {
		return nil, fmt.Errorf("exporting notifications: %w", err)
	}
	// The audit log belongs to core/audit, which sits above this package;
	// reading its table directly keeps the dependency one-way.
	if err := db.Table("audit_log").Select("action, resource_type, resource_id, space_id, created_at").
		Where("organisation_id = ? AND actor_id = ?", orgID, accountID).Order("id").Scan(&out.Activity).Error; err != nil {
		return nil, fmt.Errorf("exporting activity: %w", err)
	}
	for _, id := range holders.ids() {
		p, ok := holders[id].(registry.PersonalDataProvider)
		if !ok {
			continue
		}
		v, err := p.PersonalData(ctx, accountID)
		if err != nil {
			return nil, fmt.Errorf("exporting personal data of %s: %w", id, err)
		}
		if v != nil {
			out.Modules[id] = v
		}
	}
	return out, nil
}

// DeletedName is the neutral name and nickname an erased account takes.
func DeletedName(accountID int64) string { return "deleted-" + strconv.FormatInt(accountID, 10) }

// Erase deletes a participant's account the way GDPR art. 17 allows a
// platform of public deliberation to: after checking the password, every
// module that keeps personal data anonymises it (contributions stay, under
// a neutral name), then the account loses its e-mail, names, password,
// tokens, notifications and sessions, and is marked anonymised. It can
// never log in again; its id stays so that contributions keep their
// author without naming them.
func (s *Service) Erase(ctx context.Context, orgID, accountID int64, password string, holders Holders) error {
	a, err := s.Get(ctx, orgID, accountID)
	if err != nil {
		return err
	}
	if a.AnonymisedAt != nil {
		return perr.NotFound("account")
	}
	if !CheckPassword(password, a.PasswordHash) {
		return &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: map[string]string{"password": "accounts.error.password_wrong"}}
	}
	// Modules first, outside core's transaction: they use their own
	// queries (SQLite has one connection), and if one fails the account
	// is untouched and the participant can try again.
	for _, id := range holders.ids() {
		e, ok := holders[id].(registry.Eraser)
		if !ok {
			continue
		}
		if err := e.Anonymise(ctx, accountID); err != nil {
			return fmt.Errorf("anonymising data of %s: %w", id, err)
		}
	}
	now := time.Now().UTC()
	neutral := DeletedName(accountID)
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&Account{}).Where("id = ?", accountID).Updates(map[string]any{
			"email": nil, "name": neutral, "nickname": neutral, "password_hash": "", "locale": "",
			"org_admin": false, "anonymised_at": now, "updated_at": now,
			"session_epoch": gorm.Expr("session_epoch + 1"),
		}).Error
		if err != nil {
			return fmt.Errorf("anonymising account: %w", err)
		}
		for _, table := range []string{"account_tokens", "api_tokens", "notifications", "account_recovery_codes", "account_totp"} {
			if err := tx.Exec("DELETE FROM "+table+" WHERE account_id = ?", accountID).Error; err != nil {
				return fmt.Errorf("erasing %s: %w", table, err)
			}
		}
		return nil
	})
}
