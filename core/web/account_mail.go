// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"log/slog"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/mail"
	"github.com/polder-civic/polder/core/orgs"
)

// linkBase is the scheme and host put in mailed links. The configured
// base URL wins; otherwise the request's host, but only when it is the
// organisation's own host, since a forged Host header must not send a
// reset link pointing elsewhere.
func (s *Server) linkBase(c echo.Context) string {
	if b := strings.TrimRight(s.Accounts.BaseURL, "/"); b != "" {
		return b
	}
	scheme := "http"
	if s.SecureCookies || c.Request().TLS != nil {
		scheme = "https"
	}
	host := c.Request().Host
	if org := Org(c); org != nil && !strings.EqualFold(orgs.HostOnly(host), org.Host) {
		host = org.Host
	}
	return scheme + "://" + host
}

// sendAccountMail mails a link to an account in its language. A failure
// is logged: the participant sees the same page, and can ask again.
func (s *Server) sendAccountMail(c echo.Context, acc *accounts.Account, kind, path, secret string) {
	if acc.Email == nil {
		return
	}
	loc := acc.Locale
	if loc == "" {
		loc = Locale(c)
	}
	link := s.linkBase(c) + path + "?token=" + url.QueryEscape(secret)
	data := map[string]any{"Org": Org(c).Name, "Link": link, "Name": acc.Name}
	m := mail.Message{To: *acc.Email, Subject: s.Bundle.T(loc, "accounts.mail."+kind+".subject", data), Text: s.Bundle.T(loc, "accounts.mail."+kind+".text", data)}
	if err := s.Accounts.Mailer.Send(c.Request().Context(), m); err != nil {
		slog.Error("sending account mail", "kind", kind, "account", acc.ID, "err", err)
	}
}

// mailLink sends a confirmation or reset link to an address, at most
// ResetLimiter's number of times per address and per IP address.
func (s *Server) mailLink(c echo.Context, email, kind string) error {
	ctx := c.Request().Context()
	email = strings.ToLower(strings.TrimSpace(email))
	keys := []string{kind + ":ip:" + c.RealIP(), ""}
	if email != "" {
		keys[1] = kind + ":email:" + email
	}
	lim := s.Accounts.ResetLimiter
	if err := lim.Check(ctx, keys...); err != nil {
		return err
	}
	if err := lim.Record(ctx, keys...); err != nil {
		return err
	}
	switch kind {
	case "confirm":
		acc, secret, err := s.Accounts.RequestConfirmation(ctx, Org(c).ID, email)
		if err != nil || acc == nil {
			return err
		}
		s.sendAccountMail(c, acc, "confirm", "/confirm", secret)
	case "reset":
		acc, secret, err := s.Accounts.RequestPasswordReset(ctx, Org(c).ID, email)
		if err != nil || acc == nil {
			return err
		}
		s.sendAccountMail(c, acc, "reset", "/password/reset", secret)
		s.auditAccount(c, acc.ID, "account.password_reset_request", "account", itoa(acc.ID))
	}
	return nil
}
