// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"bytes"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/web"
)

// exportCSV serves one file of the Pol.is export format. The export holds
// no personal data: participants are numbers.
func (h *handlers) exportCSV(file string) echo.HandlerFunc {
	return func(c echo.Context) error {
		e, err := h.svc.Export(c.Request().Context(), web.Component(c).ID)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		switch file {
		case "comments":
			err = e.WriteComments(&buf)
		case "votes":
			err = e.WriteVotes(&buf)
		default:
			err = e.WriteParticipants(&buf)
		}
		if err != nil {
			return err
		}
		name := map[string]string{"comments": "comments.csv", "votes": "votes.csv"}[file]
		if name == "" {
			name = "participants-votes.csv"
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		return c.Blob(200, "text/csv; charset=utf-8", buf.Bytes())
	}
}
