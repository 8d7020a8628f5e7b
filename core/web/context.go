// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/orgs"
)

// Keys of values core stores on each request.
const (
	keyOrg     = "polder.org"
	keyAccount = "polder.account"
	keyLocale  = "polder.locale"
	keyAPI     = "polder.api"
)

// Org returns the organisation serving the request.
func Org(c echo.Context) *orgs.Organisation {
	o, _ := c.Get(keyOrg).(*orgs.Organisation)
	return o
}

// Account returns the logged-in account, or nil for a visitor.
func Account(c echo.Context) *accounts.Account {
	a, _ := c.Get(keyAccount).(*accounts.Account)
	return a
}

// AccountID returns the logged-in account's id, or 0.
func AccountID(c echo.Context) int64 {
	if a := Account(c); a != nil {
		return a.ID
	}
	return 0
}

// Locale returns the request's locale.
func Locale(c echo.Context) string {
	if l, _ := c.Get(keyLocale).(string); l != "" {
		return l
	}
	return "en"
}

// IsAPI reports whether the request is a JSON API request.
func IsAPI(c echo.Context) bool {
	b, _ := c.Get(keyAPI).(bool)
	return b
}
