// SPDX-License-Identifier: AGPL-3.0-or-later

package verify

import (
	"embed"
	"io/fs"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// Messages returns the i18n messages of the verification pages.
func Messages() fs.FS {
	sub, _ := fs.Sub(messageFiles, "messages")
	return sub
}
