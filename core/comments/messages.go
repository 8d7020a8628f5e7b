// SPDX-License-Identifier: AGPL-3.0-or-later

package comments

import (
	"embed"
	"io/fs"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// Messages returns the comment service's i18n messages.
func Messages() fs.FS {
	sub, _ := fs.Sub(messageFiles, "messages")
	return sub
}
