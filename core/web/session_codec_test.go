// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// TestSessionCodecCache: a cached decode gives what gob gives, and a
// caller changing its map (as scs does on Put) does not change what the
// next decode of the same bytes returns.
func TestSessionCodecCache(t *testing.T) {
	deadline := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	b, err := scs.GobCodec{}.Encode(deadline, map[string]any{"csrf": "tok", "account": int64(7)})
	if err != nil {
		t.Fatal(err)
	}
	c := newSessionCodec()
	for i := range 3 {
		d, v, err := c.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Equal(deadline) || v["csrf"] != "tok" || v["account"] != int64(7) || len(v) != 2 {
			t.Fatalf("decode %d: %v %v", i, d, v)
		}
		v["csrf"], v["flash"] = "changed", "x"
	}
	if len(c.cache) != 1 {
		t.Errorf("%d cached sessions, want 1", len(c.cache))
	}
	if _, _, err := c.Decode([]byte("not gob")); err == nil {
		t.Error("decoding garbage succeeded")
	}
}
