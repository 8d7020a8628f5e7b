// SPDX-License-Identifier: AGPL-3.0-or-later

// Package perr is Polder's one error type: a code (invalid, not found,
// forbidden, conflict, …) and an i18n message ID with its data, so that one
// handler maps any domain error to a status code and a translated message,
// while internal errors are logged and never shown.
package perr

import (
	"errors"
	"fmt"
)

// Code classifies an error.
type Code string

// Error codes, each mapped to one HTTP status by core/web.
const (
	CodeInvalid      Code = "invalid"      // 422: the input breaks a rule
	CodeBadRequest   Code = "bad_request"  // 400: the request is malformed
	CodeNotFound     Code = "not_found"    // 404
	CodeForbidden    Code = "forbidden"    // 403
	CodeUnauthorised Code = "unauthorised" // 401: log in first
	CodeConflict     Code = "conflict"     // 409: e.g. a quota reached, a double vote
	CodeTooMany      Code = "too_many"     // 429: rate limited
	CodeTooLarge     Code = "too_large"    // 413: the body is over the limit
	CodeInternal     Code = "internal"     // 500
)

// Error is a domain error.
type Error struct {
	Code Code
	// MessageID is the i18n message shown to the user.
	MessageID string
	// Data fills the message template.
	Data map[string]any
	// Fields holds per-field message IDs for forms.
	Fields map[string]string
	// Err is the cause, logged, never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.MessageID, e.Err)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.MessageID, e.Data)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and message.
func New(code Code, messageID string, data map[string]any) *Error {
	return &Error{Code: code, MessageID: messageID, Data: data}
}

// Invalid is a rule broken by the input.
func Invalid(messageID string, data map[string]any) *Error {
	return New(CodeInvalid, messageID, data)
}

// Conflict is a state that forbids the action (quota reached, already done).
func Conflict(messageID string, data map[string]any) *Error {
	return New(CodeConflict, messageID, data)
}

// NotFound names what was not found ("process", "component", …).
func NotFound(what string) *Error {
	return New(CodeNotFound, "error.not_found", map[string]any{"What": what})
}

// Forbidden is an action the actor may not take.
func Forbidden() *Error { return New(CodeForbidden, "error.forbidden", nil) }

// Unauthorised asks the actor to log in.
func Unauthorised() *Error { return New(CodeUnauthorised, "error.login_required", nil) }

// CodeOf returns the code of err, CodeInternal when it carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// As returns err as *Error when it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
