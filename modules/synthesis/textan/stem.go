// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import (
	snowballstem "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
)

// Stem returns the Snowball stem of a folded word in lang; words of Other
// are returned unchanged.
func Stem(lang Lang, folded string) string {
	switch lang {
	case English:
		return english.Stem(folded, true)
	case French:
		return french.Stem(folded, true)
	case Dutch:
		env := snowballstem.NewEnv(folded)
		dutch.Stem(env)
		return env.Current()
	}
	return folded
}
