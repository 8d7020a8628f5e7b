// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
)

// formUTF8 refuses a posted form whose fields are not UTF-8 text. Every
// page declares UTF-8, so browsers send it; other bytes come from
// scripts, and PostgreSQL would refuse to store them (an internal error
// in whichever handler keeps the text). JSON needs no check: its decoder
// replaces invalid bytes. Uploaded files are the parsers' business.
func formUTF8(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			return next(c)
		}
		ct := r.Header.Get(echo.HeaderContentType)
		if !strings.HasPrefix(ct, echo.MIMEApplicationForm) && !strings.HasPrefix(ct, echo.MIMEMultipartForm) {
			return next(c)
		}
		// The CSRF check has parsed the form unless the token came in the
		// header. A body that does not parse is refused here: parsed once
		// with an error, it would look empty to the handler.
		if r.PostForm == nil {
			var err error
			if strings.HasPrefix(ct, echo.MIMEMultipartForm) {
				err = r.ParseMultipartForm(32 << 20)
			} else {
				err = r.ParseForm()
			}
			if err != nil {
				return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
			}
		}
		for k, vs := range r.PostForm {
			if !utf8.ValidString(k) {
				return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
			}
			for _, v := range vs {
				if !utf8.ValidString(v) {
					return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
				}
			}
		}
		return next(c)
	}
}
