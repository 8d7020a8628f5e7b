// SPDX-License-Identifier: AGPL-3.0-or-later

package registry_test

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/polder-civic/polder/core/registry"
)

// fuzzSchema has one setting of each type, bounded where types allow.
var fuzzSchema = registry.Schema{
	{Key: "open", Type: registry.Bool, Default: true},
	{Key: "quota", Type: registry.Int, Default: 3, Min: registry.IntPtr(0), Max: registry.IntPtr(1000)},
	{Key: "offset", Type: registry.Int, Default: -2},
	{Key: "label", Type: registry.String, Default: "Proposals", Min: registry.IntPtr(1), Max: registry.IntPtr(40)},
	{Key: "intro", Type: registry.Text, Default: "", Max: registry.IntPtr(2000)},
	{Key: "order", Type: registry.Enum, Default: "recent", Options: []string{"recent", "supported", "random"}},
}

// valid reports whether v holds every key with a value its setting
// accepts, unchanged.
func valid(t *testing.T, s registry.Schema, v registry.Values) {
	t.Helper()
	if len(v) != len(s) {
		t.Fatalf("values %v: %d keys, schema has %d", v, len(v), len(s))
	}
	// What was accepted must come back unchanged through storage.
	if again := s.Decode(v.Encode()); !reflect.DeepEqual(again, v) {
		t.Fatalf("stored %v, read back %v", v, again)
	}
}

// FuzzSettingsDecode feeds stored settings JSON arbitrary bytes, seeded
// with stored forms of the defaults and of edge values. Decode must not
// panic, and always return every key with a valid value.
func FuzzSettingsDecode(f *testing.F) {
	f.Add(fuzzSchema.Defaults().Encode())
	f.Add(`{"open":false,"quota":1000,"offset":-9007199254740993,"label":" x ","intro":"a\u0000b","order":"random"}`)
	f.Add(`{"quota":1e300,"offset":2.5,"label":42,"order":null}`)
	f.Add(`[1,2]`)
	f.Fuzz(func(t *testing.T, raw string) {
		valid(t, fuzzSchema, fuzzSchema.Decode(raw))
	})
}

// FuzzSettingsForm feeds the settings form arbitrary strings per field
// (absent fields keep their default). Parse must not panic; what it
// accepts is valid and survives storage; what it refuses names only
// fields of the schema.
func FuzzSettingsForm(f *testing.F) {
	f.Add("on", "12", "-3", "Ideas", "Tell us.", "supported", uint8(0xff))
	f.Add("", " 1000 ", "x", "", "", "Recent", uint8(0x3f))
	f.Add("true", "1001", "9223372036854775808", "  ", "\xff", "random", uint8(0x01))
	f.Fuzz(func(t *testing.T, open, quota, offset, label, intro, order string, present uint8) {
		form := map[string]string{}
		for i, kv := range [][2]string{{"open", open}, {"quota", quota}, {"offset", offset}, {"label", label}, {"intro", intro}, {"order", order}} {
			if present&(1<<i) != 0 {
				form[kv[0]] = kv[1]
			}
		}
		v, errs := fuzzSchema.Parse(form)
		if len(errs) > 0 {
			if v != nil {
				t.Fatal("refused input came with values")
			}
			for k, e := range errs {
				if _, ok := form[k]; !ok || e.MessageID == "" {
					t.Fatalf("error %v on field %q that was not posted", e, k)
				}
			}
			return
		}
		for _, s := range form {
			// JSON storage cannot hold invalid UTF-8: such text is not
			// expected to round-trip byte for byte.
			if !utf8.ValidString(s) {
				return
			}
		}
		valid(t, fuzzSchema, v)
	})
}
