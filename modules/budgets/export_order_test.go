// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/budgets"
	"github.com/polder-civic/polder/modules/budgets/command"
	"github.com/polder-civic/polder/modules/budgets/pabulib"
)

// TestExportVoterOrder: the .pb numbers voters in an order unrelated to
// the order of the ballots (30 ballots cast one after the other, each a
// different set of projects, so every line of the file names its
// ballot); every download is the same file, with the published SHA-256;
// and the outcome recomputed from it is the published one.
func TestExportVoterOrder(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin", true)
	b, p := e.budget(admin, `{"title":"Order","total":1000}`, 100, 120, 140, 160, 180, 200)
	path := "/budgets/" + itoa(b.ID)
	var sets [][]int64
	for i := range p {
		sets = append(sets, []int64{p[i]})
		for j := i + 1; j < len(p); j++ {
			sets = append(sets, []int64{p[i], p[j]})
		}
	}
	sets = append(sets, []int64{p[0], p[1], p[2]}, []int64{p[3], p[4], p[5]}, []int64{p[0], p[2], p[4]},
		[]int64{p[1], p[3], p[5]}, []int64{p[0], p[1], p[5]}, []int64{p[2], p[3], p[4]}, []int64{p[0], p[3], p[5]}, []int64{p[1], p[2], p[4]}, []int64{p[0], p[4], p[5]})
	ballotOf := map[string]int64{} // project set → ballot id
	for _, set := range sets {
		v := e.user("v", false)
		var key []string
		for _, id := range set {
			e.json(v, "POST", path+"/basket", `{"project_id":`+itoa(id)+`}`).Must(t, 200)
			key = append(key, itoa(id))
		}
		var bl budgets.Ballot
		if err := json.Unmarshal([]byte(e.json(v, "POST", path+"/checkout", "").Must(t, 200).Body), &bl); err != nil {
			t.Fatal(err)
		}
		ballotOf[strings.Join(key, ",")] = bl.ID
	}
	if len(ballotOf) != 30 {
		t.Fatalf("%d distinct ballots, want 30", len(ballotOf))
	}
	e.json(admin, "POST", path+"/state", `{"state":"closed"}`).Must(t, 200)
	var res budgets.Results
	if err := json.Unmarshal([]byte(e.json(admin, "POST", path+"/publish", "").Must(t, 200).Body), &res); err != nil {
		t.Fatal(err)
	}

	visitor := e.in.Client()
	data := visitor.Get(e.base+path+"/ballots.pb").Must(t, 200).Body
	if again := visitor.Get(e.base+path+"/ballots.pb").Must(t, 200).Body; again != data {
		t.Fatal("two downloads of the .pb differ")
	}
	if sum := sha256.Sum256([]byte(data)); hex.EncodeToString(sum[:]) != res.InputSHA256 {
		t.Fatalf("downloaded .pb hash %x, published %s", sum, res.InputSHA256)
	}
	in, err := pabulib.Parse([]byte(data), "ballots.pb")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Votes) != 30 {
		t.Fatalf("%d votes in the file, want 30", len(in.Votes))
	}
	var order []int64 // ballot ids in the file's voter order
	for i, v := range in.Votes {
		if v.VoterID != strconv.Itoa(i+1) {
			t.Fatalf("voter %d is numbered %q", i+1, v.VoterID)
		}
		id, ok := ballotOf[strings.Join(v.Projects, ",")]
		if !ok {
			t.Fatalf("voter %s's projects %v match no ballot", v.VoterID, v.Projects)
		}
		order = append(order, id)
	}
	if slices.IsSorted(order) {
		t.Fatalf("voters are numbered in ballot order: %v", order)
	}
	sorted := slices.Clone(order)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != 30 {
		t.Fatalf("the file's voters are not the 30 ballots: %v", order)
	}

	file := filepath.Join(t.TempDir(), "b.pb")
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"mes", "greedy"} {
		var out bytes.Buffer
		if err := command.Run(context.Background(), []string{"outcome", file, "--rule", rule, "--completion", b.Completion, "--json"}, &out); err != nil {
			t.Fatal(err)
		}
		var rep struct{ Funded []string }
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		want := res.MES.Funded
		if rule == "greedy" {
			want = res.Greedy.Funded
		}
		if len(want) == 0 || !slices.Equal(rep.Funded, want) {
			t.Errorf("%s: recomputed %v, published %v", rule, rep.Funded, want)
		}
	}
}
