// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import "github.com/polder-civic/polder/core/perr"

func contains(err error, field string) bool {
	pe, ok := perr.As(err)
	if !ok {
		return false
	}
	_, has := pe.Fields[field]
	return has
}
