// SPDX-License-Identifier: AGPL-3.0-or-later

package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/polder-civic/polder/config"
)

// SMTPSender sends mails through an SMTP server. On port 465 it speaks TLS
// from the first byte; on any other port it upgrades with STARTTLS and
// refuses to go on in clear text unless the server is on the loopback
// interface (a local relay), so credentials and reset links never cross
// the network unencrypted.
type SMTPSender struct {
	cfg config.SMTP
	// Timeout bounds one delivery (dial to QUIT) when the context has no
	// earlier deadline.
	Timeout time.Duration
	// TLS is the TLS configuration; nil verifies the server's certificate
	// against the system roots for cfg.Host.
	TLS *tls.Config
	// dialAddr overrides the address dialled (tests reach a local fake
	// server while cfg.Host names a remote one).
	dialAddr string
}

// NewSMTP returns an SMTP sender for the configuration.
func NewSMTP(cfg config.SMTP) *SMTPSender {
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	return &SMTPSender{cfg: cfg, Timeout: 30 * time.Second}
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	if s.TLS != nil {
		return s.TLS
	}
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
}

// Send delivers one mail.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	from, err := mail.ParseAddress(s.cfg.From)
	if err != nil {
		return fmt.Errorf("smtp: sender address %q: %w", s.cfg.From, err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("smtp: recipient address: %w", err)
	}
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	if s.dialAddr != "" {
		addr = s.dialAddr
	}
	deadline := time.Now().Add(s.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp: connecting to %s: %w", addr, err)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	implicitTLS := s.cfg.Port == 465
	if implicitTLS {
		conn = tls.Client(conn, s.tlsConfig())
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: greeting from %s: %w", addr, err)
	}
	defer c.Close()
	if !implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig()); err != nil {
				return fmt.Errorf("smtp: STARTTLS with %s: %w", addr, err)
			}
		} else if !isLoopback(s.cfg.Host) {
			return fmt.Errorf("smtp: %s offers no STARTTLS; refusing to send in clear text", addr)
		}
	}
	if s.cfg.User != "" {
		// PlainAuth itself refuses to send the password without TLS
		// except to localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.User, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("smtp: authenticating as %s: %w", s.cfg.User, err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(Format(from, to, m, time.Now())); err != nil {
		w.Close()
		return fmt.Errorf("smtp: writing message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: ending message: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("smtp: QUIT: %w", err)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Format renders a message as RFC 5322 text: UTF-8 subject encoded as an
// RFC 2047 word, body in quoted-printable, CRLF line ends.
func Format(from, to *mail.Address, m Message, now time.Time) []byte {
	var b bytes.Buffer
	var id [12]byte
	_, _ = rand.Read(id[:])
	domain := "polder.invalid"
	if _, d, ok := strings.Cut(from.Address, "@"); ok {
		domain = d
	}
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", from.String())
	hdr("To", to.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	hdr("Date", now.UTC().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	hdr("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write(bytes.ReplaceAll([]byte(m.Text), []byte("\n"), []byte("\r\n")))
	_ = qp.Close()
	return b.Bytes()
}
