// SPDX-License-Identifier: AGPL-3.0-or-later

// Package lottery makes a sortition draw verifiable: a seed anyone can
// recompute (commit-reveal, or a public source such as dice rolled in
// public), a documented generator (ChaCha8 from math/rand/v2, specified as
// C2SP chacha8rand), an index drawn among M equally likely panels, item
// draws from a list sorted by a published key, and a JSON record that
// Verify replays. It follows the spirit of RFC 3797: the randomness comes
// from inputs fixed after the organiser committed and published in full.
package lottery

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Seed methods.
const (
	// MethodCommitReveal: the organiser publishes SHA-256(secret) before
	// the draw and reveals the secret after; the seed also hashes a public
	// value fixed after the commitment (e.g. a named lottery's numbers).
	MethodCommitReveal = "commit-reveal"
	// MethodPublic: the seed hashes a public source typed in (dice rolled
	// in public, a lottery result).
	MethodPublic = "public"
)

// domain separates our hashes from any other use of the same inputs.
const domain = "polder-sortition-seed-v1"

// ErrCommitment is returned when a revealed secret does not match its
// commitment.
var ErrCommitment = errors.New("secret does not match the commitment")

// Commit returns the hex SHA-256 of the secret, to publish before the draw.
func Commit(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// SeedInputs are the published inputs of a seed.
type SeedInputs struct {
	Method      string `json:"method"`
	Commitment  string `json:"commitment,omitempty"`
	Secret      string `json:"secret,omitempty"`
	PublicValue string `json:"public_value,omitempty"`
}

// Seed derives the 32-byte seed: SHA-256 of the domain string, the method,
// and each input prefixed with its length (8 bytes, big endian), so no two
// different input lists hash alike. For commit-reveal it first checks the
// secret against the commitment.
func (in SeedInputs) Seed() ([32]byte, error) {
	var parts []string
	switch in.Method {
	case MethodCommitReveal:
		if in.Secret == "" {
			return [32]byte{}, fmt.Errorf("commit-reveal seed: empty secret")
		}
		if subtle.ConstantTimeCompare([]byte(Commit(in.Secret)), []byte(strings.ToLower(in.Commitment))) != 1 {
			return [32]byte{}, ErrCommitment
		}
		parts = []string{in.Secret, in.PublicValue}
	case MethodPublic:
		if in.PublicValue == "" {
			return [32]byte{}, fmt.Errorf("public seed: empty public value")
		}
		parts = []string{in.PublicValue}
	default:
		return [32]byte{}, fmt.Errorf("unknown seed method %q", in.Method)
	}
	h := sha256.New()
	h.Write([]byte(domain))
	writeLen(h, in.Method)
	for _, p := range parts {
		writeLen(h, p)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out, nil
}

func writeLen(h interface{ Write([]byte) (int, error) }, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

// CommitReveal returns the seed inputs for a secret and a public value.
func CommitReveal(secret, public string) SeedInputs {
	return SeedInputs{Method: MethodCommitReveal, Commitment: Commit(secret), Secret: secret, PublicValue: public}
}

// Public returns the seed inputs for a public source.
func Public(source string) SeedInputs {
	return SeedInputs{Method: MethodPublic, PublicValue: source}
}

// Generator is the documented random source of a draw: ChaCha8 keyed by
// the seed (math/rand/v2's NewChaCha8, the C2SP chacha8rand algorithm),
// with our own reduction to a range so the draw does not depend on how a
// Go release implements IntN.
type Generator struct {
	src *rand.ChaCha8
}

// NewGenerator keys ChaCha8 with the seed.
func NewGenerator(seed [32]byte) *Generator {
	return &Generator{src: rand.NewChaCha8(seed)}
}

// Index returns a uniform integer in [0, n): it takes successive 64-bit
// outputs u and returns u mod n for the first u below the largest
// multiple of n that fits in 64 bits (rejection removes the modulo bias).
func (g *Generator) Index(n int) int {
	if n <= 0 {
		panic("lottery: Index of an empty range")
	}
	m := uint64(n)
	limit := (^uint64(0) / m) * m
	for {
		u := g.src.Uint64()
		if u < limit {
			return int(u % m)
		}
	}
}
