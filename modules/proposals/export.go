// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/csvsafe"
	"github.com/polder-civic/polder/core/moderation"
)

// ExportRow is one proposal in an export. Public exports leave the author
// fields empty (no personal data); the admin export fills them and
// includes hidden proposals, marked.
type ExportRow struct {
	ID          int64      `json:"id"`
	Theme       string     `json:"theme"`
	Session     string     `json:"session"`
	AuthorKind  string     `json:"author_kind"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	Locale      string     `json:"locale"`
	State       string     `json:"state"`
	AnswerState string     `json:"answer_state"`
	AnswerText  string     `json:"answer_text"`
	Supports    int        `json:"supports"`
	Comments    int        `json:"comments"`
	PublishedAt *time.Time `json:"published_at"`
	Fingerprint string     `json:"fingerprint"`
	// Admin export only.
	AuthorID   int64  `json:"author_id,omitempty"`
	AuthorName string `json:"author_name,omitempty"`
	Hidden     bool   `json:"hidden,omitempty"`
}

var csvHeader = []string{"id", "theme", "session", "author_kind", "title", "body", "locale", "state", "answer_state", "answer_text", "supports", "comments", "published_at", "fingerprint"}

// Export streams a component's proposals to emit, one at a time, in id
// order, reading rows from the database as it goes (no whole-set buffer).
// Drafts are never exported; hidden proposals only in the admin export.
func (s *Service) Export(ctx context.Context, sc *Scope, admin bool, emit func(ExportRow) error) error {
	q := s.db.WithContext(ctx).Table("proposals p").
		Select("p.id, p.theme_id, p.session_id, p.author_kind, p.title, p.body, p.locale, p.state, p.answer_state, p.answer_text, p.supports_count, p.comments_count, p.published_at, p.fingerprint, p.author_id, a.nickname, "+
			"CASE WHEN "+moderation.NotHiddenSQL(ResourceType, "p.id")+" THEN 0 ELSE 1 END AS hidden").
		Joins("JOIN accounts a ON a.id = p.author_id").
		Where("p.component_id = ? AND p.state IN ?", sc.Component.ID, publicStates).Order("p.id")
	if !admin {
		q = q.Where(moderation.NotHiddenSQL(ResourceType, "p.id"))
	}
	rows, err := q.Rows()
	if err != nil {
		return fmt.Errorf("exporting proposals: %w", err)
	}
	defer rows.Close()
	themes, sessions := map[int64]string{}, map[int64]string{}
	for _, t := range sc.Space.Themes {
		themes[t.ID] = t.Key
	}
	for _, se := range sc.Space.Sessions {
		sessions[se.ID] = se.Key
	}
	for rows.Next() {
		var r ExportRow
		var themeID, sessionID int64
		var nick string
		var hidden int
		var pub *time.Time
		if err := rows.Scan(&r.ID, &themeID, &sessionID, &r.AuthorKind, &r.Title, &r.Body, &r.Locale, &r.State, &r.AnswerState, &r.AnswerText,
			&r.Supports, &r.Comments, &pub, &r.Fingerprint, &r.AuthorID, &nick, &hidden); err != nil {
			return fmt.Errorf("reading proposal row: %w", err)
		}
		r.Theme, r.Session, r.PublishedAt = themes[themeID], sessions[sessionID], pub
		if admin {
			r.AuthorName, r.Hidden = nick, hidden == 1
		} else {
			r.AuthorID = 0
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (h *handlers) exportCSV(admin bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		sc := h.scope(c)
		w := c.Response()
		w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		w.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="proposals-%d.csv"`, sc.Component.ID))
		w.WriteHeader(http.StatusOK)
		cw := csv.NewWriter(w)
		header := csvHeader
		if admin {
			header = append(append([]string{}, csvHeader...), "author_id", "author_name", "hidden")
		}
		if err := cw.Write(header); err != nil {
			return err
		}
		n := 0
		err := h.svc.Export(c.Request().Context(), sc, admin, func(r ExportRow) error {
			pub := ""
			if r.PublishedAt != nil {
				pub = r.PublishedAt.UTC().Format(time.RFC3339)
			}
			// Free text goes through csvsafe: a title such as =HYPERLINK(…)
			// must stay text in the organiser's spreadsheet.
			rec := []string{strconv.FormatInt(r.ID, 10), r.Theme, r.Session, r.AuthorKind, csvsafe.Cell(r.Title), csvsafe.Cell(r.Body), r.Locale, r.State, r.AnswerState, csvsafe.Cell(r.AnswerText),
				strconv.Itoa(r.Supports), strconv.Itoa(r.Comments), pub, r.Fingerprint}
			if admin {
				rec = append(rec, strconv.FormatInt(r.AuthorID, 10), csvsafe.Cell(r.AuthorName), strconv.FormatBool(r.Hidden))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
			if n++; n%500 == 0 {
				cw.Flush()
				w.Flush()
			}
			return cw.Error()
		})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}
}

// exportJSON streams {"module":…,"version":…,"proposals":[…]} one row at
// a time.
func (h *handlers) exportJSON(admin bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		sc := h.scope(c)
		w := c.Response()
		w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
		w.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="proposals-%d.json"`, sc.Component.ID))
		w.WriteHeader(http.StatusOK)
		head, _ := json.Marshal(map[string]any{"module": ID, "version": Version, "component_id": sc.Component.ID, "space": sc.Space.Slug,
			"exported_at": h.svc.Now().Format(time.RFC3339), "fingerprint_method": "sha256 of canonical JSON {\"body\",\"title\"}, see README"})
		if _, err := w.Write(append(head[:len(head)-1], []byte(`,"proposals":[`)...)); err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		first := true
		err := h.svc.Export(c.Request().Context(), sc, admin, func(r ExportRow) error {
			if !first {
				if _, err := w.Write([]byte(",")); err != nil {
					return err
				}
			}
			first = false
			return enc.Encode(r)
		})
		if err != nil {
			return err
		}
		_, err = w.Write([]byte("]}\n"))
		return err
	}
}
