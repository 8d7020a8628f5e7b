// SPDX-License-Identifier: AGPL-3.0-or-later

package polisdata

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/polder-civic/polder/core/realdata"
)

// FuzzReadExport feeds the four files of a Pol.is export (what an admin
// imports) arbitrary bytes, seeded with the heads of the shared exports.
// Reading must not panic; an export that reads must build its matrix,
// statements and timed votes (or refuse with an error), and survive
// WriteDir and ReadDir unchanged.
func FuzzReadExport(f *testing.F) {
	dir := realdata.SharedData(f, "polis")
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	seeds := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		var files [4][]byte
		for i, name := range []string{CommentsFile, VotesFile, ParticipantsFile, SummaryFile} {
			b, err := os.ReadFile(filepath.Join(dir, e.Name(), name))
			if err != nil && !os.IsNotExist(err) {
				f.Fatal(err)
			}
			files[i] = realdata.Head(b, 3000)
		}
		f.Add(files[0], files[1], files[2], files[3])
		seeds++
	}
	if seeds == 0 {
		f.Fatalf("no Pol.is export in %s", dir)
	}
	f.Fuzz(func(t *testing.T, comments, votes, participants, summary []byte) {
		e := &Export{}
		for _, step := range []struct {
			read func(r *bytes.Reader) error
			data []byte
		}{
			{func(r *bytes.Reader) error { return e.readComments(r) }, comments},
			{func(r *bytes.Reader) error { return e.readVotes(r) }, votes},
			{func(r *bytes.Reader) error { return e.readParticipants(r) }, participants},
			{func(r *bytes.Reader) error { return e.readSummary(r) }, summary},
		} {
			if err := step.read(bytes.NewReader(step.data)); err != nil {
				return
			}
		}
		e.Matrix()
		e.TimedVotes()
		e.Statements()
		e.PolisGroups()
		out := t.TempDir()
		if err := WriteDir(out, e); err != nil {
			t.Fatalf("writing an export that was read: %v", err)
		}
		again, err := ReadDir(out)
		if err != nil {
			t.Fatalf("reading back a written export: %v", err)
		}
		if !reflect.DeepEqual(e, again) {
			t.Fatalf("round trip changed the export:\n%#v\n%#v", e, again)
		}
	})
}
