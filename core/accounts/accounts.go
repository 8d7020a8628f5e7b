// SPDX-License-Identifier: AGPL-3.0-or-later

// Package accounts holds people and user groups: registration, e-mail
// confirmation, login, password reset, personal access tokens, and the
// participant's rights over their data (download, erasure that anonymises
// their contributions).
package accounts

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/mail"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// Kinds of account.
const (
	KindPerson = "person"
	KindGroup  = "group" // a user group such as an association
)

// Account is a person or a user group of one organisation.
type Account struct {
	ID             int64
	OrganisationID int64
	Email          *string // nil once anonymised
	Name           string
	Nickname       string
	PasswordHash   string `json:"-"`
	Locale         string
	Kind           string
	OrgAdmin       bool
	ConfirmedAt    *time.Time
	AnonymisedAt   *time.Time
	LastLoginAt    *time.Time
	// SessionEpoch is raised to end every session of the account at once
	// (password reset, erasure): a session remembers the epoch it was
	// opened in and is dropped when it no longer matches.
	SessionEpoch int64 `json:"-"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Confirmed reports whether the account's e-mail is confirmed.
func (a *Account) Confirmed() bool { return a.ConfirmedAt != nil }

// DisplayName is the public name: the nickname, or a neutral label once
// the account is anonymised.
func (a *Account) DisplayName() string {
	if a.AnonymisedAt != nil {
		return "—"
	}
	return a.Nickname
}

// PasswordParams are the argon2id parameters (RFC 9106's second
// recommended option scaled to a 2-core server: 64 MiB, 1 pass, 2 lanes).
// docs/operations.md documents them.
var PasswordParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// MinPasswordLength is the shortest password accepted (NIST SP 800-63B).
const MinPasswordLength = 10

// HashPassword returns the argon2id hash of a password.
func HashPassword(pw string) (string, error) {
	h, err := argon2id.CreateHash(pw, PasswordParams)
	if err != nil {
		return "", fmt.Errorf("hashing password: %w", err)
	}
	return h, nil
}

// CheckPassword compares a password with its hash in constant time.
func CheckPassword(pw, hash string) bool {
	if hash == "" {
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// Registration is the input of Register.
type Registration struct {
	Email    string
	Name     string
	Nickname string
	Password string
	Locale   string
	Kind     string
}

// Validate checks a registration, returning per-field message IDs.
func (r *Registration) Validate() error {
	fields := map[string]string{}
	r.Email = strings.TrimSpace(strings.ToLower(r.Email))
	r.Name = strings.TrimSpace(r.Name)
	r.Nickname = strings.TrimSpace(r.Nickname)
	if addr, err := netmail.ParseAddress(r.Email); err != nil || addr.Address != r.Email || len(r.Email) > 254 {
		fields["email"] = "accounts.error.email"
	}
	if r.Name == "" || len([]rune(r.Name)) > 120 {
		fields["name"] = "accounts.error.name"
	}
	if !validNickname(r.Nickname) {
		fields["nickname"] = "accounts.error.nickname"
	} else if reservedNickname(r.Nickname) {
		fields["nickname"] = "accounts.error.nickname_reserved"
	}
	if len([]rune(r.Password)) < MinPasswordLength || len(r.Password) > 1024 {
		fields["password"] = "accounts.error.password_length"
	}
	if r.Locale != "" && !i18n.IsSupported(r.Locale) {
		fields["locale"] = "accounts.error.locale"
	}
	if r.Kind == "" {
		r.Kind = KindPerson
	}
	if r.Kind != KindPerson && r.Kind != KindGroup {
		fields["kind"] = "accounts.error.kind"
	}
	if len(fields) > 0 {
		return &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: fields, Data: map[string]any{"Min": MinPasswordLength}}
	}
	return nil
}

// reservedNickname reports names of the form erased accounts take
// (DeletedName), which nobody may choose: erasure must never clash.
func reservedNickname(n string) bool {
	return strings.HasPrefix(strings.ToLower(n), "deleted-")
}

func validNickname(n string) bool {
	if len(n) < 2 || len(n) > 40 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// Service manages accounts of every organisation.
type Service struct {
	db *store.DB
	// Mailer sends the confirmation and password reset mails; app.New
	// sets it from the configuration, tests set a mail.Recorder.
	Mailer mail.Sender
	// BaseURL, when set, is the public URL put in mailed links; otherwise
	// the web layer derives it from the organisation's host.
	BaseURL string
	// LoginLimiter bounds failed logins per IP address and per e-mail.
	LoginLimiter *Limiter
	// ResetLimiter bounds password reset mails per IP address and per
	// e-mail, so the form cannot be used to flood a mailbox.
	ResetLimiter *Limiter
	// holders are core services keeping personal data (AddHolder).
	holders map[string]any
	// keyMu guards totpKey, the key TOTP secrets are sealed with.
	keyMu   sync.Mutex
	totpKey []byte
}

// Default limits: 10 failed logins per 15 minutes per IP and per e-mail
// (OWASP's advice is of this order); 5 reset mails per hour.
const (
	LoginMax    = 10
	LoginWindow = 15 * time.Minute
	ResetMax    = 5
	ResetWindow = time.Hour
)

// NewService returns the accounts service, sending mails to the log until
// a Mailer is set.
func NewService(db *store.DB) *Service {
	return &Service{db: db, Mailer: mail.LogSender{},
		LoginLimiter: NewLimiter(db, "login", LoginMax, LoginWindow),
		ResetLimiter: NewLimiter(db, "reset", ResetMax, ResetWindow)}
}

// DB returns the database, for the sibling files of this package.
func (s *Service) DB() *store.DB { return s.db }

// Register creates an unconfirmed account.
func (s *Service) Register(ctx context.Context, orgID int64, r Registration) (*Account, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	email := r.Email
	// Checked before the insert for a per-field message (the driver's
	// unique-violation error does not say which index clashed once gorm
	// translates it); the unique indexes still settle races.
	if err := s.checkUnique(ctx, orgID, email, r.Nickname, 0); err != nil {
		return nil, err
	}
	hash, err := HashPassword(r.Password)
	if err != nil {
		return nil, err
	}
	a := &Account{OrganisationID: orgID, Email: &email, Name: r.Name, Nickname: r.Nickname, PasswordHash: hash, Locale: r.Locale, Kind: r.Kind}
	if err := s.db.WithContext(ctx).Create(a).Error; err != nil {
		if store.IsUniqueViolation(err) {
			if cerr := s.checkUnique(ctx, orgID, email, r.Nickname, 0); cerr != nil {
				return nil, cerr
			}
			return nil, &perr.Error{Code: perr.CodeConflict, MessageID: "error.form_invalid", Fields: map[string]string{"email": "accounts.error.taken"}}
		}
		return nil, fmt.Errorf("creating account: %w", err)
	}
	return a, nil
}

// checkUnique reports a taken e-mail or nickname in the organisation,
// ignoring the account exceptID.
func (s *Service) checkUnique(ctx context.Context, orgID int64, email, nickname string, exceptID int64) error {
	fields := map[string]string{}
	var n int64
	if email != "" {
		if err := s.db.WithContext(ctx).Model(&Account{}).Where("organisation_id = ? AND email = ? AND id <> ?", orgID, email, exceptID).Count(&n).Error; err != nil {
			return fmt.Errorf("checking e-mail: %w", err)
		}
		if n > 0 {
			fields["email"] = "accounts.error.taken"
		}
	}
	if err := s.db.WithContext(ctx).Model(&Account{}).Where("organisation_id = ? AND nickname = ? AND id <> ?", orgID, nickname, exceptID).Count(&n).Error; err != nil {
		return fmt.Errorf("checking nickname: %w", err)
	}
	if n > 0 {
		fields["nickname"] = "accounts.error.nickname_taken"
	}
	if len(fields) > 0 {
		return &perr.Error{Code: perr.CodeConflict, MessageID: "error.form_invalid", Fields: fields}
	}
	return nil
}

// Get loads an account of an organisation.
func (s *Service) Get(ctx context.Context, orgID, id int64) (*Account, error) {
	var a Account
	err := s.db.WithContext(ctx).Where("organisation_id = ? AND id = ?", orgID, id).First(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("account")
	}
	if err != nil {
		return nil, fmt.Errorf("loading account %d: %w", id, err)
	}
	return &a, nil
}

// ByEmail loads an account by e-mail.
func (s *Service) ByEmail(ctx context.Context, orgID int64, email string) (*Account, error) {
	var a Account
	err := s.db.WithContext(ctx).Where("organisation_id = ? AND email = ?", orgID, strings.ToLower(strings.TrimSpace(email))).First(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("account")
	}
	if err != nil {
		return nil, fmt.Errorf("loading account: %w", err)
	}
	return &a, nil
}

// dummyHash keeps login time the same for unknown e-mails.
var dummyHash, _ = HashPassword("polder-timing-equaliser")

// Authenticate checks an e-mail and password. Unknown e-mails and wrong
// passwords give the same error, after the same work.
func (s *Service) Authenticate(ctx context.Context, orgID int64, email, password string) (*Account, error) {
	a, err := s.ByEmail(ctx, orgID, email)
	if err != nil {
		if perr.CodeOf(err) == perr.CodeNotFound {
			CheckPassword(password, dummyHash)
			return nil, perr.New(perr.CodeUnauthorised, "accounts.error.credentials", nil)
		}
		return nil, err
	}
	if a.AnonymisedAt != nil || !CheckPassword(password, a.PasswordHash) {
		return nil, perr.New(perr.CodeUnauthorised, "accounts.error.credentials", nil)
	}
	if !a.Confirmed() {
		return nil, perr.New(perr.CodeForbidden, "accounts.error.unconfirmed", nil)
	}
	now := time.Now().UTC()
	s.db.WithContext(ctx).Model(a).Update("last_login_at", now)
	a.LastLoginAt = &now
	return a, nil
}

// EnsureAdmin creates or updates a confirmed organisation admin (demo,
// `polder admin create`); the password is reset when given.
func (s *Service) EnsureAdmin(ctx context.Context, orgID int64, email, name, nickname, password string) (*Account, error) {
	a, err := s.ByEmail(ctx, orgID, email)
	if err != nil && perr.CodeOf(err) != perr.CodeNotFound {
		return nil, err
	}
	now := time.Now().UTC()
	if a == nil {
		a, err = s.Register(ctx, orgID, Registration{Email: email, Name: name, Nickname: nickname, Password: password})
		if err != nil {
			return nil, err
		}
	} else if password != "" {
		h, err := HashPassword(password)
		if err != nil {
			return nil, err
		}
		a.PasswordHash = h
	}
	a.OrgAdmin = true
	if a.ConfirmedAt == nil {
		a.ConfirmedAt = &now
	}
	if err := s.db.WithContext(ctx).Save(a).Error; err != nil {
		return nil, fmt.Errorf("saving admin: %w", err)
	}
	return a, nil
}
