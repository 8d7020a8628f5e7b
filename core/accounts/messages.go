// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts

import (
	"embed"
	"io/fs"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// Messages returns the accounts pages' and errors' i18n messages.
func Messages() fs.FS {
	sub, _ := fs.Sub(messageFiles, "messages")
	return sub
}
