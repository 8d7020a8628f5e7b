// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/opinionmap/command"
	"github.com/polder-civic/polder/modules/opinionmap/polisdata"
)

type voteKey struct{ voter, comment int64 }

func latest(e *polisdata.Export, known map[int64]bool) map[voteKey]int {
	out := map[voteKey]int{}
	for _, v := range e.LatestVotes() {
		if known[v.CommentID] {
			out[voteKey{v.VoterID, v.CommentID}] = v.Vote
		}
	}
	return out
}

// TestImportExportRoundTrip imports a real Pol.is conversation with the
// command, checks what the pages show, and exports it back over HTTP and
// with the command: the same comments and the same latest votes.
func TestImportExportRoundTrip(t *testing.T) {
	dir := realdata.SharedData(t, "polis", "london.youth.policing")
	orig, err := polisdata.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	ctx := context.Background()
	var out bytes.Buffer
	args := []string{"import", dir, "--database", e.in.App.DB.URL, "--component", itoa(e.comp.ID)}
	if err := command.Run(ctx, args, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "took ") {
		t.Errorf("import does not print the time taken:\n%s", out.String())
	}
	known := map[int64]bool{}
	for _, c := range orig.Comments {
		known[c.ID] = true
	}
	want := latest(orig, known)
	if got := e.countVotes(0); got != int64(len(want)) {
		t.Fatalf("%d votes imported, want %d", got, len(want))
	}
	// Importing again into the same conversation is refused.
	if err := command.Run(ctx, args, &out); err == nil {
		t.Fatal("a second import into a non-empty conversation succeeded")
	}

	// The import computed the map: the report shows groups with their
	// representative statements, and the map page draws them.
	res, err := e.svc().Results(ctx, e.comp.ID)
	if err != nil || res == nil {
		t.Fatalf("no results after import: %v", err)
	}
	if len(res.Result.Groups) < 2 {
		t.Fatalf("%d groups on london.youth.policing, want at least 2", len(res.Result.Groups))
	}
	c := e.in.Client()
	rep := c.Get(e.base+"/report").Must(t, 200).Contains(t, "Group A:", "Group B:", "What unites the groups", "Participation over time")
	for _, g := range res.Result.Groups {
		for _, r := range g.Representative {
			st, err := e.svc().Statement(ctx, e.comp.ID, r.StatementID)
			if err != nil {
				t.Fatal(err)
			}
			rep.Contains(t, templateEscape(st.Body))
		}
	}
	c.Get(e.base+"/map").Must(t, 200).Contains(t, "<svg", "<circle", "Opinion groups")
	c.Get(e.base+"/map?statements=1").Must(t, 200).Contains(t, `class="om-st"`)
	var api struct {
		Groups []struct {
			Size int
		}
		Freshness struct{ VotesCount int64 } `json:"freshness"`
	}
	decode(t, c.JSON("GET", "/api/v1"+e.base+"/results", "", "").Must(t, 200).Body, &api)
	if len(api.Groups) != len(res.Result.Groups) || api.Freshness.VotesCount != int64(len(want)) {
		t.Fatalf("results API: %+v", api)
	}

	// Export over HTTP, read back with the Pol.is reader.
	tmp := t.TempDir()
	for _, f := range []string{"comments.csv", "votes.csv", "participants-votes.csv"} {
		r := c.Get(e.base+"/export/"+f).Must(t, 200)
		if err := os.WriteFile(filepath.Join(tmp, f), []byte(r.Body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(where string) {
		back, err := polisdata.ReadDir(where)
		if err != nil {
			t.Fatalf("reading export: %v", err)
		}
		if len(back.Comments) != len(orig.Comments) {
			t.Fatalf("%d comments exported, want %d", len(back.Comments), len(orig.Comments))
		}
		byID := map[int64]polisdata.Comment{}
		for _, cm := range back.Comments {
			byID[cm.ID] = cm
		}
		for _, cm := range orig.Comments {
			b, ok := byID[cm.ID]
			if !ok || b.Body != cm.Body || b.Moderated != cm.Moderated || b.AuthorID != cm.AuthorID {
				t.Fatalf("comment %d exported as %+v, was %+v", cm.ID, b, cm)
			}
		}
		got := latest(back, known)
		if len(got) != len(want) {
			t.Fatalf("%d votes exported, want %d", len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("vote %+v exported as %d, was %d", k, got[k], v)
			}
		}
		// Every clustered participant carries a group.
		grouped := 0
		for _, p := range back.Participants {
			if p.Group >= 0 {
				grouped++
			}
		}
		if grouped == 0 {
			t.Fatal("no participant has a group in participants-votes.csv")
		}
	}
	check(tmp)
	cmdDir := t.TempDir()
	if err := command.Run(ctx, []string{"export", cmdDir, "--database", e.in.App.DB.URL, "--component", itoa(e.comp.ID)}, &out); err != nil {
		t.Fatalf("export: %v", err)
	}
	check(cmdDir)
}

// templateEscape is how html/template writes an apostrophe and friends.
func templateEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "'", "&#39;", "\"", "&#34;", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
