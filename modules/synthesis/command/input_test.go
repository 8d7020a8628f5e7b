// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/realdata"
)

// synthesisIDs runs "synthesis build --json" on a file and returns every
// contribution id of its topics and other contributions, its left-out ids
// and its notes.
func synthesisIDs(t *testing.T, path string) (ids, leftOut, notes []string) {
	t.Helper()
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"build", "--input", path, "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Themes []struct {
			Topics []struct{ IDs []string } `json:"topics"`
			Other  *struct{ IDs []string }  `json:"other"`
		} `json:"themes"`
		LeftOut []struct{ ID string } `json:"left_out"`
		Notes   []string              `json:"notes"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	for _, th := range got.Themes {
		for _, tp := range th.Topics {
			ids = append(ids, tp.IDs...)
		}
		if th.Other != nil {
			ids = append(ids, th.Other.IDs...)
		}
	}
	for _, l := range got.LeftOut {
		leftOut = append(leftOut, l.ID)
	}
	slices.Sort(ids)
	return ids, leftOut, got.Notes
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInputFilesAsUsersWriteThem reads the same eight contributions from
// files written the ways spreadsheets and scripts write them: semicolons
// (French and Dutch spreadsheets), tabs, only the id and text columns,
// dates as epoch seconds or milliseconds, JSON numbers for ids. Each
// gives the same eight ids.
func TestInputFilesAsUsersWriteThem(t *testing.T) {
	texts := []string{
		"Plus de pistes cyclables, séparées des voitures, dans tout le centre.",
		"Des pistes cyclables sûres pour aller à l'école à vélo.",
		"Un parking vélo sécurisé à chaque gare, et des pistes cyclables.",
		"Réduire la vitesse des voitures à 30 km/h en ville pour les vélos.",
		"Isoler les logements sociaux avant 2030, en commençant par les plus anciens.",
		"Des aides pour isoler les maisons, les toits et les fenêtres.",
		"Rénover et isoler les écoles, les toits d'abord.",
		"Isoler les logements des ménages modestes, payé par l'État.",
	}
	want := []string{"1", "2", "3", "4", "5", "6", "7", "8"}
	var semi, tabs, minimal strings.Builder
	semi.WriteString("id;text;theme;date\n")
	tabs.WriteString("id\ttext\tdate\n")
	minimal.WriteString("id,text\n")
	var js []map[string]any
	for i, tx := range texts {
		fmt.Fprintf(&semi, "%d;\"%s\";mobilité;%d\n", i+1, tx, 1_700_000_000+i)
		fmt.Fprintf(&tabs, "%d\t%s\t%d\n", i+1, tx, int64(1_700_000_000_000)+int64(i))
		fmt.Fprintf(&minimal, "%d,\"%s\"\n", i+1, tx)
		js = append(js, map[string]any{"id": i + 1, "text": tx, "date": 1_700_000_000 + i, "theme": 7})
	}
	jsb, err := json.Marshal(js)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"semicolons.csv": semi.String(), "tabs.csv": tabs.String(), "minimal.csv": minimal.String(), "numbers.json": string(jsb)} {
		t.Run(name, func(t *testing.T) {
			ids, leftOut, _ := synthesisIDs(t, write(t, name, content))
			if !slices.Equal(ids, want) || len(leftOut) != 0 {
				t.Errorf("ids %v, left out %v; want %v", ids, leftOut, want)
			}
		})
	}
	// The dates are read, not only accepted.
	for _, c := range []struct{ in, want string }{
		{"1700000000", "2023-11-14T22:13:20Z"},
		{"1700000000123", "2023-11-14T22:13:20.123Z"},
		{"2023-11-14", "2023-11-14T00:00:00Z"},
	} {
		d, err := parseDate(c.in)
		if err != nil || d.Format(time.RFC3339Nano) != c.want {
			t.Errorf("parseDate(%q) = %v, %v; want %s", c.in, d, err, c.want)
		}
	}
	if _, err := parseDate("14/11/2023"); err == nil {
		t.Error("an ambiguous day/month date is accepted")
	}
}

// TestPolisExportReadsAsIs builds the synthesis of a Pol.is export's
// comments.csv as it is published: every comment not rejected by the
// moderators (moderated = -1) is read under its comment-id, and the notes
// say how many were skipped.
func TestPolisExportReadsAsIs(t *testing.T) {
	path := realdata.SharedData(t, "polis", "15-per-hour-seattle", "comments.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	rejected := 0
	for _, r := range rows[1:] { // timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body
		if r[6] == "-1" {
			rejected++
			continue
		}
		want = append(want, r[2])
	}
	if rejected == 0 || len(want) == 0 {
		t.Fatalf("the export has %d rejected and %d other comments", rejected, len(want))
	}
	ids, leftOut, notes := synthesisIDs(t, path)
	all := append(slices.Clone(ids), leftOut...)
	slices.Sort(all)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("read %d comments (%d in topics, %d left out), want the %d not rejected", len(all), len(ids), len(leftOut), len(want))
	}
	if len(notes) == 0 || !strings.HasPrefix(notes[0], fmt.Sprintf("%d row(s) with moderated = -1", rejected)) {
		t.Errorf("notes %q do not count the %d rejected comments", notes, rejected)
	}
}
