// SPDX-License-Identifier: AGPL-3.0-or-later

package pooldata_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/sortition/pooldata"
)

// FuzzReadPool feeds the quota table and the respondents file (what an
// admin uploads for a draw) arbitrary bytes, seeded with the shared
// pools in both formats and a share-format quota table; size is the panel
// size share rows are converted for (0: unknown). Reading must not panic,
// and a pool that reads must be valid: every respondent has one known value
// per category, and every quota satisfies 0 ≤ min ≤ max.
func FuzzReadPool(f *testing.F) {
	for _, p := range [][3]string{
		{"citizensassemblies-replication/example_small_20", "categories.csv", "respondents.csv"},
		{"citizensassemblies-replication/example_large_200", "categories.csv", "respondents.csv"},
		{"sortition-algorithms-fixtures", "features.csv", "candidates.csv"},
		{"synthetic_600_60", "categories.csv", "respondents.csv"},
	} {
		dir := realdata.SharedData(f, "sortition", filepath.FromSlash(p[0]))
		cats, err := os.ReadFile(filepath.Join(dir, p[1]))
		if err != nil {
			f.Fatal(err)
		}
		resp, err := os.ReadFile(filepath.Join(dir, p[2]))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(cats, realdata.Head(resp, 3000), false, uint16(20))
		f.Add(cats, realdata.Head(resp, 3000), true, uint16(0))
		if p[0] == "citizensassemblies-replication/example_small_20" {
			// The same pool with the quotas given as target shares.
			shares := []byte("category,feature,share,tolerance\ngender,female,50%,1\ngender,male,0.5,1\nleaning,liberal,45%,2\nleaning,conservative,0.55,2\n")
			f.Add(shares, realdata.Head(resp, 3000), false, uint16(20))
		}
	}
	f.Fuzz(func(t *testing.T, categories, respondents []byte, households bool, size uint16) {
		cats, err := pooldata.ReadCategoriesForSize(bytes.NewReader(categories), "categories.csv", int(size))
		if err != nil {
			return
		}
		opt := pooldata.RespondentOptions{}
		if households {
			// The Sortition Foundation's address columns.
			opt.HouseholdColumns = []string{"primary_address1", "primary_zip"}
		}
		pool, err := pooldata.ReadRespondents(bytes.NewReader(respondents), "respondents.csv", cats, opt)
		if err != nil {
			return
		}
		if err := pool.Validate(); err != nil {
			t.Fatalf("a pool that reads is invalid: %v", err)
		}
	})
}
