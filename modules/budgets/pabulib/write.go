// SPDX-License-Identifier: AGPL-3.0-or-later

package pabulib

import (
	"encoding/csv"
	"fmt"
	"io"
)

// Write writes the instance in .pb format (LF line endings, fields quoted
// only when they need it). It writes the raw Fields of every row (so an
// instance built in code must fill them); Parse(Write(x)) gives back x.
func Write(w io.Writer, in *Instance) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	rows := [][]string{{"META"}, {"key", "value"}}
	for _, m := range in.Meta {
		rows = append(rows, []string{m.Key, m.Value})
	}
	rows = append(rows, []string{"PROJECTS"}, in.ProjectColumns)
	for _, p := range in.Projects {
		rows = append(rows, p.Fields)
	}
	rows = append(rows, []string{"VOTES"}, in.VoteColumns)
	for _, v := range in.Votes {
		rows = append(rows, v.Fields)
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("writing pabulib instance: %w", err)
	}
	return nil
}
