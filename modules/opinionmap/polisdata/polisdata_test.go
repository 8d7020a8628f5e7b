// SPDX-License-Identifier: AGPL-3.0-or-later

package polisdata_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
	"github.com/polder-civic/polder/modules/opinionmap/polisdata"
)

// TestRoundTrip reads every real export, writes it, reads it back: the two
// exports are equal, and writing again gives the same bytes.
func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"15-per-hour-seattle", "brexit-consensus", "london.youth.policing", "vtaiwan.uberx"} {
		t.Run(name, func(t *testing.T) {
			exp, err := polisdata.ReadDir(realdata.SharedData(t, "polis", name))
			if err != nil {
				t.Fatal(err)
			}
			if len(exp.Comments) == 0 || len(exp.Votes) == 0 || len(exp.Participants) == 0 || len(exp.Summary) == 0 {
				t.Fatalf("empty parts: %d comments, %d votes, %d participants, %d summary fields",
					len(exp.Comments), len(exp.Votes), len(exp.Participants), len(exp.Summary))
			}
			dir := t.TempDir()
			if err := polisdata.WriteDir(dir, exp); err != nil {
				t.Fatal(err)
			}
			back, err := polisdata.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(exp, back) {
				t.Fatal("export read back differs from the one written")
			}
			dir2 := t.TempDir()
			if err := polisdata.WriteDir(dir2, back); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{polisdata.CommentsFile, polisdata.VotesFile, polisdata.ParticipantsFile, polisdata.SummaryFile} {
				a, _ := os.ReadFile(filepath.Join(dir, f))
				b, _ := os.ReadFile(filepath.Join(dir2, f))
				if !bytes.Equal(a, b) {
					t.Errorf("%s: second write differs", f)
				}
			}
		})
	}
}

// TestParticipantsMatchVotes: the final votes in participants-votes.csv
// are the latest votes of votes.csv (checks our reading of both, and of
// vote signs).
func TestParticipantsMatchVotes(t *testing.T) {
	exp, err := polisdata.ReadDir(realdata.SharedData(t, "polis", "brexit-consensus"))
	if err != nil {
		t.Fatal(err)
	}
	latest := map[[2]int64]int{}
	for _, v := range exp.LatestVotes() {
		latest[[2]int64{v.VoterID, v.CommentID}] = v.Vote
	}
	total, mismatched := 0, 0
	for _, p := range exp.Participants {
		for c, v := range p.Votes {
			total++
			if latest[[2]int64{p.ID, c}] != v {
				mismatched++
			}
		}
	}
	if total == 0 || mismatched*100 > total {
		t.Errorf("%d of %d participant votes differ from the latest votes", mismatched, total)
	}
}

func TestMatrix(t *testing.T) {
	exp := &polisdata.Export{
		Comments: []polisdata.Comment{{ID: 2, Moderated: -1}, {ID: 1, Moderated: 1}},
		Votes: []polisdata.Vote{
			{Timestamp: 3, CommentID: 1, VoterID: 5, Vote: -1},
			{Timestamp: 1, CommentID: 1, VoterID: 5, Vote: 1},
			{Timestamp: 2, CommentID: 2, VoterID: 4, Vote: 0},
		},
	}
	m, err := exp.Matrix()
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := m.Vote(5, 1); !ok || v != opinionmath.Disagree {
		t.Errorf("latest vote of 5 on 1 = %v, want disagree (timestamp 3 beats 1)", v)
	}
	if got := m.Participants(); !reflect.DeepEqual(got, []int64{4, 5}) {
		t.Errorf("participants %v, want id order [4 5]", got)
	}
	st := m.Statements()
	if st[0].ID != 1 || st[1].Moderation != opinionmath.Rejected {
		t.Errorf("statements %+v, want id order with moderation", st)
	}
	exp.Votes = append(exp.Votes, polisdata.Vote{Timestamp: 4, CommentID: 1, VoterID: 4, Vote: 2})
	if _, err := exp.Matrix(); err == nil {
		t.Error("vote value 2 accepted")
	}
}
