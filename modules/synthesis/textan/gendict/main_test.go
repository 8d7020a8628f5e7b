// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	const sample = `00-database-info
This is the French-English FreeDict Dictionary
    Published at: http://freedict.org/
abaisser /abese/ <v>
1. to lower
2. to reduce (a price), the cost
Achille /aʃi/ <n>
Achilles
acheter /aʃte/
to buy; purchase
to buy
pomme de terre /pɔmdətɛʀ/ <n>
potato
vélo /velo/ <n, masc>
bike, cycle, push bike
`
	table, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := write(&out, table); err != nil {
		t.Fatal(err)
	}
	// Lower-cased headwords; "to", articles and asides dropped; phrases
	// (as headword or translation) left out; repeats once; sorted.
	want := "abaisser\tlower|reduce|cost\nacheter\tbuy|purchase\nachille\tachilles\nvélo\tbike|cycle\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestTablesMatchDebian regenerates the embedded tables from Debian's
// dict-freedict packages, which .ci/run installs, so that a table edited
// by hand or a changed parser shows.
func TestTablesMatchDebian(t *testing.T) {
	for _, name := range []string{"fra-eng", "nld-eng"} {
		src := "/usr/share/dictd/freedict-" + name + ".dict.dz"
		if _, err := os.Stat(src); err != nil {
			if os.Getenv("POLDER_REQUIRE_FREEDICT") != "" {
				t.Fatalf("%s: %v (apt-get install dict-freedict-%s)", src, err, name)
			}
			t.Skipf("%s not installed (apt-get install dict-freedict-%s)", src, name)
		}
		dst := filepath.Join(t.TempDir(), name+".tsv")
		if err := run(src, dst); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "dictionaries", name+".tsv"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("dictionaries/%s.tsv differs from what gendict makes of %s: regenerate it (dictionaries/README.md)", name, src)
		}
	}
}
