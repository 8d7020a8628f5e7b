// SPDX-License-Identifier: AGPL-3.0-or-later

package verify_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/verify"
)

// testProvider is an in-process OpenID Connect provider: discovery,
// JWKS, an authorisation endpoint that signs in Subject at once, and a
// token endpoint checking the client secret and the PKCE verifier before
// issuing an RS256-signed ID token.
type testProvider struct {
	*httptest.Server
	key      *rsa.PrivateKey
	clientID string
	secret   string

	mu      sync.Mutex
	Subject string
	codes   map[string]grant
	// WrongAudience makes the next ID tokens name another client.
	WrongAudience bool
}

type grant struct{ nonce, challenge, redirect, subject string }

func newTestProvider(t *testing.T) *testProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &testProvider{key: key, clientID: "polder-test", secret: "client-secret", codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize", "token_endpoint": p.URL + "/token",
			"jwks_uri": p.URL + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != p.clientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || !strings.Contains(q.Get("scope"), "openid") {
			http.Error(w, "bad authorisation request", http.StatusBadRequest)
			return
		}
		code := base64.RawURLEncoding.EncodeToString([]byte(q.Get("state") + time.Now().String()))
		p.mu.Lock()
		p.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), subject: p.Subject}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		id, sec, ok := r.BasicAuth()
		if !ok {
			id, sec = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		p.mu.Lock()
		g, found := p.codes[r.PostForm.Get("code")]
		delete(p.codes, r.PostForm.Get("code"))
		wrongAud := p.WrongAudience
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if id != p.clientID || sec != p.secret || !found || g.redirect != r.PostForm.Get("redirect_uri") ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		aud := p.clientID
		if wrongAud {
			aud = "someone-else"
		}
		now := time.Now()
		claims, _ := json.Marshal(map[string]any{"iss": p.URL, "sub": g.subject, "aud": aud, "nonce": g.nonce,
			"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "email": g.subject + "@provider.example"})
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key}, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		jws, err := signer.Sign(claims)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		idt, _ := jws.CompactSerialize()
		writeJSON(w, map[string]any{"access_token": "at-" + g.subject, "token_type": "Bearer", "expires_in": 300, "id_token": idt})
	})
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// signIn runs the browser's part: submit the form, visit the provider,
// come back to the callback; it returns the callback's response.
func signIn(t *testing.T, f *fixture, c *apptest.Client) *apptest.Response {
	t.Helper()
	r := c.PostForm("/verify/oidc", url.Values{"next": {"/probe-act"}}).Must(t, http.StatusSeeOther)
	resp, err := c.HTTP.Get(r.Location)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(back, f.in.URL+"/verify/oidc/callback?") {
		t.Fatalf("provider answered %d, location %q", resp.StatusCode, back)
	}
	return c.Get(strings.TrimPrefix(back, f.in.URL))
}

func TestOIDCEndToEnd(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	p := newTestProvider(t)
	f.in.App.Verify.Register(&verify.OIDC{Issuer: p.URL, ClientID: p.clientID, ClientSecret: p.secret})
	f.enable(t, "oidc", "")
	p.Subject = "user-4711"

	ann, c := f.participant(t, "ann@example.org")
	c.Get("/verify").Must(t, http.StatusOK).Contains(t, "Identity provider", "Continue with the identity provider")
	signIn(t, f, c).Must(t, http.StatusSeeOther)
	if !f.in.App.Verify.Has(ctx, ann.ID, "oidc") {
		t.Fatal("not verified after signing in at the provider")
	}
	// The same identity cannot verify a second account.
	bob, cb := f.participant(t, "bob@example.org")
	signIn(t, f, cb).Must(t, http.StatusConflict).Contains(t, "already verified another account")
	// A token for another client is refused.
	p.Subject = "user-9"
	p.WrongAudience = true
	signIn(t, f, cb).Must(t, http.StatusUnprocessableEntity).Contains(t, "did not confirm your identity")
	p.WrongAudience = false
	// A callback with a forged state is refused.
	r := cb.PostForm("/verify/oidc", nil).Must(t, http.StatusSeeOther)
	resp, err := cb.HTTP.Get(r.Location)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(resp.Header.Get("Location"))
	q := u.Query()
	q.Set("state", "forged")
	cb.Get(u.Path+"?"+q.Encode()).Must(t, http.StatusUnprocessableEntity)
	if f.in.App.Verify.Has(ctx, bob.ID, "oidc") {
		t.Fatal("verified with a refused token")
	}
	// Another identity verifies bob.
	signIn(t, f, cb).Must(t, http.StatusSeeOther)
	if !f.in.App.Verify.Has(ctx, bob.ID, "oidc") {
		t.Fatal("bob not verified with his own identity")
	}
	// Nothing from the provider is stored in clear.
	scanDB(t, f.in, "user-4711", "user-9@", "provider.example")
}
