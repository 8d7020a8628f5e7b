// SPDX-License-Identifier: AGPL-3.0-or-later

// Package verify holds account verifications: proofs, checked once, that
// an account belongs to a population an action is reserved for (residents
// on the census, holders of an invitation letter, staff of an e-mail
// domain, users of an identity provider). Methods are pluggable like
// modules: each implements Method and is registered on the Service.
//
// A verification record keeps only what an action needs to know: the
// kind, the organisation and until when it holds. The proof itself (an
// identifier, a code, a provider's subject) is never stored in clear; when
// one proof must serve one account only, a keyed hash of it is kept
// (census row marked used, code hash, "uniq" digest of the OIDC subject).
//
// The Service implements core/authz's Verifications, so that an admin
// requiring a kind for an action blocks accounts that do not hold it.
package verify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// Field is one input of a method's participant form.
type Field struct {
	Name  string // form name
	Label string // i18n id
	Hint  string // i18n id, optional
	Type  string // HTML input type
}

// Attempt is one participant's try at a method.
type Attempt struct {
	OrgID   int64
	Account *accounts.Account
	Values  map[string]string
	Config  *Settings
}

// Proof is what a method established: the keyed digest that makes one
// proof serve one account ("" when the method needs none). The record
// itself is written by the Service.
type Proof struct {
	Uniq string
}

// Method is one way of verifying an account.
type Method interface {
	// Kind is the verification kind it grants, e.g. "census"; admins name
	// it when they require a verification for an action.
	Kind() string
	// Records is the i18n id of the sentence telling the participant what
	// a verification of this kind keeps about them.
	Records() string
	// Fields are the participant form's inputs; a method that redirects to
	// another site (Redirector) has none.
	Fields() []Field
	// Verify checks a submitted form. It runs in tx and may mark the proof
	// used there, so that a refusal to record rolls the mark back.
	Verify(ctx context.Context, tx *gorm.DB, a Attempt) (Proof, error)
}

// Redirector is a Method whose proof comes back from another site (OpenID
// Connect): Start returns where to send the participant, Finish checks
// what came back.
type Redirector interface {
	Method
	Start(ctx context.Context, a Attempt, redirectURL string) (to string, state map[string]string, err error)
	Finish(ctx context.Context, a Attempt, redirectURL string, state map[string]string) (Proof, error)
}

// Settings is an organisation's configuration of one method.
type Settings struct {
	ID             int64
	OrganisationID int64
	Method         string
	Enabled        bool
	ValidDays      int
	Config         string // method-specific, e.g. allowed e-mail domains
	Secret         string `json:"-"`
	UpdatedAt      time.Time
}

// TableName is the settings table.
func (Settings) TableName() string { return "verify_methods" }

// Record says that an account holds a verification of a kind.
type Record struct {
	ID             int64      `json:"-"`
	OrganisationID int64      `json:"organisation_id"`
	AccountID      int64      `json:"-"`
	Kind           string     `json:"kind"`
	Uniq           *string    `json:"-"`
	VerifiedAt     time.Time  `json:"verified_at"`
	ExpiresAt      *time.Time `json:"expires_at"`
}

// TableName is the records table.
func (Record) TableName() string { return "verifications" }

// MaxFailures is how many wrong answers an account may give to form
// methods in FailureWindow before it must wait.
const (
	MaxFailures   = 10
	FailureWindow = time.Hour
)

// DefaultValidDays is how long a verification holds unless the admin says
// otherwise.
const DefaultValidDays = 365

// Service registers methods and keeps verification records.
type Service struct {
	db *store.DB
	// Now is the clock (tests move it).
	Now func() time.Time

	// failures bounds wrong answers per account (guessing a birth date
	// for a known identifier, or codes).
	failures *accounts.Limiter

	mu      sync.RWMutex
	methods map[string]Method
	order   []string
}

// New returns the service with the built-in methods that need no operator
// configuration (census, codes, e-mail domain); OIDC providers are added
// with Register.
func New(db *store.DB) *Service {
	s := &Service{db: db, Now: func() time.Time { return time.Now().UTC() }, methods: map[string]Method{},
		failures: accounts.NewLimiter(db, "verify", MaxFailures, FailureWindow)}
	s.Register(Census{})
	s.Register(Codes{})
	s.Register(EmailDomain{})
	return s
}

// Register adds a method; a later method of the same kind replaces it.
func (s *Service) Register(m Method) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.methods[m.Kind()]; !ok {
		s.order = append(s.order, m.Kind())
	}
	s.methods[m.Kind()] = m
}

// Methods lists the registered methods in registration order.
func (s *Service) Methods() []Method {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Method, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, s.methods[k])
	}
	return out
}

// Method returns a registered method.
func (s *Service) Method(kind string) (Method, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.methods[kind]
	return m, ok
}

// Has implements authz.Verifications: the account holds an unexpired
// verification of kind. A failure to read counts as not verified.
func (s *Service) Has(ctx context.Context, accountID int64, kind string) bool {
	var n int64
	err := s.db.WithContext(ctx).Model(&Record{}).
		Where("account_id = ? AND kind = ? AND (expires_at IS NULL OR expires_at > ?)", accountID, kind, s.Now()).
		Count(&n).Error
	if err != nil {
		slog.Error("reading verification", "err", err, "kind", kind)
		return false
	}
	return n > 0
}

// Records lists an account's verifications.
func (s *Service) Records(ctx context.Context, accountID int64) ([]Record, error) {
	var out []Record
	if err := s.db.WithContext(ctx).Where("account_id = ?", accountID).Order("kind").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("listing verifications: %w", err)
	}
	return out, nil
}

// Settings returns an organisation's settings of every registered method
// (defaults for those never configured), creating the per-method secret
// the first time it is asked for.
func (s *Service) Settings(ctx context.Context, orgID int64, kind string) (*Settings, error) {
	var st Settings
	db := s.db.WithContext(ctx)
	if err := db.Where("organisation_id = ? AND method = ?", orgID, kind).Limit(1).Find(&st).Error; err != nil {
		return nil, fmt.Errorf("reading %s settings: %w", kind, err)
	}
	if st.ID != 0 {
		return &st, nil
	}
	st = Settings{OrganisationID: orgID, Method: kind, ValidDays: DefaultValidDays, Secret: newSecret(), UpdatedAt: s.Now()}
	// Two first reads may race: keep whichever row was written first.
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&st).Error; err != nil {
		return nil, fmt.Errorf("creating %s settings: %w", kind, err)
	}
	st = Settings{}
	if err := db.Where("organisation_id = ? AND method = ?", orgID, kind).Take(&st).Error; err != nil {
		return nil, fmt.Errorf("reading %s settings: %w", kind, err)
	}
	return &st, nil
}

// Configure saves whether a method is enabled, how long it holds and its
// method-specific configuration.
func (s *Service) Configure(ctx context.Context, orgID int64, kind string, enabled bool, validDays int, config string) (*Settings, error) {
	m, ok := s.Method(kind)
	if !ok {
		return nil, perr.NotFound("verification")
	}
	if validDays < 1 || validDays > 3650 {
		return nil, perr.Invalid("verify.error.valid_days", nil)
	}
	if c, ok := m.(interface{ CheckConfig(string) error }); ok {
		if err := c.CheckConfig(config); err != nil {
			return nil, err
		}
	}
	st, err := s.Settings(ctx, orgID, kind)
	if err != nil {
		return nil, err
	}
	st.Enabled, st.ValidDays, st.Config, st.UpdatedAt = enabled, validDays, config, s.Now()
	if err := s.db.WithContext(ctx).Save(st).Error; err != nil {
		return nil, fmt.Errorf("saving %s settings: %w", kind, err)
	}
	return st, nil
}

// Enabled lists the methods an organisation offers.
func (s *Service) Enabled(ctx context.Context, orgID int64) ([]Method, error) {
	var on []string
	if err := s.db.WithContext(ctx).Model(&Settings{}).Where("organisation_id = ? AND enabled = ?", orgID, true).Pluck("method", &on).Error; err != nil {
		return nil, fmt.Errorf("listing enabled verifications: %w", err)
	}
	var out []Method
	for _, m := range s.Methods() {
		if slices.Contains(on, m.Kind()) {
			out = append(out, m)
		}
	}
	return out, nil
}

// attempt prepares an attempt at an enabled method.
func (s *Service) attempt(ctx context.Context, acc *accounts.Account, kind string, values map[string]string) (Method, Attempt, error) {
	m, ok := s.Method(kind)
	if !ok || acc == nil {
		return nil, Attempt{}, perr.NotFound("verification")
	}
	st, err := s.Settings(ctx, acc.OrganisationID, kind)
	if err != nil {
		return nil, Attempt{}, err
	}
	if !st.Enabled {
		return nil, Attempt{}, perr.NotFound("verification")
	}
	return m, Attempt{OrgID: acc.OrganisationID, Account: acc, Values: values, Config: st}, nil
}

// Verify runs a form method for an account and records the verification.
func (s *Service) Verify(ctx context.Context, acc *accounts.Account, kind string, values map[string]string) (*Record, error) {
	m, a, err := s.attempt(ctx, acc, kind, values)
	if err != nil {
		return nil, err
	}
	if _, ok := m.(Redirector); ok {
		return nil, perr.Invalid("verify.error.redirect_method", nil)
	}
	key := "account:" + strconv.FormatInt(acc.ID, 10)
	if err := s.failures.Check(ctx, key); err != nil {
		return nil, err
	}
	var rec *Record
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		p, err := m.Verify(ctx, tx, a)
		if err != nil {
			return err
		}
		rec, err = s.record(tx, a, kind, p)
		return err
	})
	if err != nil {
		if perr.CodeOf(err) == perr.CodeInvalid {
			if lerr := s.failures.Record(ctx, key); lerr != nil {
				slog.Error("recording a failed verification", "err", lerr)
			}
		}
		return nil, err
	}
	return rec, nil
}

// record writes (or renews) the account's record of kind.
func (s *Service) record(tx *gorm.DB, a Attempt, kind string, p Proof) (*Record, error) {
	now := s.Now()
	days := a.Config.ValidDays
	if days <= 0 {
		days = DefaultValidDays
	}
	exp := now.AddDate(0, 0, days)
	rec := Record{OrganisationID: a.OrgID, AccountID: a.Account.ID, Kind: kind, VerifiedAt: now, ExpiresAt: &exp}
	if p.Uniq != "" {
		rec.Uniq = &p.Uniq
	}
	if err := tx.Where("account_id = ? AND kind = ?", a.Account.ID, kind).Delete(&Record{}).Error; err != nil {
		return nil, fmt.Errorf("replacing verification: %w", err)
	}
	if err := tx.Create(&rec).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return nil, perr.Conflict("verify.error.proof_used", nil)
		}
		return nil, fmt.Errorf("recording verification: %w", err)
	}
	return &rec, nil
}

// Revoke removes an account's verification of a kind.
func (s *Service) Revoke(ctx context.Context, accountID int64, kind string) error {
	if err := s.db.WithContext(ctx).Where("account_id = ? AND kind = ?", accountID, kind).Delete(&Record{}).Error; err != nil {
		return fmt.Errorf("revoking verification: %w", err)
	}
	return nil
}

// PersonalData implements registry.PersonalDataProvider: the account's
// verification records (kind, organisation, dates), and whether it used a
// census row or an invitation code (never the digest or code hash).
func (s *Service) PersonalData(ctx context.Context, accountID int64) (any, error) {
	recs, err := s.Records(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var census, codes int64
	db := s.db.WithContext(ctx)
	if err := db.Model(&CensusRow{}).Where("used_by = ?", accountID).Count(&census).Error; err != nil {
		return nil, fmt.Errorf("counting census rows: %w", err)
	}
	if err := db.Model(&Code{}).Where("used_by = ?", accountID).Count(&codes).Error; err != nil {
		return nil, fmt.Errorf("counting codes: %w", err)
	}
	if len(recs) == 0 && census == 0 && codes == 0 {
		return nil, nil
	}
	return map[string]any{"verifications": recs, "census_rows_used": census, "invitation_codes_used": codes}, nil
}

// Anonymise implements registry.Eraser: the records go, and the census
// rows and codes the account used stay used (one person, one account) but
// no longer point to it.
func (s *Service) Anonymise(ctx context.Context, accountID int64) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("account_id = ?", accountID).Delete(&Record{}).Error; err != nil {
			return fmt.Errorf("erasing verifications: %w", err)
		}
		if err := tx.Model(&CensusRow{}).Where("used_by = ?", accountID).Update("used_by", nil).Error; err != nil {
			return fmt.Errorf("detaching census rows: %w", err)
		}
		if err := tx.Model(&Code{}).Where("used_by = ?", accountID).Update("used_by", nil).Error; err != nil {
			return fmt.Errorf("detaching codes: %w", err)
		}
		return nil
	})
}

// newSecret returns 32 random bytes in hex.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b)
}

// keyed is HMAC-SHA-256(secret, msg) in lower-case hex.
func keyed(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}
