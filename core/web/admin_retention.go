// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/retention"
)

// RetentionSettings stores the retention periods a space's admins set;
// core/retention implements it and its daily job applies them.
type RetentionSettings interface {
	Periods(ctx context.Context, domain string) (map[string]int, error)
	SetPeriods(ctx context.Context, domain string, days map[string]int) error
}

// UseRetention gives the space admin pages the retention settings (the
// routes are mounted with every space type; without settings they answer
// 404).
func (s *Server) UseRetention(r RetentionSettings) { s.retention = r }

// RetentionRow is one category of the retention form.
type RetentionRow struct {
	Category string
	Value    string
	// Error is the message ID of the field's error.
	Error string
}

// RetentionPage is the data of admin/retention.
type RetentionPage struct {
	SpaceTitle string
	Rows       []RetentionRow
	Error      string
	ErrData    map[string]any
}

func (s *Server) retentionSettings() (RetentionSettings, error) {
	if s.retention == nil {
		return nil, perr.NotFound("page")
	}
	return s.retention, nil
}

func (s *Server) retentionPage(c echo.Context, values map[string]string, err error) (*RetentionPage, int, error) {
	p := &RetentionPage{SpaceTitle: s.spaceTitle(c, Space(c))}
	status := http.StatusOK
	var fields map[string]string
	if err != nil {
		pe, ok := perr.As(err)
		if !ok || pe.Code == perr.CodeInternal {
			return nil, 0, err
		}
		p.Error, p.ErrData, fields, status = pe.MessageID, pe.Data, pe.Fields, StatusOf(pe.Code)
	}
	for _, cat := range retention.Categories {
		p.Rows = append(p.Rows, RetentionRow{Category: cat, Value: values[cat], Error: fields[cat]})
	}
	return p, status, nil
}

// adminRetention shows a space's retention periods.
func (s *Server) adminRetention(c echo.Context) error {
	rs, err := s.retentionSettings()
	if err != nil {
		return err
	}
	days, err := rs.Periods(c.Request().Context(), Space(c).Domain())
	if err != nil {
		return err
	}
	values := map[string]string{}
	for k, v := range days {
		values[k] = strconv.Itoa(v)
	}
	p, status, err := s.retentionPage(c, values, nil)
	if err != nil {
		return err
	}
	return s.Render(c, status, "admin/retention", p)
}

// saveRetention is the use case behind the form and the API: store the
// periods and record the change in the audit log.
func (s *Server) saveRetention(c echo.Context, days map[string]int) error {
	rs, err := s.retentionSettings()
	if err != nil {
		return err
	}
	sp := Space(c)
	if err := rs.SetPeriods(c.Request().Context(), sp.Domain(), days); err != nil {
		return err
	}
	if s.Audit != nil {
		var parts []string
		for _, cat := range retention.Categories {
			if n, ok := days[cat]; ok {
				parts = append(parts, fmt.Sprintf("%s=%d", cat, n))
			}
		}
		e := AuditEntry{OrganisationID: Org(c).ID, ActorID: AccountID(c), Action: "retention.update", ResourceType: "space",
			ResourceID: itoa(sp.ID), SpaceID: sp.ID, Details: strings.Join(parts, " ")}
		if a := Account(c); a != nil {
			e.ActorLabel = a.Nickname
		}
		s.Audit.Record(c.Request().Context(), e)
	}
	return nil
}

// adminRetentionSave checks and stores the form: every field must be a
// whole number of days (blank or 0: no period) or nothing is stored.
func (s *Server) adminRetentionSave(c echo.Context) error {
	if _, err := s.retentionSettings(); err != nil {
		return err
	}
	form, err := accountForm(c)
	if err != nil {
		return err
	}
	days := map[string]int{}
	fields := map[string]string{}
	for _, cat := range retention.Categories {
		n, msg := retention.ParseDays(form[cat])
		if msg != "" {
			fields[cat] = msg
			continue
		}
		days[cat] = n
	}
	if len(fields) > 0 {
		err = &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: fields, Data: map[string]any{"Max": retention.MaxDays}}
	} else {
		err = s.saveRetention(c, days)
	}
	if err != nil {
		p, status, rerr := s.retentionPage(c, form, err)
		if rerr != nil {
			return rerr
		}
		return s.Render(c, status, "admin/retention", p)
	}
	s.Flash(c, "retention.admin.saved")
	return Redirect(c, c.Request().URL.Path)
}

// apiRetention returns a space's periods: category → days (0: none).
func (s *Server) apiRetention(c echo.Context) error {
	rs, err := s.retentionSettings()
	if err != nil {
		return err
	}
	days, err := rs.Periods(c.Request().Context(), Space(c).Domain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, days)
}

// apiRetentionPut sets the periods given (category → days); others stay.
func (s *Server) apiRetentionPut(c echo.Context) error {
	days := map[string]int{}
	if err := bindJSON(c, &days); err != nil {
		return err
	}
	if err := s.saveRetention(c, days); err != nil {
		return err
	}
	return s.apiRetention(c)
}
