// SPDX-License-Identifier: AGPL-3.0-or-later

package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
)

// OIDC verifies accounts with an OpenID Connect provider the operator
// configured (any standard provider: issuer, client id and secret). The
// participant signs in there (authorisation code flow with PKCE, state
// and nonce); the server checks the signed ID token and records the
// verification with a keyed digest of issuer and subject, so that one
// identity verifies one account, and nothing else from the token.
type OIDC struct {
	// ID is the verification kind, "oidc" or e.g. "oidc-itsme" when an
	// instance offers several providers.
	ID           string
	Issuer       string
	ClientID     string
	ClientSecret string
	// Scopes added to "openid".
	Scopes []string
	// Client, when set, is the HTTP client used to reach the provider.
	Client *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
}

// Kind implements Method.
func (o *OIDC) Kind() string {
	if o.ID == "" {
		return "oidc"
	}
	return o.ID
}

// Records implements Method.
func (o *OIDC) Records() string { return "verify.oidc.records" }

// Fields implements Method: none, the participant is redirected.
func (o *OIDC) Fields() []Field { return nil }

// Verify implements Method; OIDC only works through Start and Finish.
func (o *OIDC) Verify(context.Context, *gorm.DB, Attempt) (Proof, error) {
	return Proof{}, perr.Invalid("verify.error.redirect_method", nil)
}

func (o *OIDC) ctx(ctx context.Context) context.Context {
	if o.Client != nil {
		return context.WithValue(ctx, oauth2.HTTPClient, o.Client)
	}
	return ctx
}

// discover fetches the provider's discovery document once.
func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(o.ctx(ctx), o.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovering OpenID provider %s: %w", o.Issuer, err)
	}
	o.provider = p
	return p, nil
}

func (o *OIDC) config(p *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirectURL, Scopes: append([]string{oidc.ScopeOpenID}, o.Scopes...)}
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Start implements Redirector: the state to keep in the session (state,
// nonce, PKCE verifier) and the provider's authorisation URL.
func (o *OIDC) Start(ctx context.Context, a Attempt, redirectURL string) (string, map[string]string, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", nil, err
	}
	st := map[string]string{"state": randomToken(), "nonce": randomToken(), "verifier": oauth2.GenerateVerifier()}
	u := o.config(p, redirectURL).AuthCodeURL(st["state"], oidc.Nonce(st["nonce"]), oauth2.S256ChallengeOption(st["verifier"]))
	return u, st, nil
}

// Finish implements Redirector: a.Values holds the callback's "code" and
// "state" (or "error").
func (o *OIDC) Finish(ctx context.Context, a Attempt, redirectURL string, st map[string]string) (Proof, error) {
	if a.Values["error"] != "" || a.Values["state"] == "" || a.Values["state"] != st["state"] || a.Values["code"] == "" {
		return Proof{}, perr.Invalid("verify.oidc.error.refused", nil)
	}
	p, err := o.discover(ctx)
	if err != nil {
		return Proof{}, err
	}
	ctx = o.ctx(ctx)
	tok, err := o.config(p, redirectURL).Exchange(ctx, a.Values["code"], oauth2.VerifierOption(st["verifier"]))
	if err != nil {
		return Proof{}, &perr.Error{Code: perr.CodeInvalid, MessageID: "verify.oidc.error.refused", Err: fmt.Errorf("exchanging code: %w", err)}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Proof{}, perr.Invalid("verify.oidc.error.refused", nil)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.ClientID}).Verify(ctx, raw)
	if err != nil {
		return Proof{}, &perr.Error{Code: perr.CodeInvalid, MessageID: "verify.oidc.error.refused", Err: fmt.Errorf("verifying ID token: %w", err)}
	}
	if idt.Nonce != st["nonce"] || idt.Subject == "" {
		return Proof{}, perr.Invalid("verify.oidc.error.refused", nil)
	}
	return Proof{Uniq: keyed(a.Config.Secret, idt.Issuer+"\x00"+idt.Subject)}, nil
}

// Start begins a redirect method for an account: the URL to send the
// participant to and the state to keep in their session.
func (s *Service) Start(ctx context.Context, acc *accounts.Account, kind, redirectURL string) (string, map[string]string, error) {
	m, a, err := s.attempt(ctx, acc, kind, nil)
	if err != nil {
		return "", nil, err
	}
	r, ok := m.(Redirector)
	if !ok {
		return "", nil, perr.NotFound("verification")
	}
	return r.Start(ctx, a, redirectURL)
}

// Finish completes a redirect method and records the verification.
func (s *Service) Finish(ctx context.Context, acc *accounts.Account, kind, redirectURL string, query, st map[string]string) (*Record, error) {
	m, a, err := s.attempt(ctx, acc, kind, query)
	if err != nil {
		return nil, err
	}
	r, ok := m.(Redirector)
	if !ok {
		return nil, perr.NotFound("verification")
	}
	p, err := r.Finish(ctx, a, redirectURL, st)
	if err != nil {
		return nil, err
	}
	var rec *Record
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		rec, err = s.record(tx, a, kind, p)
		return err
	})
	return rec, err
}

// OIDCFromEnv returns the OpenID Connect method the operator configured
// with POLDER_OIDC_ISSUER, POLDER_OIDC_CLIENT_ID and
// POLDER_OIDC_CLIENT_SECRET (and optionally POLDER_OIDC_SCOPES, space
// separated), or nil when no issuer is set.
func OIDCFromEnv(getenv func(string) string) *OIDC {
	iss := getenv("POLDER_OIDC_ISSUER")
	if iss == "" {
		return nil
	}
	return &OIDC{Issuer: iss, ClientID: getenv("POLDER_OIDC_CLIENT_ID"), ClientSecret: getenv("POLDER_OIDC_CLIENT_SECRET"),
		Scopes: strings.Fields(getenv("POLDER_OIDC_SCOPES"))}
}
