// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"embed"
	"io/fs"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// Messages returns core/web's i18n messages (errors, settings validation).
func Messages() fs.FS {
	sub, _ := fs.Sub(messageFiles, "messages")
	return sub
}
