// SPDX-License-Identifier: AGPL-3.0-or-later

package verify

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
)

// EmailDomain verifies accounts whose confirmed e-mail address is in one
// of the domains the admin allows (its configuration: the domains,
// separated by spaces, commas or lines).
type EmailDomain struct{}

// Kind implements Method.
func (EmailDomain) Kind() string { return "email_domain" }

// Records implements Method.
func (EmailDomain) Records() string { return "verify.email_domain.records" }

// Fields implements Method: the address is the account's own.
func (EmailDomain) Fields() []Field { return nil }

// Domains splits a configuration into lower-case domains.
func Domains(config string) []string {
	var out []string
	for _, d := range strings.FieldsFunc(strings.ToLower(config), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == ';' }) {
		out = append(out, strings.TrimPrefix(d, "@"))
	}
	return out
}

// CheckConfig refuses configurations that are not domain names.
func (EmailDomain) CheckConfig(config string) error {
	for _, d := range Domains(config) {
		if !strings.Contains(d, ".") || strings.ContainsAny(d, "@/:") || len(d) > 253 {
			return perr.Invalid("verify.email_domain.error.config", map[string]any{"Domain": d})
		}
	}
	return nil
}

// Verify implements Method.
func (EmailDomain) Verify(ctx context.Context, tx *gorm.DB, a Attempt) (Proof, error) {
	if a.Account.Email == nil || !a.Account.Confirmed() {
		return Proof{}, perr.Invalid("verify.email_domain.error.unconfirmed", nil)
	}
	email := strings.ToLower(*a.Account.Email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return Proof{}, perr.Invalid("verify.email_domain.error.domain", nil)
	}
	domain := email[at+1:]
	for _, d := range Domains(a.Config.Config) {
		if domain == d {
			return Proof{}, nil
		}
	}
	return Proof{}, perr.Invalid("verify.email_domain.error.domain", nil)
}
