// SPDX-License-Identifier: AGPL-3.0-or-later

// Package theme embeds Polder's default theme: semantic, accessible HTML
// templates (WCAG 2.1 AA; every action works without JavaScript), one CSS
// file, and the theme's own messages. Organisations may override it.
package theme

import (
	"embed"
	"io/fs"
)

//go:embed templates static
var files embed.FS

//go:embed messages/*.yaml
var messages embed.FS

// FS returns the theme's templates/ and static/ folders.
func FS() fs.FS { return files }

// Messages returns the theme's i18n messages.
func Messages() fs.FS {
	sub, _ := fs.Sub(messages, "messages")
	return sub
}
