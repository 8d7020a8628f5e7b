// SPDX-License-Identifier: AGPL-3.0-or-later

// Package pow keeps bots out without tracking anyone and without a
// third-party service: a form carries a stateless proof-of-work challenge
// (random salt, difficulty, expiry and purpose, signed with HMAC-SHA256);
// the browser (static/pow.js) finds a nonce such that SHA-256 of
// "<challenge>.<nonce>" starts with the required number of zero bits; the
// server checks the signature, purpose, expiry and difficulty, and that the
// challenge was not used before (its hash is kept until it expires).
//
// Browsers without JavaScript cannot solve it: Require then accepts the
// submission only under a stricter per-IP rate limit.
package pow

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// Defaults: 16 bits is about 65,000 hashes, a second or two in a phone's
// browser and nothing for a person, while a bot posting thousands of forms
// pays thousands of those.
const (
	DefaultBits = 16
	DefaultTTL  = 10 * time.Minute
)

// Service issues and verifies challenges.
type Service struct {
	db *store.DB
	// Bits is the difficulty of new challenges.
	Bits int
	// TTL is how long a challenge may be solved and used.
	TTL time.Duration
	now func() time.Time

	mu       sync.Mutex
	secret   []byte
	fallback map[string]Limiter
}

// New returns the service; the signing secret is read (or drawn) from the
// database at first use.
func New(db *store.DB) *Service {
	return &Service{db: db, Bits: DefaultBits, TTL: DefaultTTL, now: func() time.Time { return time.Now().UTC() }}
}

type powKey struct {
	ID        int64
	Secret    string
	CreatedAt time.Time
}

func (powKey) TableName() string { return "pow_keys" }

type used struct {
	ChallengeHash string `gorm:"primaryKey"`
	ExpiresAt     time.Time
}

func (used) TableName() string { return "pow_used" }

func (s *Service) key(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secret != nil {
		return s.secret, nil
	}
	var k powKey
	err := s.db.WithContext(ctx).Where("id = 1").First(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("drawing the challenge secret: %w", err)
		}
		k = powKey{ID: 1, Secret: hex.EncodeToString(b), CreatedAt: s.now()}
		if err := s.db.WithContext(ctx).Create(&k).Error; err != nil {
			if !store.IsUniqueViolation(err) {
				return nil, fmt.Errorf("storing the challenge secret: %w", err)
			}
			// Another instance drew it first: use theirs.
			if err := s.db.WithContext(ctx).Where("id = 1").First(&k).Error; err != nil {
				return nil, fmt.Errorf("loading the challenge secret: %w", err)
			}
		}
	} else if err != nil {
		return nil, fmt.Errorf("loading the challenge secret: %w", err)
	}
	s.secret, err = hex.DecodeString(k.Secret)
	if err != nil {
		return nil, fmt.Errorf("decoding the challenge secret: %w", err)
	}
	return s.secret, nil
}

func validPurpose(p string) bool {
	if p == "" || len(p) > 40 {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r == '_') {
			return false
		}
	}
	return true
}

func mac(secret []byte, body string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

// Challenge returns a new challenge for a purpose ("register", "anon",
// "statement"): "<purpose>.<bits>.<expiry unix>.<salt>.<hmac>".
func (s *Service) Challenge(ctx context.Context, purpose string) (string, error) {
	if !validPurpose(purpose) {
		return "", fmt.Errorf("invalid proof-of-work purpose %q", purpose)
	}
	secret, err := s.key(ctx)
	if err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("drawing a salt: %w", err)
	}
	body := fmt.Sprintf("%s.%d.%d.%s", purpose, s.Bits, s.now().Add(s.TTL).Unix(), hex.EncodeToString(salt))
	return body + "." + mac(secret, body), nil
}

// LeadingZeroBits counts the zero bits at the start of SHA-256 of
// "<challenge>.<nonce>".
func LeadingZeroBits(challenge, nonce string) int {
	h := sha256.Sum256([]byte(challenge + "." + nonce))
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// Solve finds a nonce for a challenge (tests, command-line clients): the
// browser does the same in static/pow.js.
func Solve(challenge string) (string, error) {
	parts := strings.Split(challenge, ".")
	if len(parts) != 5 {
		return "", errors.New("malformed challenge")
	}
	want, err := strconv.Atoi(parts[1])
	if err != nil {
		return "", errors.New("malformed challenge")
	}
	for i := 0; ; i++ {
		n := strconv.Itoa(i)
		if LeadingZeroBits(challenge, n) >= want {
			return n, nil
		}
	}
}

func invalid() error { return perr.New(perr.CodeInvalid, "pow.error.invalid", nil) }

// Verify checks a solved challenge for a purpose and spends it.
func (s *Service) Verify(ctx context.Context, purpose, challenge, nonce string) error {
	parts := strings.Split(challenge, ".")
	if len(parts) != 5 || len(nonce) == 0 || len(nonce) > 32 {
		return invalid()
	}
	secret, err := s.key(ctx)
	if err != nil {
		return err
	}
	body := strings.Join(parts[:4], ".")
	if !hmac.Equal([]byte(mac(secret, body)), []byte(parts[4])) {
		return invalid()
	}
	if parts[0] != purpose {
		return invalid()
	}
	want, err1 := strconv.Atoi(parts[1])
	exp, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return invalid()
	}
	now := s.now()
	if now.Unix() > exp {
		return perr.New(perr.CodeInvalid, "pow.error.expired", nil)
	}
	if LeadingZeroBits(challenge, nonce) < want {
		return invalid()
	}
	h := sha256.Sum256([]byte(challenge))
	db := s.db.WithContext(ctx)
	if err := db.Create(&used{ChallengeHash: hex.EncodeToString(h[:]), ExpiresAt: time.Unix(exp, 0).UTC()}).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return perr.New(perr.CodeInvalid, "pow.error.used", nil)
		}
		return fmt.Errorf("spending challenge: %w", err)
	}
	if err := db.Where("expires_at < ?", now).Delete(&used{}).Error; err != nil {
		return fmt.Errorf("forgetting expired challenges: %w", err)
	}
	return nil
}
