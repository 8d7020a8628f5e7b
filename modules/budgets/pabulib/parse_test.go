// SPDX-License-Identifier: AGPL-3.0-or-later

package pabulib

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

// sharedFiles lists the .pb files of the shared data folder.
func sharedFiles(tb testing.TB) []string {
	tb.Helper()
	dir := realdata.SharedData(tb, "pabulib")
	files, err := filepath.Glob(filepath.Join(dir, "*.pb"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no .pb files in %s: %v", dir, err)
	}
	return files
}

func TestParseSharedFiles(t *testing.T) {
	files := sharedFiles(t)
	if len(files) != 7 {
		t.Fatalf("expected the 7 shared instances, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			checkMetaCounts(t, in)
			roundTrip(t, in)
			switch in.VoteType() {
			case VoteCumulative, VoteScoring:
				for _, v := range in.Votes {
					if v.Points == nil || len(v.Points) != len(v.Projects) {
						t.Fatalf("line %d: cumulative vote without aligned points", v.Line)
					}
				}
			}
			t.Logf("%s: %s, %d projects, %d votes, rule %q", filepath.Base(f), in.VoteType(), len(in.Projects), len(in.Votes), in.Rule())
		})
	}
}

// checkMetaCounts compares the parsed counts with num_projects / num_votes,
// an independent check that no row was lost or invented.
func checkMetaCounts(t *testing.T, in *Instance) {
	t.Helper()
	for key, got := range map[string]int{"num_projects": len(in.Projects), "num_votes": len(in.Votes)} {
		v, ok := in.MetaValue(key)
		if !ok {
			continue
		}
		d, err := ParseDecimal(v)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if d.Units != int64(got) || d.Scale != 0 {
			t.Errorf("%s = %s, parsed %d", key, v, got)
		}
	}
}

func stripLines(in *Instance) *Instance {
	c := *in
	c.Projects = append([]Project(nil), in.Projects...)
	c.Votes = append([]Vote(nil), in.Votes...)
	for i := range c.Projects {
		c.Projects[i].Line = 0
	}
	for i := range c.Votes {
		c.Votes[i].Line = 0
	}
	return &c
}

func roundTrip(t testing.TB, in *Instance) {
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	again, err := Parse(buf.Bytes(), "written")
	if err != nil {
		t.Fatalf("written instance does not parse: %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(stripLines(in), stripLines(again)) {
		t.Fatalf("round trip changed the instance:\n%#v\n%#v", stripLines(in), stripLines(again))
	}
}

func TestParseFeatures(t *testing.T) {
	src := "\ufeffMETA\r\nkey;value\r\nbudget;\"1000,5\"\r\nvote_type;cumulative\nfavourite;\"semi;colon\"\r\n" +
		"PROJECTS\nproject_id;cost;name;extra\r\n" +
		"a;\"100,25\";\"Park \"\"green\"\"\";x\n" +
		"b;200;Road;y\r\n" +
		"VOTES\r\nvoter_id;vote;points;age\n" +
		"1;a,b;3,2;40\r\n" +
		"2;b,;5;\n"
	in, err := Parse([]byte(src), "mem.pb")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := in.Budget(); b != (Decimal{Units: 10005, Scale: 1}) {
		t.Errorf("budget = %+v", b)
	}
	if v, _ := in.MetaValue("favourite"); v != "semi;colon" {
		t.Errorf("quoted meta value = %q", v)
	}
	if in.Projects[0].Cost != (Decimal{Units: 10025, Scale: 2}) {
		t.Errorf("decimal comma cost = %+v", in.Projects[0].Cost)
	}
	if name, _ := in.ProjectColumn(0, "name"); name != `Park "green"` {
		t.Errorf("quoted name = %q", name)
	}
	if got := in.Votes[1].Projects; !reflect.DeepEqual(got, []string{"b"}) {
		t.Errorf("trailing comma vote = %q", got)
	}
	if got := in.Votes[0].Points; !reflect.DeepEqual(got, []Decimal{{3, 0}, {2, 0}}) {
		t.Errorf("points = %v", got)
	}
	if in.VoteColumns[3] != "age" || in.Votes[0].Fields[3] != "40" {
		t.Errorf("extra vote column lost: %v %v", in.VoteColumns, in.Votes[0].Fields)
	}
	roundTrip(t, in)

	e, scale, err := in.Election()
	if err != nil {
		t.Fatal(err)
	}
	// Two decimals at most (100,25): money in hundredths, add1 steps 100.
	if scale != 2 || e.Unit != 100 || e.Budget != 100050 || e.Projects[0].Cost != 10025 || e.Projects[1].Cost != 20000 {
		t.Errorf("scaled election: scale %d, %+v", scale, e)
	}
	if !e.Cardinal || !reflect.DeepEqual(e.Ballots[0], rules.Ballot{Projects: []int{0, 1}, Scores: []int64{3, 2}}) {
		t.Errorf("cumulative ballot: %+v", e.Ballots[0])
	}
}

func TestParseErrors(t *testing.T) {
	meta := "META\nkey;value\nbudget;100\n"
	projects := "PROJECTS\nproject_id;cost\na;10\nb;20\n"
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"VotesBeforeProjects", meta + "VOTES\nvoter_id;vote\n", 4, "out of order"},
		{"NoMeta", "PROJECTS\nproject_id;cost\n", 1, "out of order"},
		{"RowBeforeMeta", "budget;100\n", 1, "expected the META"},
		{"MetaTwice", meta + "META\n", 4, "out of order"},
		{"UnknownProject", meta + projects + "VOTES\nvoter_id;vote\n1;a\n2;a,zz\n", 11, `unknown project "zz"`},
		{"ZeroCost", meta + "PROJECTS\nproject_id;cost\na;0\n", 6, "must be positive"},
		{"NegativeCost", meta + "PROJECTS\nproject_id;cost\na;-5\n", 6, "must be positive"},
		{"BadCost", meta + "PROJECTS\nproject_id;cost\na;ten\n", 6, "not a decimal"},
		{"DuplicateVoter", meta + projects + "VOTES\nvoter_id;vote\n1;a\n1;b\n", 11, `duplicate voter "1"`},
		{"DuplicateProject", meta + "PROJECTS\nproject_id;cost\na;10\na;20\n", 7, `duplicate project "a"`},
		{"ShortProjectRow", meta + "PROJECTS\nproject_id;cost;name\na;10\n", 6, "2 fields, header has 3"},
		{"LongVoteRow", meta + projects + "VOTES\nvoter_id;vote\n1;a;x\n", 10, "3 fields, header has 2"},
		{"MetaRowFields", "META\nkey;value\nbudget;1;2\n", 3, "2 fields"},
		{"PointsMismatch", meta + projects + "VOTES\nvoter_id;vote;points\n1;a,b;3\n", 10, "1 points for 2 projects"},
		{"MissingCostColumn", meta + "PROJECTS\nproject_id;name\n", 5, "project_id and cost"},
		{"Truncated", meta + projects, 8, "ends before the VOTES"},
		{"ProjectTwiceInVote", meta + projects + "VOTES\nvoter_id;vote\n1;a,a\n", 10, "listed twice"},
		{"StrayQuote", meta + "PROJECTS\nproject_id;cost\n\"a\"x;10\n", 6, "1 fields"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.src), "case.pb")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("want a ParseError, got %v", err)
			}
			if pe.File != "case.pb" || pe.Line != c.line || !strings.Contains(pe.Msg, c.msg) {
				t.Fatalf("got %q, want case.pb:%d containing %q", err, c.line, c.msg)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, file := range sharedFiles(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 10000 {
			f.Add(data)
		}
	}
	f.Add([]byte("META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\n\"a;b\";1,5\nVOTES\nvoter_id;vote;points\nv;\"a;b\";2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Parse(data, "fuzz.pb")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		roundTrip(t, in)
		// Whatever parses must convert and run (or be refused) without
		// panicking; add1 is left out, its number of runs is unbounded
		// by design.
		e, _, err := in.Election()
		if err != nil || e.Validate() != nil || len(e.Ballots) == 0 {
			return
		}
		for _, opt := range []rules.Options{{Rule: rules.RuleGreedy}, {Rule: rules.RuleMES, Completion: rules.CompletionNone, Comparison: true}} {
			out, err := rules.Compute(e, opt)
			if err == nil && out.TotalCost > e.Budget {
				t.Fatalf("%+v overspends: %d > %d", opt, out.TotalCost, e.Budget)
			}
		}
	})
}
