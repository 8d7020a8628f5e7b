// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// AuditRecord is one audit log entry as pages and the API show it.
type AuditRecord struct {
	ID           int64     `json:"id"`
	ActorID      *int64    `json:"actor_id"`
	ActorLabel   string    `json:"actor"`
	Action       string    `json:"action"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	SpaceID      *int64    `json:"space_id"`
	Details      string    `json:"details"`
	CreatedAt    time.Time `json:"created_at"`
}

// AuditReader reads the audit log, newest first; core/audit implements
// it beside Auditor.
type AuditReader interface {
	Recent(ctx context.Context, orgID int64, offset, limit int) ([]AuditRecord, int64, error)
}

// auditPageSize is the number of entries per page of the audit log.
const auditPageSize = 50

// AuditPage is the data of the audit log page.
type AuditPage struct {
	Entries []AuditRecord
	Total   int64
	Page    int
	Pages   int
	PrevURL string
	NextURL string
}

// auditList reads one page (?page=N, from 1) of the organisation's log.
func (s *Server) auditList(c echo.Context) (*AuditPage, error) {
	rd, ok := s.Audit.(AuditReader)
	if !ok {
		return &AuditPage{Page: 1, Pages: 1}, nil
	}
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		page = 1
	}
	list, total, err := rd.Recent(c.Request().Context(), Org(c).ID, (page-1)*auditPageSize, auditPageSize)
	if err != nil {
		return nil, err
	}
	pages := int((total + auditPageSize - 1) / auditPageSize)
	if pages < 1 {
		pages = 1
	}
	p := &AuditPage{Entries: list, Total: total, Page: page, Pages: pages}
	if page > 1 {
		p.PrevURL = "?page=" + strconv.Itoa(min(page-1, pages))
	}
	if page < pages {
		p.NextURL = "?page=" + strconv.Itoa(page+1)
	}
	return p, nil
}

// adminAudit shows the organisation's action log to its admins.
func (s *Server) adminAudit(c echo.Context) error {
	p, err := s.auditList(c)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "admin/audit", p)
}

// apiAudit is the audit log as JSON, one page at a time.
func (s *Server) apiAudit(c echo.Context) error {
	p, err := s.auditList(c)
	if err != nil {
		return err
	}
	entries := p.Entries
	if entries == nil {
		entries = []AuditRecord{}
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": entries, "total": p.Total, "page": p.Page, "pages": p.Pages})
}
