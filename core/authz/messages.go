// SPDX-License-Identifier: AGPL-3.0-or-later

package authz

import (
	"embed"
	"io/fs"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// Messages returns the i18n messages of roles, permissions, the role and
// permission admin pages and the audit log page.
func Messages() fs.FS {
	sub, _ := fs.Sub(messageFiles, "messages")
	return sub
}
