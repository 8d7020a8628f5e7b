// SPDX-License-Identifier: AGPL-3.0-or-later

package blindtoken

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"

	"github.com/cloudflare/circl/blindsign/blindrsa"
)

// Request is the client's side of one token while the server signs: the
// prepared message (random prefix + random token) and the blinding state.
// It never leaves the participant's device; static/blindtoken.js does the
// same in the browser.
type Request struct {
	client blindrsa.Client
	state  blindrsa.State
	// Message is the prepared message the final signature covers.
	Message []byte
	// Blinded is what the participant sends to the issuance endpoint.
	Blinded []byte
}

// NewRequest draws a random 32-byte token, prepares and blinds it for pk.
func NewRequest(pk *rsa.PublicKey) (*Request, error) {
	c, err := blindrsa.NewClient(Variant, pk)
	if err != nil {
		return nil, fmt.Errorf("blind client: %w", err)
	}
	token := make([]byte, 32)
	if _, err := rand.Read(token); err != nil {
		return nil, fmt.Errorf("random token: %w", err)
	}
	msg, err := c.Prepare(rand.Reader, token)
	if err != nil {
		return nil, fmt.Errorf("preparing token: %w", err)
	}
	blinded, st, err := c.Blind(rand.Reader, msg)
	if err != nil {
		return nil, fmt.Errorf("blinding token: %w", err)
	}
	return &Request{client: c, state: st, Message: msg, Blinded: blinded}, nil
}

// Finalize unblinds the server's blind signature and checks it, giving
// the signature to present with Message at redemption.
func (r *Request) Finalize(blindSig []byte) ([]byte, error) {
	sig, err := r.client.Finalize(r.state, blindSig)
	if err != nil {
		return nil, fmt.Errorf("finalizing signature: %w", err)
	}
	return sig, nil
}
