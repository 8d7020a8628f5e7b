// SPDX-License-Identifier: AGPL-3.0-or-later

package registry

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// authorKeySalt is drawn at start: author keys are stable within one
// process (one synthesis build counts with them) and can neither be
// reversed to an account nor linked across restarts.
var authorKeySalt = func() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("registry: no randomness for author keys: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return b
}()

// AuthorKey is the Contribution.AuthorKey of an author: kind says what
// id numbers ("account" for an account, or a module's own participant
// kind, e.g. "opinionmap-participant" for an anonymous participant), so
// that two kinds never collide.
func AuthorKey(kind string, id int64) string {
	m := hmac.New(sha256.New, authorKeySalt)
	m.Write([]byte(kind + ":" + strconv.FormatInt(id, 10)))
	return hex.EncodeToString(m.Sum(nil)[:12])
}
