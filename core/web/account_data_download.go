// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
)

// exportData is the use case behind the download and the API.
func (s *Server) exportData(c echo.Context) (*accounts.PersonalData, error) {
	id := AccountID(c)
	data, err := s.Accounts.Export(c.Request().Context(), Org(c).ID, id, s.accountHolders())
	if err != nil {
		return nil, err
	}
	s.auditAccount(c, id, "account.export", "account", itoa(id))
	return data, nil
}

// accountDataDownload sends the participant all their data as a JSON file.
func (s *Server) accountDataDownload(c echo.Context) error {
	data, err := s.exportData(c)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="polder-my-data.json"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSONCharsetUTF8, b)
}

// accountDataDownloadAPI is the JSON form of accountDataDownload.
func (s *Server) accountDataDownloadAPI(c echo.Context) error {
	data, err := s.exportData(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, data)
}
