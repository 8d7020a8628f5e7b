// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/web"
)

// Verification is the result of checking a proposal against its
// fingerprint.
type Verification struct {
	ID int64 `json:"id"`
	// Stored is the fingerprint recorded at publication (or last edit).
	Stored string `json:"stored"`
	// Computed is the fingerprint of the content as it is now.
	Computed string `json:"computed"`
	// Match is true when the content still gives the stored fingerprint
	// (and, when the caller gave one, that one too).
	Match bool `json:"match"`
	// Given is the fingerprint the caller asked about, if any.
	Given  string `json:"given,omitempty"`
	Method string `json:"method"`
}

// Verify recomputes a proposal's fingerprint and compares it with the
// stored one and, when non-empty, with given.
func Verify(p *Proposal, given string) Verification {
	v := Verification{ID: p.ID, Stored: p.Fingerprint, Computed: Fingerprint(p.Title, p.Body), Given: strings.ToLower(strings.TrimSpace(given)),
		Method: `sha256(canonical JSON {"body":…,"title":…}, HTML escaping off)`}
	v.Match = v.Stored != "" && v.Stored == v.Computed && (v.Given == "" || v.Given == v.Computed)
	return v
}

func (h *handlers) verify(c echo.Context) error {
	id, err := proposalID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(c.Request().Context(), h.scope(c), id, web.AccountID(c), false)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Verify(p, c.QueryParam("fingerprint")))
}
