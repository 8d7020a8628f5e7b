// SPDX-License-Identifier: AGPL-3.0-or-later

// Package blindtoken gives verified participants untraceable participation
// with RSA blind signatures (RFC 9474, variant
// RSABSSA-SHA384-PSS-Randomized, implemented by cloudflare/circl).
//
// A space that offers it has its own key pair. A logged-in (and, when the
// space requires it, verified) participant sends a BLINDED message and gets
// a blind signature back; the server records only "account A got its token
// for space S", once per account and space. Later anyone presents the
// unblinded (message, signature): the server verifies it, stores the hash
// of the message as spent (one participant per token) and creates a
// pseudonymous account for that space. Because the signer never sees the
// message nor the final signature, nothing the server stores joins the two
// records; docs/privacy.md lists what can still link them (timing, IP
// addresses, small spaces).
package blindtoken

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/circl/blindsign/blindrsa"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/pow"
	"github.com/polder-civic/polder/core/store"
)

// Variant is the RFC 9474 variant used by the server, the Go client and
// static/blindtoken.js: SHA-384, PSS with a 48-byte salt, and a 32-byte
// random prefix the client prepends to the message.
const Variant = blindrsa.SHA384PSSRandomized

// KindPseudonym is the kind of the accounts redemption creates: no e-mail,
// no password, scoped to one space.
const KindPseudonym = "pseudonym"

// Permission is the space permission a participant needs to obtain a
// token; admins may require a verification for it per space.
const Permission = "space.anon_token"

// DefaultBits is the RSA modulus size of new keys.
const DefaultBits = 2048

// Service issues and redeems tokens.
type Service struct {
	db *store.DB
	// Bits is the modulus size of keys Enable creates.
	Bits int
	// PoW, when set, guards the redemption form with a proof of work.
	PoW *pow.Service
}

// New returns the service.
func New(db *store.DB) *Service { return &Service{db: db, Bits: DefaultBits} }

type anonKey struct {
	Domain         string `gorm:"primaryKey"`
	OrganisationID int64
	PrivateKey     string
	PublicKey      string
	CreatedAt      time.Time
}

func (anonKey) TableName() string { return "anon_keys" }

type issuance struct {
	Domain    string `gorm:"primaryKey"`
	AccountID int64  `gorm:"primaryKey"`
	// IssuedOn is the day (UTC midnight), never the time: a precise time
	// would let an observer match it with the pseudonym's first steps.
	IssuedOn time.Time
}

func (issuance) TableName() string { return "anon_issuances" }

type redemption struct {
	TokenHash string `gorm:"primaryKey"`
	Domain    string
	AccountID int64
}

func (redemption) TableName() string { return "anon_redemptions" }

// Day truncates t to its UTC day: the only precision stored beside
// issuances and pseudonyms.
func Day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// Enable creates the key pair of a space (domain "process:3") unless it
// exists, and returns its public key.
func (s *Service) Enable(ctx context.Context, orgID int64, domain string) (*rsa.PublicKey, error) {
	if pk, err := s.PublicKey(ctx, domain); err == nil {
		return pk, nil
	} else if perr.CodeOf(err) != perr.CodeNotFound {
		return nil, err
	}
	sk, err := rsa.GenerateKey(rand.Reader, s.Bits)
	if err != nil {
		return nil, fmt.Errorf("generating the key of %s: %w", domain, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(sk)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&sk.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	k := anonKey{Domain: domain, OrganisationID: orgID, CreatedAt: time.Now().UTC(),
		PrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		PublicKey:  string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))}
	if err := s.db.WithContext(ctx).Create(&k).Error; err != nil {
		if store.IsUniqueViolation(err) { // another request enabled it first
			return s.PublicKey(ctx, domain)
		}
		return nil, fmt.Errorf("storing the key of %s: %w", domain, err)
	}
	return &sk.PublicKey, nil
}

// Enabled reports whether a space offers anonymous participation.
func (s *Service) Enabled(ctx context.Context, domain string) bool {
	_, err := s.PublicKey(ctx, domain)
	return err == nil
}

func (s *Service) key(ctx context.Context, db *gorm.DB, domain string) (*anonKey, error) {
	var k anonKey
	err := db.WithContext(ctx).Where("domain = ?", domain).First(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("anon_key")
	}
	if err != nil {
		return nil, fmt.Errorf("loading the key of %s: %w", domain, err)
	}
	return &k, nil
}

// PublicKeyPEM returns a space's public key as PEM (SubjectPublicKeyInfo).
func (s *Service) PublicKeyPEM(ctx context.Context, domain string) (string, error) {
	k, err := s.key(ctx, s.db.DB, domain)
	if err != nil {
		return "", err
	}
	return k.PublicKey, nil
}

// PublicKey returns a space's public key.
func (s *Service) PublicKey(ctx context.Context, domain string) (*rsa.PublicKey, error) {
	p, err := s.PublicKeyPEM(ctx, domain)
	if err != nil {
		return nil, err
	}
	return ParsePublicKey(p)
}

// ParsePublicKey decodes a PEM public key.
func ParsePublicKey(p string) (*rsa.PublicKey, error) {
	b, _ := pem.Decode([]byte(p))
	if b == nil {
		return nil, errors.New("no PEM block in the public key")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing public key: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("the public key is not RSA")
	}
	return rk, nil
}

// Issue blindly signs a blinded message for an account, once per account
// and space: the issuance row is written first under its primary key, in
// the same transaction as the signature, so concurrent requests of one
// account get exactly one signature and a failed signature leaves no row.
func (s *Service) Issue(ctx context.Context, domain string, accountID int64, blinded []byte) ([]byte, error) {
	var sig []byte
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		k, err := s.key(ctx, tx, domain)
		if err != nil {
			return err
		}
		b, _ := pem.Decode([]byte(k.PrivateKey))
		if b == nil {
			return errors.New("no PEM block in the private key")
		}
		pk, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return fmt.Errorf("parsing private key: %w", err)
		}
		sk, ok := pk.(*rsa.PrivateKey)
		if !ok {
			return errors.New("the private key is not RSA")
		}
		if len(blinded) != sk.Size() {
			return perr.New(perr.CodeInvalid, "anon.error.blinded", nil)
		}
		row := issuance{Domain: domain, AccountID: accountID, IssuedOn: Day(time.Now())}
		if err := tx.Create(&row).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return perr.New(perr.CodeConflict, "anon.error.already_issued", nil)
			}
			return fmt.Errorf("recording issuance: %w", err)
		}
		sig, err = blindrsa.NewSigner(sk).BlindSign(blinded)
		if err != nil {
			return perr.New(perr.CodeInvalid, "anon.error.blinded", nil)
		}
		return nil
	})
	if err != nil {
		var pe *perr.Error
		if errors.As(err, &pe) {
			return nil, pe
		}
		if store.IsUniqueViolation(err) {
			return nil, perr.New(perr.CodeConflict, "anon.error.already_issued", nil)
		}
		return nil, fmt.Errorf("issuing token: %w", err)
	}
	return sig, nil
}

// Issued reports whether an account got its token for a space.
func (s *Service) Issued(ctx context.Context, domain string, accountID int64) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&issuance{}).Where("domain = ? AND account_id = ?", domain, accountID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("checking issuance: %w", err)
	}
	return n > 0, nil
}

// TokenHash is the hex SHA-256 of a (prepared) token message: what the
// spent-token table stores.
func TokenHash(msg []byte) string {
	h := sha256.Sum256(msg)
	return hex.EncodeToString(h[:])
}

// Redeem verifies a token of a space and creates its pseudonymous account,
// once per token. The account has no e-mail nor password, a random
// nickname, and times rounded to the day.
func (s *Service) Redeem(ctx context.Context, orgID int64, domain string, msg, sig []byte) (*accounts.Account, error) {
	pk, err := s.PublicKey(ctx, domain)
	if err != nil {
		return nil, err
	}
	v, err := blindrsa.NewVerifier(Variant, pk)
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	if len(msg) < 32 || len(msg) > 1024 || v.Verify(msg, sig) != nil {
		return nil, perr.New(perr.CodeInvalid, "anon.error.token", nil)
	}
	day := Day(time.Now())
	nick, err := randomNickname()
	if err != nil {
		return nil, err
	}
	acc := &accounts.Account{OrganisationID: orgID, Name: nick, Nickname: nick, Kind: KindPseudonym,
		ConfirmedAt: &day, CreatedAt: day, UpdatedAt: day}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(acc).Error; err != nil {
			return fmt.Errorf("creating pseudonym: %w", err)
		}
		// gorm stamps updated_at with the current time: put the day back.
		if err := tx.Model(&accounts.Account{}).Where("id = ?", acc.ID).UpdateColumns(map[string]any{"created_at": day, "updated_at": day}).Error; err != nil {
			return fmt.Errorf("rounding pseudonym times: %w", err)
		}
		// The spent row's primary key settles concurrent redemptions of one
		// token: the second fails here and its account is rolled back.
		if err := tx.Create(&redemption{TokenHash: TokenHash(msg), Domain: domain, AccountID: acc.ID}).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return perr.New(perr.CodeConflict, "anon.error.spent", nil)
			}
			return fmt.Errorf("spending token: %w", err)
		}
		return nil
	})
	if err != nil {
		var pe *perr.Error
		if errors.As(err, &pe) {
			return nil, pe
		}
		if store.IsUniqueViolation(err) {
			return nil, perr.New(perr.CodeConflict, "anon.error.spent", nil)
		}
		return nil, fmt.Errorf("redeeming token: %w", err)
	}
	return acc, nil
}

// PseudonymSpace returns the space (domain) a pseudonymous account was
// created for, "" for other accounts.
func (s *Service) PseudonymSpace(ctx context.Context, accountID int64) (string, error) {
	var r redemption
	err := s.db.WithContext(ctx).Where("account_id = ?", accountID).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("loading pseudonym space: %w", err)
	}
	return r.Domain, nil
}

func randomNickname() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random nickname: %w", err)
	}
	return "anon-" + hex.EncodeToString(b), nil
}
