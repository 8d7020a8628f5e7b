// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/mail"
	"github.com/polder-civic/polder/core/perr"
)

// mountAccounts registers every page and API route of accounts: one
// handler per file (account_<noun>_<verb>.go), all listed here.
func (s *Server) mountAccounts() {
	// Runs after loadAccount (global middleware apply in order), before
	// any handler: a session opened before a password reset or an erasure
	// is dropped.
	s.Echo.Use(s.checkSessionEpoch)

	r := s.Root()
	r.Page(http.MethodGet, "/register", NeedPublic, s.accountRegisterForm)
	r.Page(http.MethodPost, "/register", NeedPublic, s.accountRegister)
	r.Page(http.MethodGet, "/confirm", NeedPublic, s.accountConfirmForm)
	r.Page(http.MethodPost, "/confirm", NeedPublic, s.accountConfirm)
	r.Page(http.MethodGet, "/confirm/resend", NeedPublic, s.accountConfirmResendForm)
	r.Page(http.MethodPost, "/confirm/resend", NeedPublic, s.accountConfirmResend)
	r.Page(http.MethodGet, "/login", NeedPublic, s.accountLoginForm)
	r.Page(http.MethodPost, "/login", NeedPublic, s.accountLogin)
	r.Page(http.MethodPost, "/logout", NeedPublic, s.accountLogout)
	r.Page(http.MethodGet, "/password/forgot", NeedPublic, s.accountPasswordForgotForm)
	r.Page(http.MethodPost, "/password/forgot", NeedPublic, s.accountPasswordForgot)
	r.Page(http.MethodGet, "/password/reset", NeedPublic, s.accountPasswordResetForm)
	r.Page(http.MethodPost, "/password/reset", NeedPublic, s.accountPasswordReset)
	r.Page(http.MethodGet, "/account", NeedLogin, s.accountShow)
	r.Page(http.MethodPost, "/account", NeedLogin, s.accountUpdate)
	r.Page(http.MethodGet, "/account/data", NeedLogin, s.accountDataDownload)
	r.Page(http.MethodGet, "/account/delete", NeedLogin, s.accountDeleteForm)
	r.Page(http.MethodPost, "/account/delete", NeedLogin, s.accountDelete)
	r.Page(http.MethodGet, "/account/tokens", NeedLogin, s.accountTokenList)
	r.Page(http.MethodPost, "/account/tokens", NeedLogin, s.accountTokenCreate)
	r.Page(http.MethodPost, "/account/tokens/:id/revoke", NeedLogin, s.accountTokenRevoke)

	r.API(http.MethodPost, "/register", NeedPublic, Operation{
		Summary:  "Register an account; a confirmation link is mailed. Like every cookie request, needs the session's X-CSRF-Token.",
		Body:     map[string]string{"email": "string", "name": "string", "nickname": "string", "password": "string", "locale": "string", "kind": "string"},
		Required: []string{"email", "name", "nickname", "password"},
		Response: "The new (unconfirmed) account.",
	}, s.accountRegisterAPI)
	r.API(http.MethodGet, "/me", NeedLogin, Operation{Summary: "The authenticated account.", Response: "The account."}, s.accountShowAPI)
	r.API(http.MethodPatch, "/me", NeedLogin, Operation{
		Summary:  "Update the authenticated account's profile.",
		Body:     map[string]string{"name": "string", "nickname": "string", "locale": "string"},
		Required: []string{"name", "nickname"},
		Response: "The updated account.",
	}, s.accountUpdateAPI)
	r.API(http.MethodGet, "/me/data", NeedLogin, Operation{Summary: "Download every piece of personal data held about the account (GDPR).", Response: "The personal data export."}, s.accountDataDownloadAPI)
	r.API(http.MethodDelete, "/me", NeedLogin, Operation{
		Summary:  "Delete (anonymise) the authenticated account; contributions stay under a neutral name.",
		Body:     map[string]string{"password": "string"},
		Required: []string{"password"},
		Response: "No content.",
	}, s.accountDeleteAPI)
	r.API(http.MethodGet, "/me/tokens", NeedLogin, Operation{Summary: "List the account's personal access tokens (never their secrets).", Response: "The tokens."}, s.accountTokenListAPI)
	r.API(http.MethodPost, "/me/tokens", NeedLogin, Operation{
		Summary:  "Create a personal access token; its secret is returned once.",
		Body:     map[string]string{"name": "string"},
		Required: []string{"name"},
		Response: "The token and its secret.",
	}, s.accountTokenCreateAPI)
	r.API(http.MethodDelete, "/me/tokens/:id", NeedLogin, Operation{Summary: "Revoke a personal access token.", Response: "No content."}, s.accountTokenRevokeAPI)
}

const sessionEpochKey = "account_epoch"

// checkSessionEpoch logs out a session whose account has since ended all
// its sessions (password reset, erasure).
func (s *Server) checkSessionEpoch(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		acc := Account(c)
		if acc == nil || strings.HasPrefix(c.Request().Header.Get("Authorization"), "Bearer ") {
			return next(c)
		}
		ctx := c.Request().Context()
		if s.Sessions.GetInt64(ctx, sessionEpochKey) != acc.SessionEpoch {
			s.Sessions.Remove(ctx, sessionAccountKey)
			s.Sessions.Remove(ctx, sessionEpochKey)
			c.Set(keyAccount, nil)
		}
		return next(c)
	}
}

// LoginAccount opens a session for an account: the session token is
// rotated, the account's session epoch and preferred language are
// remembered. Every way of logging in goes through it.
func (s *Server) LoginAccount(c echo.Context, acc *accounts.Account) error {
	if err := s.Login(c, acc.ID); err != nil {
		return err
	}
	ctx := c.Request().Context()
	s.Sessions.Put(ctx, sessionEpochKey, acc.SessionEpoch)
	if acc.Locale != "" {
		s.Sessions.Put(ctx, "locale", acc.Locale)
	}
	c.Set(keyAccount, acc)
	return nil
}

// accountHolders lists what keeps personal data, for export and erasure:
// the core services registered with accounts' AddHolder, the authorizer
// (role grants) when it implements the interfaces, the space types and
// the modules.
func (s *Server) accountHolders() accounts.Holders {
	all := s.Accounts.CoreHolders()
	if s.Authz != nil {
		all["core_roles"] = s.Authz
	}
	for _, m := range s.Registry.Modules() {
		all[m.Manifest().ID] = m
	}
	for t, res := range s.spaces {
		all[t] = res
	}
	return accounts.HoldersOf(all)
}

// audit records an account action; details never carry secrets.
func (s *Server) auditAccount(c echo.Context, actorID int64, action, resourceType, resourceID string) {
	if s.Audit == nil {
		return
	}
	s.Audit.Record(c.Request().Context(), AuditEntry{OrganisationID: Org(c).ID, ActorID: actorID, Action: action, ResourceType: resourceType, ResourceID: resourceID})
}

// localPath returns next when it is a path on this site, else "/": the
// login form must not become an open redirect.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

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
	if org := Org(c); org != nil && !strings.EqualFold(hostOnly(host), org.Host) {
		host = org.Host
	}
	return scheme + "://" + host
}

func hostOnly(h string) string {
	if i := strings.LastIndex(h, ":"); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
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

// ---- forms ----

// FormField is one field of an account form, ready for the template.
type FormField struct {
	Name         string
	Type         string // text, email, password, select
	Label        string // message ID
	Hint         string // message ID
	Value        string
	Autocomplete string
	Required     bool
	Options      []FormOption
	// Error is the message ID of the field's error.
	Error string
}

// FormOption is one choice of a select field.
type FormOption struct {
	Value string
	Label string // message ID
	// Lang marks a label written in another language (a language's own
	// name), so screen readers pronounce it right.
	Lang string
}

// DescribedBy lists the ids of the field's hint and error for
// aria-describedby.
func (f FormField) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, "f-"+f.Name+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, "f-"+f.Name+"-error")
	}
	return strings.Join(ids, " ")
}

// FormLink is a link under a form ("Forgot your password?").
type FormLink struct {
	Href  string
	Label string // message ID
}

// FormPage is the data of accounts/form: a titled form with fields,
// per-field errors, a form-level error and links.
type FormPage struct {
	Title  string // message ID
	Intro  string // message ID
	Action string
	Submit string // message ID
	Danger bool
	Fields []FormField
	// Hidden fields (next, token).
	Hidden map[string]string
	// Error is the form-level message ID; ErrData fills it and the
	// fields' messages.
	Error   string
	ErrData map[string]any
	Links   []FormLink
}

// fill copies submitted values into the fields, except passwords, which
// are never sent back to the browser.
func (p *FormPage) fill(values map[string]string) {
	for i := range p.Fields {
		if p.Fields[i].Type != "password" {
			p.Fields[i].Value = values[p.Fields[i].Name]
		}
	}
}

// setError puts a domain error on the form: its message and its
// per-field messages. Errors without a code are returned for the error
// handler (they are internal).
func (p *FormPage) setError(err error) (int, error) {
	pe, ok := perr.As(err)
	if !ok || pe.Code == perr.CodeInternal {
		return 0, err
	}
	p.Error, p.ErrData = pe.MessageID, pe.Data
	for i := range p.Fields {
		p.Fields[i].Error = pe.Fields[p.Fields[i].Name]
	}
	return StatusOf(pe.Code), nil
}

// renderForm shows a form page, with an error when err is not nil.
func (s *Server) renderForm(c echo.Context, p *FormPage, err error) error {
	status := http.StatusOK
	if err != nil {
		st, ierr := p.setError(err)
		if ierr != nil {
			return ierr
		}
		status = st
	}
	return s.Render(c, status, "accounts/form", p)
}

// MessagePage is the data of accounts/message: a title, a text and links.
type MessagePage struct {
	Title string // message ID
	Text  string // message ID
	Data  map[string]any
	Links []FormLink
}

// ---- JSON ----

// bindAccountJSON decodes a JSON API body into dst, refusing other content
// types, unknown fields and trailing data.
func bindAccountJSON(c echo.Context, dst any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return perr.New(perr.CodeBadRequest, "error.content_type", nil)
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		var he *echo.HTTPError
		if errors.As(err, &mbe) || errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return perr.New(perr.CodeBadRequest, "error.too_large", nil)
		}
		return &perr.Error{Code: perr.CodeBadRequest, MessageID: "error.bad_request", Err: fmt.Errorf("decoding JSON: %w", err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	return nil
}

// accountForm reads a posted form, refusing other content types.
func accountForm(c echo.Context) (map[string]string, error) {
	if err := RequireForm(c); err != nil {
		return nil, err
	}
	return FormMap(c)
}

// reloadAccount returns the account as stored now.
func (s *Server) reloadAccount(ctx context.Context, c echo.Context) (*accounts.Account, error) {
	return s.Accounts.Get(ctx, Org(c).ID, AccountID(c))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// isBearer reports whether the request authenticates with a personal
// access token rather than a session cookie.
func isBearer(c echo.Context) bool {
	return strings.HasPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
}
