// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/csvsafe"
)

// csvHeader are the columns of synthesis.csv: one row per contribution,
// with the topic it was put in (topic numbers as on the page, from 1;
// "other" for other contributions), or why it was left out.
var csvHeader = []string{"id", "kind", "title", "url", "theme", "topic", "topic_label", "left_out_reason"}

// csvDownload writes every contribution of a version with its theme and
// topic: the table an analyst sorts and filters in a spreadsheet.
func (h *handlers) csvDownload(c echo.Context) error {
	v, err := h.view(c, h.base(c))
	if err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="synthesis-%d.csv"`, v.Syn.ID))
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	row := func(id, theme, topic, label, reason string) error {
		src := v.Sources[id]
		return cw.Write([]string{id, src.Kind, csvsafe.Cell(src.Title), src.URL, csvsafe.Cell(theme), topic, csvsafe.Cell(label), reason})
	}
	for _, th := range v.Themes {
		for _, tp := range th.Topics {
			topic := strconv.Itoa(tp.Index + 1)
			if tp.Other {
				topic = "other"
			}
			for _, id := range tp.IDs {
				if err := row(id, th.Title, topic, tp.Label, ""); err != nil {
					return err
				}
			}
		}
	}
	if v.Result != nil && v.Result.Synthesis != nil {
		for _, l := range v.Result.Synthesis.LeftOut {
			if err := row(l.ID, "", "", "", csvsafe.Cell(l.Reason)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
