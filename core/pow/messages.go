// SPDX-License-Identifier: AGPL-3.0-or-later

package pow

import (
	"embed"
	"io/fs"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// Messages returns the proof-of-work messages.
func Messages() fs.FS {
	sub, _ := fs.Sub(messageFiles, "messages")
	return sub
}
