// SPDX-License-Identifier: AGPL-3.0-or-later

package retention

import (
	"embed"
	"io/fs"

	"github.com/polder-civic/polder/core/registry"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// Messages returns the register's and retention's i18n messages.
func Messages() fs.FS {
	sub, _ := fs.Sub(messageFiles, "messages")
	return sub
}

// CoreProcessing is what core itself processes, for the register of
// processing activities (docs/privacy.md lists the tables).
func CoreProcessing() []registry.Processing {
	return []registry.Processing{
		{Name: "privacy.core.accounts", Purpose: "privacy.core.accounts.purpose", Data: []string{"privacy.data.email", "privacy.data.name", "privacy.data.password_hash", "privacy.data.locale", "privacy.data.totp"},
			Subjects: "privacy.subjects.participants", Retention: "privacy.retention.until_erasure", LegalBasis: "privacy.basis.public_task"},
		{Name: "privacy.core.sessions", Purpose: "privacy.core.sessions.purpose", Data: []string{"privacy.data.session"},
			Subjects: "privacy.subjects.participants", Retention: "privacy.retention.sessions", LegalBasis: "privacy.basis.public_task"},
		{Name: "privacy.core.limits", Purpose: "privacy.core.limits.purpose", Data: []string{"privacy.data.ip_hash"},
			Subjects: "privacy.subjects.visitors", Retention: "privacy.retention.day", LegalBasis: "privacy.basis.legitimate"},
		{Name: "privacy.core.audit", Purpose: "privacy.core.audit.purpose", Data: []string{"privacy.data.account_id", "privacy.data.action"},
			Subjects: "privacy.subjects.admins", Retention: "privacy.retention.kept", LegalBasis: "privacy.basis.legal"},
		{Name: "privacy.core.anon", Purpose: "privacy.core.anon.purpose", Data: []string{"privacy.data.issuance", "privacy.data.token_hash"},
			Subjects: "privacy.subjects.participants", Retention: "privacy.retention.policy", LegalBasis: "privacy.basis.public_task"},
	}
}
