// SPDX-License-Identifier: AGPL-3.0-or-later

package mail

import (
	"context"
	"log/slog"
)

// LogSender writes every mail to the structured log instead of sending it
// (development and demo instances: the confirmation link appears in the
// terminal).
type LogSender struct{}

// Send logs the mail.
func (LogSender) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	slog.InfoContext(ctx, "mail (not sent: no SMTP host configured)", "to", m.To, "subject", m.Subject, "text", m.Text)
	return nil
}
