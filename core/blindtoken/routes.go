// SPDX-License-Identifier: AGPL-3.0-or-later

package blindtoken

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/verify"
	"github.com/polder-civic/polder/core/web"
)

// Limiter bounds requests per key (core/accounts' limiter fits).
type Limiter interface {
	Check(ctx context.Context, keys ...string) error
	Record(ctx context.Context, keys ...string) error
}

// Routes mounts the pages and API of untraceable participation on a space
// router: the page /<space>/anon, the admin's switch, the public key, the
// issuance and the redemption.
func (s *Service) Routes(r *web.Router) {
	h := &handlers{svc: s, srv: r.Server()}
	r.Server().SetPermissionGuard("blindtoken", s.Guard)
	r.Page(http.MethodGet, "/anon", web.NeedPublic, h.page)
	r.Page(http.MethodPost, "/anon/enable", web.NeedPermission("space.admin"), h.enable)
	r.Page(http.MethodPost, "/anon/redeem", web.NeedPublic, h.withPoW("anon", h.redeemForm))
	r.API(http.MethodGet, "/anon/key", web.NeedPublic, web.Operation{Summary: "The space's RSA public key for blind token issuance (RFC 9474, RSABSSA-SHA384-PSS-Randomized).",
		Response: "public_key (PEM), n and e (base64url, big-endian), variant."}, h.key)
	r.API(http.MethodPost, "/anon/issue", web.NeedLogin, web.Operation{Summary: "Blindly sign the participant's blinded token, once per account and space.",
		Body: map[string]string{"blinded": "string"}, Required: []string{"blinded"}, Response: "blind_signature (base64url)."}, h.issue)
	r.API(http.MethodPost, "/anon/redeem", web.NeedPublic, web.Operation{Summary: "Redeem a token: a pseudonymous participant of the space, logged in in a fresh session.",
		Body: map[string]string{"message": "string", "signature": "string"}, Required: []string{"message", "signature"}, Response: "nickname of the pseudonym."}, h.redeemAPI)
}

// keyPseudonymSpace caches, per request, the space a pseudonym belongs to.
const keyPseudonymSpace = "polder.anon.space"

// Guard keeps a pseudonymous participant inside the space whose token it
// redeemed: any permission elsewhere (another space, the organisation) is
// withdrawn, whatever roles the authorizer would give. Other accounts are
// not affected.
func (s *Service) Guard(ctx context.Context, c echo.Context, acc *accounts.Account, domain, permission string) (bool, error) {
	if acc == nil || acc.Kind != KindPseudonym {
		return true, nil
	}
	home, cached := "", false
	if c != nil {
		home, cached = c.Get(keyPseudonymSpace).(string)
	}
	if !cached {
		var err error
		if home, err = s.PseudonymSpace(ctx, acc.ID); err != nil {
			return false, err
		}
		if c != nil {
			c.Set(keyPseudonymSpace, home)
		}
	}
	return home != "" && home == domain, nil
}

type handlers struct {
	svc *Service
	srv *web.Server
}

// pageData is what anon/space shows.
type pageData struct {
	Space string
	Slug  string
	// Base is the space's URL path ("/processes/climate").
	Base     string
	Enabled  bool
	Issued   bool
	CanIssue bool
	IsAdmin  bool
	Pseudo   bool
	// Verify names the verification a participant still needs for a
	// token, and VerifyLink where to get it (coming back here).
	Verify     string
	VerifyLink string
	Error      string
	// Challenge is the proof-of-work challenge of the redemption form.
	Challenge string
}

// withPoW guards a form handler with the service's proof of work.
func (h *handlers) withPoW(purpose string, next echo.HandlerFunc) echo.HandlerFunc {
	if h.svc.PoW == nil {
		return next
	}
	return h.svc.PoW.Require(purpose)(next)
}

// challenge fills the page's proof-of-work challenge.
func (h *handlers) challenge(c echo.Context, d *pageData) error {
	if h.svc.PoW == nil || !d.Enabled {
		return nil
	}
	ch, err := h.svc.PoW.Challenge(c.Request().Context(), "anon")
	d.Challenge = ch
	return err
}

func (h *handlers) page(c echo.Context) error {
	ctx := c.Request().Context()
	sp := web.Space(c)
	d := pageData{Space: web.Domain(c), Slug: sp.Slug, Base: base(c), Enabled: h.svc.Enabled(ctx, web.Domain(c))}
	if acc := web.Account(c); acc != nil {
		d.Pseudo = acc.Kind == KindPseudonym
		if d.Enabled && !d.Pseudo {
			issued, err := h.svc.Issued(ctx, d.Space, acc.ID)
			if err != nil {
				return err
			}
			d.Issued = issued
			d.CanIssue, err = h.srv.Can(c, Permission)
			if err != nil {
				return err
			}
			if kind := h.missing(c, acc); !d.CanIssue && kind != "" {
				d.Verify = h.srv.Bundle.T(web.Locale(c), verify.NameID(kind), nil)
				d.VerifyLink = "/verify?next=" + url.QueryEscape(d.Base+"/anon")
			}
		}
	}
	var err error
	if d.IsAdmin, err = h.srv.Can(c, "space.admin"); err != nil {
		return err
	}
	if err := h.challenge(c, &d); err != nil {
		return err
	}
	return h.srv.Render(c, http.StatusOK, "anon/space", d)
}

func (h *handlers) enable(c echo.Context) error {
	if _, err := h.svc.Enable(c.Request().Context(), web.Org(c).ID, web.Domain(c)); err != nil {
		return err
	}
	h.srv.Flash(c, "anon.flash.enabled")
	return web.Redirect(c, base(c)+"/anon")
}

// base is the space's URL path.
// missing returns the verification kind that alone keeps acc from a
// token of the request's space, or "".
func (h *handlers) missing(c echo.Context, acc *accounts.Account) string {
	mv, ok := h.srv.Authz.(interface {
		MissingVerification(ctx context.Context, acc *accounts.Account, orgID int64, domain, permission string) string
	})
	if !ok {
		return ""
	}
	return mv.MissingVerification(c.Request().Context(), acc, web.Org(c).ID, web.Domain(c), Permission)
}

func base(c echo.Context) string {
	sp := web.Space(c)
	return web.SpacePrefixes[sp.Type] + "/" + sp.Slug
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// unb64 accepts base64url with or without padding, and standard base64.
func unb64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	return base64.RawURLEncoding.DecodeString(s)
}

func (h *handlers) key(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := h.svc.PublicKeyPEM(ctx, web.Domain(c))
	if err != nil {
		return err
	}
	pk, err := ParsePublicKey(p)
	if err != nil {
		return err
	}
	e := []byte{byte(pk.E >> 16), byte(pk.E >> 8), byte(pk.E)}
	return c.JSON(http.StatusOK, map[string]string{"public_key": p, "n": b64(pk.N.Bytes()), "e": b64(e), "variant": Variant.String()})
}

func (h *handlers) issue(c echo.Context) error {
	acc := web.Account(c)
	if acc.Kind == KindPseudonym {
		return perr.New(perr.CodeForbidden, "anon.error.pseudonym", nil)
	}
	ok, err := h.srv.Can(c, Permission)
	if err != nil {
		return err
	}
	if !ok {
		if kind := h.missing(c, acc); kind != "" {
			return perr.New(perr.CodeForbidden, "anon.error.verification", map[string]any{"Kind": kind})
		}
		return perr.New(perr.CodeForbidden, "anon.error.not_permitted", nil)
	}
	var body struct {
		Blinded string `json:"blinded"`
	}
	if err := c.Bind(&body); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	blinded, err := unb64(body.Blinded)
	if err != nil || len(blinded) == 0 {
		return perr.New(perr.CodeInvalid, "anon.error.blinded", nil)
	}
	sig, err := h.svc.Issue(c.Request().Context(), web.Domain(c), acc.ID, blinded)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"blind_signature": b64(sig)})
}

// ParseToken splits the text the page shows the participant to keep,
// "<message>.<signature>" in base64url.
func ParseToken(s string) (msg, sig []byte, err error) {
	m, g, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return nil, nil, perr.New(perr.CodeInvalid, "anon.error.token", nil)
	}
	if msg, err = unb64(m); err != nil {
		return nil, nil, perr.New(perr.CodeInvalid, "anon.error.token", nil)
	}
	if sig, err = unb64(g); err != nil {
		return nil, nil, perr.New(perr.CodeInvalid, "anon.error.token", nil)
	}
	return msg, sig, nil
}

// FormatToken is the inverse of ParseToken.
func FormatToken(msg, sig []byte) string { return b64(msg) + "." + b64(sig) }

// redeem ends whatever session the browser had (the verified account's
// above all: keeping it would store both accounts under one session
// token), redeems the token and logs the pseudonym in a fresh session.
func (h *handlers) redeem(c echo.Context, msg, sig []byte) (*accounts.Account, error) {
	acc, err := h.svc.Redeem(c.Request().Context(), web.Org(c).ID, web.Domain(c), msg, sig)
	if err != nil {
		return nil, err
	}
	if err := h.srv.Logout(c); err != nil {
		return nil, err
	}
	if err := h.srv.LoginAccount(c, acc); err != nil {
		return nil, err
	}
	return acc, nil
}

func (h *handlers) redeemForm(c echo.Context) error {
	if err := web.RequireForm(c); err != nil {
		return err
	}
	msg, sig, err := ParseToken(c.FormValue("token"))
	if err == nil {
		_, err = h.redeem(c, msg, sig)
	}
	if err != nil {
		if pe, ok := perr.As(err); ok && (pe.Code == perr.CodeInvalid || pe.Code == perr.CodeConflict) {
			d := pageData{Space: web.Domain(c), Slug: web.Space(c).Slug, Base: base(c), Enabled: true, Error: pe.MessageID}
			if err := h.challenge(c, &d); err != nil {
				return err
			}
			return h.srv.Render(c, http.StatusUnprocessableEntity, "anon/space", d)
		}
		return err
	}
	h.srv.Flash(c, "anon.flash.redeemed")
	return web.Redirect(c, base(c))
}

func (h *handlers) redeemAPI(c echo.Context) error {
	var body struct {
		Message   string `json:"message"`
		Signature string `json:"signature"`
	}
	if err := c.Bind(&body); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	msg, err1 := unb64(body.Message)
	sig, err2 := unb64(body.Signature)
	if err1 != nil || err2 != nil {
		return perr.New(perr.CodeInvalid, "anon.error.token", nil)
	}
	acc, err := h.redeem(c, msg, sig)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"nickname": acc.Nickname})
}
