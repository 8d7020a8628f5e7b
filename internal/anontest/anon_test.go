// SPDX-License-Identifier: AGPL-3.0-or-later

// Package anontest tests the privacy features that need a whole instance
// with a process space (core may not import a space type): untraceable
// participation (core/blindtoken) with issuance once per account under
// concurrency, redemption once per token, the unlinkability of the
// verified account and its pseudonym in every table and in the logs, and
// pseudonyms kept to their space; bursts, the processing register, proof
// of work and the third-party scan.
package anontest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/blindtoken"
	"github.com/polder-civic/polder/core/pow"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/spaces/process"
)

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func TestIssueRedeemUnlinkable(t *testing.T) {
	logs := &syncBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}})
	fx := instancetest.NewFixture(t, in)
	ctx := context.Background()
	db := in.App.DB

	// Not offered yet: no key, and only a space admin may switch it on.
	visitor := in.Client()
	visitor.JSON(http.MethodGet, "/api/v1"+fx.URL()+"/anon/key", "", "").Must(t, http.StatusNotFound)
	admin := in.CreateAccount("admin@example.org", "correct horse battery", true)
	ac := in.Client()
	acsrf := instancetest.Session(t, in, ac, admin.ID)
	ac.PostForm(fx.URL()+"/anon/enable", url.Values{"_csrf": {acsrf}}).Must(t, http.StatusSeeOther)

	alice := in.CreateAccount("alice@example.org", "correct horse battery", false)
	c := in.Client()
	csrf := instancetest.Session(t, in, c, alice.ID)
	// A participant cannot switch it on.
	c.PostForm(fx.URL()+"/anon/enable", url.Values{"_csrf": {csrf}}).Must(t, http.StatusForbidden)
	c.Get(fx.URL()+"/anon").Must(t, http.StatusOK).Contains(t, `data-issue="/api/v1`+fx.URL()+`/anon/issue"`, `src="/static/blindtoken.js"`)

	var key struct {
		PublicKey string `json:"public_key"`
		Variant   string `json:"variant"`
	}
	r := c.JSON(http.MethodGet, "/api/v1"+fx.URL()+"/anon/key", "", "").Must(t, http.StatusOK)
	if err := json.Unmarshal([]byte(r.Body), &key); err != nil {
		t.Fatal(err)
	}
	if key.Variant != "RSABSSA-SHA384-PSS-Randomized" {
		t.Fatalf("variant %q", key.Variant)
	}
	pk, err := blindtoken.ParsePublicKey(key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}

	// 50 concurrent issuance requests of one account, each with its own
	// blinded token: exactly one is signed.
	const n = 50
	reqs := make([]*blindtoken.Request, n)
	for i := range reqs {
		if reqs[i], err = blindtoken.NewRequest(pk); err != nil {
			t.Fatal(err)
		}
	}
	statuses := make([]int, n)
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"blinded":%q}`, b64(reqs[i].Blinded))
			resp := instancetest.JSON(t, in, c, http.MethodPost, "/api/v1"+fx.URL()+"/anon/issue", csrf, "", body)
			statuses[i], bodies[i] = resp.Status, resp.Body
		}()
	}
	wg.Wait()
	won := -1
	for i, st := range statuses {
		switch st {
		case http.StatusOK:
			if won >= 0 {
				t.Fatalf("two issuances for one account: %d and %d", won, i)
			}
			won = i
		case http.StatusConflict:
		default:
			t.Fatalf("issuance %d: status %d %s", i, st, bodies[i])
		}
	}
	if won < 0 {
		t.Fatal("no issuance succeeded")
	}
	var issued int64
	db.Table("anon_issuances").Count(&issued)
	if issued != 1 {
		t.Fatalf("%d issuance rows, want 1", issued)
	}
	var bs struct {
		BlindSignature string `json:"blind_signature"`
	}
	if err := json.Unmarshal([]byte(bodies[won]), &bs); err != nil {
		t.Fatal(err)
	}
	blindSig, _ := base64.RawURLEncoding.DecodeString(bs.BlindSignature)
	req := reqs[won]
	sig, err := req.Finalize(blindSig)
	if err != nil {
		t.Fatalf("finalize: %v", err)
	}
	token := blindtoken.FormatToken(req.Message, sig)

	// A forged token and a visitor's issuance are refused.
	vcsrf := instancetest.Session(t, in, visitor, 0)
	forged := append([]byte(nil), sig...)
	forged[10] ^= 1
	visitor.PostForm(fx.URL()+"/anon/redeem", url.Values{"_csrf": {vcsrf}, "token": {blindtoken.FormatToken(req.Message, forged)}}).Must(t, http.StatusUnprocessableEntity)
	instancetest.JSON(t, in, visitor, http.MethodPost, "/api/v1"+fx.URL()+"/anon/issue", vcsrf, "", `{"blinded":"AA"}`).Must(t, http.StatusUnauthorized)

	// Redeemed in the browser that got it (the worst case for linking):
	// the verified account's session ends, a fresh one holds the pseudonym.
	var before []string
	db.Table("sessions").Pluck("token", &before)
	// With the page's proof of work solved, as static/pow.js does.
	m := regexp.MustCompile(`name="pow_challenge" value="([^"]+)"`).FindStringSubmatch(c.Get(fx.URL() + "/anon").Body)
	if m == nil {
		t.Fatal("the redemption form carries no proof-of-work challenge")
	}
	nonce, err := pow.Solve(m[1])
	if err != nil {
		t.Fatal(err)
	}
	r = c.PostForm(fx.URL()+"/anon/redeem", url.Values{"_csrf": {csrf}, "token": {token}, pow.FieldChallenge: {m[1]}, pow.FieldNonce: {nonce}}).Must(t, http.StatusSeeOther)
	page := c.Get(fx.URL()+"/anon").Must(t, http.StatusOK)
	page.Contains(t, in.App.Bundle.T("en", "anon.get.pseudonym", nil))
	var after []string
	db.Table("sessions").Pluck("token", &after)
	for _, tok := range after {
		for _, old := range before {
			if tok == old && strings.Contains(r.Header.Get("Set-Cookie"), tok) {
				t.Fatal("the redemption kept the verified account's session token")
			}
		}
	}

	// One participant per token: a replay from anywhere is refused.
	other := in.Client()
	other.PostForm(fx.URL()+"/anon/redeem", url.Values{"token": {token}}).Must(t, http.StatusUnprocessableEntity).
		Contains(t, in.App.Bundle.T("en", "anon.error.spent", nil))
	var pseudoID int64
	var redemptions int64
	db.Table("anon_redemptions").Count(&redemptions)
	db.Table("anon_redemptions").Select("account_id").Scan(&pseudoID)
	if redemptions != 1 || pseudoID == 0 {
		t.Fatalf("%d redemptions (pseudonym %d), want 1", redemptions, pseudoID)
	}
	var pseudo struct {
		Email    *string
		Nickname string
		Kind     string
	}
	db.Table("accounts").Where("id = ?", pseudoID).Select("email, nickname, kind").Scan(&pseudo)
	if pseudo.Email != nil || pseudo.Kind != blindtoken.KindPseudonym {
		t.Fatalf("pseudonym %+v", pseudo)
	}
	// A pseudonym gets no token of its own.
	instancetest.JSON(t, in, c, http.MethodPost, "/api/v1"+fx.URL()+"/anon/issue", c.CSRF(), "", `{"blinded":"AA"}`).Must(t, http.StatusForbidden)

	// Unlinkability: the values that identify each side.
	hash := blindtoken.TokenHash(req.Message)
	secretForms := []string{hex.EncodeToString(req.Message), b64(req.Message), b64(sig), hex.EncodeToString(sig),
		b64(req.Blinded), hex.EncodeToString(req.Blinded), bs.BlindSignature, hex.EncodeToString(blindSig)}
	aliceSide := []string{"alice@example.org", alice.Nickname}
	pseudoSide := []string{pseudo.Nickname, hash}
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	scanned := 0
	for _, table := range tables {
		var rows []map[string]any
		if err := db.WithContext(ctx).Table(table).Find(&rows).Error; err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		for _, row := range rows {
			scanned++
			vals := rowStrings(row)
			refA := refers(table, row, vals, alice.ID, aliceSide)
			refP := refers(table, row, vals, pseudoID, pseudoSide)
			if refA && refP {
				t.Errorf("%s row joins the account and its pseudonym: %v", table, row)
			}
			for _, v := range vals {
				for _, s := range secretForms {
					if strings.Contains(v, s) {
						t.Errorf("%s stores a token value (%s…)", table, s[:8])
					}
				}
			}
			if table == "anon_issuances" {
				for _, v := range row {
					if tm, ok := v.(time.Time); ok && !tm.UTC().Equal(blindtoken.Day(tm)) {
						t.Errorf("issuance time %v finer than the day", tm)
					}
				}
			}
			if refP && table == "accounts" {
				for k, v := range row {
					if tm, ok := v.(time.Time); ok && !tm.UTC().Equal(blindtoken.Day(tm)) {
						t.Errorf("pseudonym %s %v finer than the day", k, tm)
					}
				}
			}
		}
	}
	if scanned < 10 {
		t.Fatalf("only %d rows scanned", scanned)
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		a, p := containsAny(line, aliceSide), containsAny(line, pseudoSide)
		if a && p {
			t.Errorf("log line joins the account and its pseudonym: %s", line)
		}
		if containsAny(line, secretForms) || containsAny(line, []string{hash}) {
			t.Errorf("log line carries a token value: %s", line)
		}
	}
	if !strings.Contains(logs.String(), "/anon/redeem") {
		t.Fatal("the logs were not captured")
	}
}

// rowStrings renders every value of a row as text (bytes both as text and
// hex), so that a scan finds a value whatever its column type.
func rowStrings(row map[string]any) []string {
	var out []string
	for _, v := range row {
		switch x := v.(type) {
		case []byte:
			out = append(out, string(x), hex.EncodeToString(x))
		case nil:
		default:
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}

// refers reports whether a row concerns an account: its id in an account
// column (or as the id of the accounts row), or one of its identifying
// strings anywhere (sessions hold the account id inside encoded data, so
// the id is also looked for as a gob/JSON fragment there).
func refers(table string, row map[string]any, vals []string, id int64, strs []string) bool {
	for k, v := range row {
		isAccountCol := k == "account_id" || k == "actor_id" || k == "author_id" || (table == "accounts" && k == "id") ||
			strings.HasSuffix(k, "_account_id") || k == "v0" || k == "v1"
		if isAccountCol && fmt.Sprint(v) == fmt.Sprint(id) || isAccountCol && fmt.Sprint(v) == "account:"+fmt.Sprint(id) {
			return true
		}
	}
	return containsAny(strings.Join(vals, "\x00"), strs)
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if x != "" && strings.Contains(s, x) {
			return true
		}
	}
	return false
}
