// SPDX-License-Identifier: AGPL-3.0-or-later

// Package mail sends Polder's e-mails (account confirmation, password
// reset, notifications). Sender is the one interface the rest of core uses;
// this package adapts it to an SMTP server (SMTPSender), to the log for
// development (LogSender) and to memory for tests (Recorder).
package mail

import (
	"context"
	"fmt"
	"strings"

	"github.com/polder-civic/polder/config"
)

// Message is a plain-text e-mail to one recipient.
type Message struct {
	To      string
	Subject string
	Text    string
}

// validate refuses header injection: a line break in the recipient or the
// subject would let input add headers (Bcc:) to the mail.
func (m Message) validate() error {
	if m.To == "" {
		return fmt.Errorf("mail without recipient")
	}
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("line break in mail recipient or subject")
	}
	return nil
}

// Sender sends e-mails.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// New returns the sender the configuration asks for: SMTP when a host is
// set, otherwise a sender that writes mails to the log, so a development
// instance needs no mail server.
func New(cfg config.SMTP) Sender {
	if strings.TrimSpace(cfg.Host) == "" {
		return LogSender{}
	}
	return NewSMTP(cfg)
}
