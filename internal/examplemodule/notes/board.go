// SPDX-License-Identifier: AGPL-3.0-or-later

package notes

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/store"
)

// Note is one pinned note.
type Note struct {
	ID          int64     `json:"id"`
	ComponentID int64     `json:"component_id"`
	AuthorID    *int64    `json:"-"`
	Body        string    `json:"body"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName prefixes the table with the module id, as every module
// table should be.
func (Note) TableName() string { return "notes_notes" }

// Board stores the notes of components. It takes no echo.Context: the
// handlers bind, call it, and render.
type Board struct{ db *store.DB }

// NewBoard returns the notes store.
func NewBoard(db *store.DB) *Board { return &Board{db: db} }

// List returns a component's notes, newest first.
func (b *Board) List(ctx context.Context, componentID int64) ([]Note, error) {
	var out []Note
	if err := b.db.WithContext(ctx).Where("component_id = ?", componentID).Order("id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("listing notes: %w", err)
	}
	return out, nil
}

// Create pins a note after checking its length against the component's
// max_length setting.
func (b *Board) Create(ctx context.Context, componentID, authorID int64, body string, maxLength int) (*Note, error) {
	body = strings.TrimSpace(body)
	n := utf8.RuneCountInString(body)
	if n == 0 {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Fields: map[string]string{"body": "notes.error.empty"}}
	}
	if n > maxLength {
		return nil, &perr.Error{Code: perr.CodeInvalid, MessageID: "error.form_invalid", Data: map[string]any{"Max": maxLength},
			Fields: map[string]string{"body": "notes.error.too_long"}}
	}
	note := &Note{ComponentID: componentID, AuthorID: &authorID, Body: body, CreatedAt: time.Now().UTC()}
	if err := b.db.WithContext(ctx).Create(note).Error; err != nil {
		return nil, fmt.Errorf("pinning note: %w", err)
	}
	return note, nil
}
