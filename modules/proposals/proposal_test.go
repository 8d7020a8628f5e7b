// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"testing"
)

// The expected digests were computed outside Go (Python's json.dumps with
// ensure_ascii=False and compact separators, then hashlib.sha256), so the
// test checks the documented serialisation, not our own encoder.
func TestFingerprint(t *testing.T) {
	cases := []struct {
		name, title, body, canonical, digest string
	}{
		{"HTMLNotEscaped", "Trams <b>&</b> \"bus\"", "Ligne 1 → café\nsecond line\t!",
			`{"body":"Ligne 1 → café\nsecond line\t!","title":"Trams <b>&</b> \"bus\""}`,
			"80e967a14205d5015fa4774641fcab98ed5c21a23ea6eacc35da601b066bcf26"},
		{"Empty", "", "", `{"body":"","title":""}`, "b534f10aad8c935f3ee750d6051594fcb1e2ea42adb3c5cacf85e47ea1841e8d"},
		{"UnicodeAndBackslash", "Ünïcödé 😀", `a\b/c`, `{"body":"a\\b/c","title":"Ünïcödé 😀"}`,
			"9b92ecb65c415627efdadaa9163fae24c503153031f4a210d71c1a5e208ec06b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(CanonicalContent(c.title, c.body)); got != c.canonical {
				t.Fatalf("canonical form %s, want %s", got, c.canonical)
			}
			if got := Fingerprint(c.title, c.body); got != c.digest {
				t.Fatalf("fingerprint %s, want %s", got, c.digest)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	p := &Proposal{ID: 7, Title: "Title", Body: "Body text"}
	p.Fingerprint = Fingerprint(p.Title, p.Body)
	if v := Verify(p, ""); !v.Match {
		t.Fatal("untouched proposal does not match")
	}
	if v := Verify(p, "00"); v.Match {
		t.Fatal("a wrong given fingerprint matches")
	}
	p.Body += "."
	if v := Verify(p, ""); v.Match || v.Computed == v.Stored {
		t.Fatal("altered proposal matches")
	}
}

func TestDraftValidate(t *testing.T) {
	s := SettingsFrom(settingsSchema.Defaults())
	cases := []struct {
		name  string
		d     Draft
		field string
	}{
		{"EmptyTitle", Draft{Title: "  ", Body: "A long enough body text."}, "title"},
		{"ShortTitle", Draft{Title: "abc", Body: "A long enough body text."}, "title"},
		{"LongTitle", Draft{Title: string(make([]rune, 151)), Body: "A long enough body text."}, "title"},
		{"EmptyBody", Draft{Title: "A fine title", Body: ""}, "body"},
		{"LongBody", Draft{Title: "A fine title", Body: string(make([]byte, 5001))}, "body"},
		{"InvalidUTF8", Draft{Title: "A fine title", Body: "A long enough body \xff text."}, "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := c.d
			if c.name != "LongTitle" && c.name != "LongBody" {
				d = d.normalise()
			}
			err := d.Validate(s)
			if err == nil {
				t.Fatalf("no error for %q", c.name)
			}
			if !contains(err, c.field) {
				t.Fatalf("error %v does not name field %s", err, c.field)
			}
		})
	}
	if err := (Draft{Title: "A fine title", Body: "<script>alert(1)</script> is text"}).normalise().Validate(s); err != nil {
		t.Fatalf("markup refused: %v", err)
	}
}
