// SPDX-License-Identifier: AGPL-3.0-or-later

package registry

import (
	"strings"
	"testing"
)

func TestAuthorKey(t *testing.T) {
	a := AuthorKey("account", 42)
	if a != AuthorKey("account", 42) {
		t.Error("the key of one author changes within the process")
	}
	if a == AuthorKey("account", 43) || a == AuthorKey("opinionmap-participant", 42) {
		t.Error("two authors share a key")
	}
	if len(a) != 24 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("key %q: want 24 hex digits", a)
	}
}
