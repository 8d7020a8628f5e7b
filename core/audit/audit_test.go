// SPDX-License-Identifier: AGPL-3.0-or-later

package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/audit"
	"github.com/polder-civic/polder/core/orgs"
	"github.com/polder-civic/polder/core/testkit"
	"github.com/polder-civic/polder/core/web"
)

func TestScrub(t *testing.T) {
	token, _ := accounts.NewSecret("pld_")
	hash, err := accounts.HashPassword("hunter2hunter2")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, in string
		secrets  []string
		keep     []string
	}{
		{"JSONPassword", `{"email":"a@b.org","password":"hunter2hunter2","new_password":"x1y2z3w4v5"}`, []string{"hunter2hunter2", "x1y2z3w4v5"}, []string{"a@b.org"}},
		{"JSONNested", `{"form":{"apiToken":"abcdefgh1234","csrf":"qwertyuiop"},"list":[{"api_key":"k-123456789"}]}`, []string{"abcdefgh1234", "qwertyuiop", "k-123456789"}, []string{"form"}},
		{"JSONTokenValue", `{"note":"created ` + token + `"}`, []string{token}, []string{"created"}},
		{"JSONHash", `{"account":"7","stored":"` + hash + `"}`, []string{hash}, []string{`"account":"7"`}},
		{"TextPair", `password=hunter2hunter2 role=moderator`, []string{"hunter2hunter2"}, []string{"role=moderator"}},
		{"TextQuoted", `secret: "a b c d e f" kept`, []string{"a b c d e f"}, []string{"kept"}},
		{"TextBearer", `Authorization: Bearer abcdefghijklmnop`, []string{"abcdefghijklmnop"}, nil},
		{"TextToken", "issued " + token + " to script", []string{token}, []string{"issued", "to script"}},
		{"DomainWordsKept", `{"session":"second","opinion":"agree","input_hash":"9f86d08"}`, nil, []string{`"session":"second"`, `"opinion":"agree"`, `"input_hash":"9f86d08"`}},
		{"PlainKept", `role moderator granted in process:12`, nil, []string{"role moderator granted in process:12"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := audit.Scrub(tc.in)
			for _, s := range tc.secrets {
				if strings.Contains(got, s) {
					t.Errorf("secret %q survives in %s", s, got)
				}
			}
			for _, k := range tc.keep {
				if !strings.Contains(got, k) {
					t.Errorf("%q lost from %s", k, got)
				}
			}
			if len(tc.secrets) > 0 && !strings.Contains(got, audit.Redacted) {
				t.Errorf("no redaction mark in %s", got)
			}
		})
	}
}

// TestRecordNeverStoresSecrets writes entries carrying secrets through
// Record and reads the table back.
func TestRecordNeverStoresSecrets(t *testing.T) {
	ctx := context.Background()
	db := testkit.OpenDB(t)
	org, err := orgs.NewService(db).Ensure(ctx, &orgs.Organisation{Host: "a.example", Name: "A", DefaultLocale: "en", Locales: "en"})
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(db)
	token, _ := accounts.NewSecret("pld_")
	log.Record(ctx, web.AuditEntry{OrganisationID: org.ID, ActorID: 1, ActorLabel: "ada", Action: "account.password_change",
		ResourceType: "account", ResourceID: "1", Details: `{"password":"hunter2hunter2","password_confirm":"hunter2hunter2"}`})
	log.Record(ctx, web.AuditEntry{OrganisationID: org.ID, ActorID: 1, ActorLabel: "ada", Action: "api_token.create",
		ResourceType: "api_token", ResourceID: "3", Details: "name=script token=" + token})
	for i := 0; i < 3; i++ {
		log.Record(ctx, web.AuditEntry{OrganisationID: org.ID, Action: fmt.Sprintf("x.%d", i), Details: strings.Repeat("é", 5000)})
	}
	var details []string
	if err := db.Table("audit_log").Order("id").Pluck("details", &details).Error; err != nil {
		t.Fatal(err)
	}
	if len(details) != 5 {
		t.Fatalf("%d entries stored, want 5 (long details must be cut, not dropped)", len(details))
	}
	for _, d := range details[:2] {
		if strings.Contains(d, "hunter2") || strings.Contains(d, token) || strings.Contains(d, "pld_") {
			t.Errorf("secret stored: %s", d)
		}
	}
	if !strings.Contains(details[1], "name=script") {
		t.Errorf("harmless detail lost: %s", details[1])
	}

	list, total, err := log.List(ctx, org.ID, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if total != 5 || len(list) != 2 || list[0].Action != "x.2" {
		t.Fatalf("List: total %d, %d entries, first %q", total, len(list), list[0].Action)
	}
	page2, _, err := log.Recent(ctx, org.ID, 2, 2)
	if err != nil || len(page2) != 2 || page2[0].Action != "x.0" {
		t.Fatalf("Recent page 2: %v %v", page2, err)
	}
	if other, n, _ := log.List(ctx, org.ID+1, 0, 10); n != 0 || len(other) != 0 {
		t.Fatal("another organisation sees the entries")
	}
}
