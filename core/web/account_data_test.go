// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/registry"
)

// gdprProbe is a module that keeps a note per account, to check that
// export and erasure reach modules through core/registry's interfaces.
type gdprProbe struct {
	mu         sync.Mutex
	anonymised []int64
}

func (*gdprProbe) Manifest() registry.Manifest {
	return registry.Manifest{ID: "gdprprobe", Version: "1.0.0"}
}

func (*gdprProbe) PersonalData(_ context.Context, accountID int64) (any, error) {
	return map[string]any{"notes": []string{"note of account " + itoa(accountID)}}, nil
}

func (p *gdprProbe) Anonymise(_ context.Context, accountID int64) error {
	p.mu.Lock()
	p.anonymised = append(p.anonymised, accountID)
	p.mu.Unlock()
	return nil
}

var (
	_ registry.PersonalDataProvider = (*gdprProbe)(nil)
	_ registry.Eraser               = (*gdprProbe)(nil)
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestAccountExportAndDelete(t *testing.T) {
	probe := &gdprProbe{}
	in, _ := accountInstance(t, app.Options{Modules: []registry.Module{probe}})
	// A core service registers itself the same way a module is found.
	coreProbe := &gdprProbe{}
	in.App.Accounts.AddHolder("core_probe", coreProbe)
	const email, pw = "lou@example.org", "correct horse battery"
	acc := in.CreateAccount(email, pw, false)
	if _, _, err := in.App.Accounts.CreateAPIToken(t.Context(), acc.ID, "my script"); err != nil {
		t.Fatal(err)
	}
	if err := in.App.DB.Exec("INSERT INTO notifications (account_id, kind, message, link, created_at) VALUES (?, 'answer', 'Your proposal was answered', '/p/1', ?)", acc.ID, time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	c := in.Client()
	login(t, c, email, pw).Must(t, http.StatusSeeOther)
	other := in.Client()
	login(t, other, email, pw).Must(t, http.StatusSeeOther)

	c.Get("/account").Must(t, http.StatusOK).Contains(t, `href="/account/data"`, `href="/account/delete"`, `href="/account/tokens"`)

	t.Run("Export", func(t *testing.T) {
		r := c.Get("/account/data").Must(t, http.StatusOK)
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Errorf("Content-Disposition %q, want an attachment", cd)
		}
		var data accounts.PersonalData
		if err := json.Unmarshal([]byte(r.Body), &data); err != nil {
			t.Fatalf("export is not JSON: %v", err)
		}
		if data.Account.ID != acc.ID || data.Account.Email == nil || *data.Account.Email != email || data.Account.Nickname != acc.Nickname {
			t.Errorf("export account = %+v", data.Account)
		}
		if len(data.APITokens) != 1 || data.APITokens[0].Name != "my script" {
			t.Errorf("export tokens = %+v", data.APITokens)
		}
		if len(data.Notifications) != 1 || data.Notifications[0].Message != "Your proposal was answered" || data.Notifications[0].CreatedAt.IsZero() {
			t.Errorf("export notifications = %+v", data.Notifications)
		}
		if len(data.Activity) == 0 || data.Activity[0].Action != "account.login" {
			t.Errorf("export activity = %+v, want the logins", data.Activity)
		}
		if _, ok := data.Modules["core_probe"]; !ok {
			t.Errorf("export lacks the core service's data: %v", data.Modules)
		}
		if got := jsonString(data.Modules["gdprprobe"]); !strings.Contains(got, "note of account "+itoa(acc.ID)) {
			t.Errorf("module data = %s", got)
		}
		stored := mustAccount(t, in, email)
		var hash string
		in.App.DB.Table("api_tokens").Select("token_hash").Where("account_id = ?", acc.ID).Scan(&hash)
		for _, secret := range []string{"argon2id", stored.PasswordHash, "password", hash} {
			if strings.Contains(r.Body, secret) {
				t.Errorf("export contains %q", secret)
			}
		}
	})

	t.Run("WrongPasswordChangesNothing", func(t *testing.T) {
		c.Get("/account/delete").Must(t, http.StatusOK).Contains(t, `autocomplete="current-password"`)
		post(t, c, "/account/delete", "/account/delete", url.Values{"password": {"not my password"}}).
			Must(t, http.StatusUnprocessableEntity).Contains(t, "This password is not correct.")
		if a := mustAccount(t, in, email); a.AnonymisedAt != nil {
			t.Fatal("account anonymised with a wrong password")
		}
		if len(probe.anonymised) != 0 {
			t.Fatal("module asked to anonymise with a wrong password")
		}
	})

	r := post(t, c, "/account/delete", "/account/delete", url.Values{"password": {pw}})
	if r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("delete: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	c.Get("/").Must(t, http.StatusOK).Contains(t, "Your account has been deleted.")

	var row struct {
		Email        *string
		Name         string
		Nickname     string
		PasswordHash string
		AnonymisedAt *string
	}
	if err := in.App.DB.Table("accounts").Select("email, name, nickname, password_hash, CAST(anonymised_at AS VARCHAR(40)) AS anonymised_at").Where("id = ?", acc.ID).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	neutral := accounts.DeletedName(acc.ID)
	if row.Email != nil || row.Name != neutral || row.Nickname != neutral || row.PasswordHash != "" || row.AnonymisedAt == nil {
		t.Errorf("after deletion: email %v name %q nickname %q hash %q anonymised %v", row.Email, row.Name, row.Nickname, row.PasswordHash, row.AnonymisedAt)
	}
	for _, table := range []string{"api_tokens", "account_tokens", "notifications"} {
		if n := count(t, in, table, "account_id = ?", acc.ID); n != 0 {
			t.Errorf("%s: %d rows left", table, n)
		}
	}
	if len(coreProbe.anonymised) != 1 {
		t.Errorf("core service anonymised %v", coreProbe.anonymised)
	}
	if len(probe.anonymised) != 1 || probe.anonymised[0] != acc.ID {
		t.Errorf("module anonymised %v, want [%d]", probe.anonymised, acc.ID)
	}
	if r := other.Get("/account"); r.Status != http.StatusSeeOther {
		t.Errorf("the other session still opens /account (%d)", r.Status)
	}
	login(t, in.Client(), email, pw).Must(t, http.StatusUnauthorized)
	// The address is free again: the old account no longer holds it.
	if _, err := in.App.Accounts.Register(t.Context(), in.Org.ID, accounts.Registration{Email: email, Name: "Lou again", Nickname: "lou_again", Password: pw}); err != nil {
		t.Errorf("registering the address again: %v", err)
	}
	if n := count(t, in, "audit_log", "action = 'account.erase' AND actor_id = ?", acc.ID); n != 1 {
		t.Errorf("%d erase audit entries, want 1", n)
	}
	if n := count(t, in, "audit_log", "details LIKE ? OR details LIKE ?", "%"+pw+"%", "%argon2%"); n != 0 {
		t.Error("the audit log holds a password or hash")
	}
}
