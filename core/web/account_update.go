// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
)

// accountUpdate saves the profile and language preference.
func (s *Server) accountUpdate(c echo.Context) error {
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	acc := Account(c)
	_, err = s.updateProfile(c, accounts.Profile{Name: form["name"], Nickname: form["nickname"], Locale: form["locale"]})
	if err != nil {
		f := profileForm(acc)
		f.fill(form)
		status, ierr := f.setError(err)
		if ierr != nil {
			return ierr
		}
		return s.Render(c, status, "accounts/show", &AccountPage{Account: acc, Form: f})
	}
	s.Flash(c, "accounts.flash.profile_saved")
	return Redirect(c, "/account")
}

// updateProfile is the use case behind the page and the API; a chosen
// language applies at once.
func (s *Server) updateProfile(c echo.Context, p accounts.Profile) (*accounts.Account, error) {
	ctx := c.Request().Context()
	acc, err := s.Accounts.UpdateProfile(ctx, Org(c).ID, AccountID(c), p)
	if err != nil {
		return nil, err
	}
	if acc.Locale != "" {
		s.Sessions.Put(ctx, "locale", acc.Locale)
	} else {
		s.Sessions.Remove(ctx, "locale")
	}
	s.auditAccount(c, acc.ID, "account.update", "account", itoa(acc.ID))
	return acc, nil
}

type profileRequest struct {
	Name     string `json:"name"`
	Nickname string `json:"nickname"`
	Locale   string `json:"locale"`
}

// accountUpdateAPI is the JSON form of accountUpdate.
func (s *Server) accountUpdateAPI(c echo.Context) error {
	var req profileRequest
	if err := bindAccountJSON(c, &req); err != nil {
		return err
	}
	acc, err := s.updateProfile(c, accounts.Profile{Name: req.Name, Nickname: req.Nickname, Locale: req.Locale})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, acc.Data())
}
