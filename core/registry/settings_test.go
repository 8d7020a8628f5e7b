// SPDX-License-Identifier: AGPL-3.0-or-later

package registry_test

import (
	"testing"

	"github.com/polder-civic/polder/core/registry"
)

var schema = registry.Schema{
	{Key: "open", Type: registry.Bool, Default: true},
	{Key: "quota", Type: registry.Int, Default: 1, Min: registry.IntPtr(0), Max: registry.IntPtr(18)},
	{Key: "mode", Type: registry.Enum, Default: "post", Options: []string{"pre", "post"}},
	{Key: "intro", Type: registry.Text, Default: "", Max: registry.IntPtr(10)},
}

type testModule struct{ m registry.Manifest }

func (t testModule) Manifest() registry.Manifest { return t.m }

func TestParse(t *testing.T) {
	cases := []struct {
		name   string
		form   map[string]string
		errKey string
		want   registry.Values
	}{
		{"Valid", map[string]string{"open": "on", "quota": "3", "mode": "pre", "intro": "hi"}, "", registry.Values{"open": true, "quota": 3, "mode": "pre", "intro": "hi"}},
		{"UncheckedBoolIsFalse", map[string]string{"quota": "0", "mode": "post"}, "", registry.Values{"open": false, "quota": 0, "mode": "post", "intro": ""}},
		{"MissingKeepsDefault", map[string]string{}, "", registry.Values{"open": false, "quota": 1, "mode": "post", "intro": ""}},
		{"ErrNotInt", map[string]string{"quota": "two"}, "quota", nil},
		{"ErrAboveMax", map[string]string{"quota": "19"}, "quota", nil},
		{"ErrBelowMin", map[string]string{"quota": "-1"}, "quota", nil},
		{"ErrEnum", map[string]string{"mode": "maybe"}, "mode", nil},
		{"ErrTooLong", map[string]string{"intro": "far too long text"}, "intro", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, errs := schema.Parse(c.form)
			if c.errKey != "" {
				if _, ok := errs[c.errKey]; !ok || v != nil {
					t.Fatalf("want an error on %s and no values, got values %v errors %v", c.errKey, v, errs)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("unexpected errors %v", errs)
			}
			for k, w := range c.want {
				if v[k] != w {
					t.Errorf("%s = %v, want %v", k, v[k], w)
				}
			}
		})
	}
}

func TestDecodeFillsDefaultsAndDropsInvalid(t *testing.T) {
	v := schema.Decode(`{"quota": 5, "mode": "bogus", "removed": 1}`)
	if v.Int("quota") != 5 || v.String("mode") != "post" || !v.Bool("open") {
		t.Fatalf("decoded %v", v)
	}
	if _, ok := v["removed"]; ok {
		t.Error("a setting the schema no longer has was kept")
	}
	if got := schema.Decode("not json"); got.Int("quota") != 1 {
		t.Errorf("corrupt JSON did not fall back to defaults: %v", got)
	}
	round := schema.Decode(v.Encode())
	for k := range v {
		if round[k] != v[k] {
			t.Errorf("round trip changed %s: %v → %v", k, v[k], round[k])
		}
	}
}

func TestRegistryRefusesBrokenModules(t *testing.T) {
	ok := registry.Manifest{ID: "good", Version: "1"}
	cases := map[string][]registry.Module{
		"EmptyID":         {testModule{registry.Manifest{Version: "1"}}},
		"BadID":           {testModule{registry.Manifest{ID: "Bad-ID", Version: "1"}}},
		"Duplicate":       {testModule{ok}, testModule{ok}},
		"NoVersion":       {testModule{registry.Manifest{ID: "nover"}}},
		"BadDefault":      {testModule{registry.Manifest{ID: "bad", Version: "1", Settings: registry.Schema{{Key: "n", Type: registry.Int, Default: "x"}}}}},
		"DuplicateKey":    {testModule{registry.Manifest{ID: "dup", Version: "1", Settings: registry.Schema{{Key: "n", Type: registry.Bool, Default: false}, {Key: "n", Type: registry.Bool, Default: false}}}}},
		"EnumNoOptions":   {testModule{registry.Manifest{ID: "enum", Version: "1", Settings: registry.Schema{{Key: "e", Type: registry.Enum, Default: ""}}}}},
		"DuplicateAction": {testModule{registry.Manifest{ID: "act", Version: "1", Actions: []registry.Action{{Name: "vote"}, {Name: "vote"}}}}},
	}
	for name, mods := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := registry.New(mods...); err == nil {
				t.Fatal("registry accepted a broken module")
			}
		})
	}
	r, err := registry.New(testModule{ok})
	if err != nil {
		t.Fatal(err)
	}
	if _, found := r.Manifest("good"); !found {
		t.Fatal("registered module not found")
	}
}
