// SPDX-License-Identifier: AGPL-3.0-or-later

package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/authz"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
)

// sessionState is the session key holding a redirect method's state.
const sessionState = "verify.state"

// handlers serve the participant's and the admin's pages and API.
type handlers struct {
	s *web.Server
	v *Service
}

// Mount registers the verification pages and API on the server's root.
func Mount(s *web.Server, v *Service) {
	h := &handlers{s: s, v: v}
	// Registered last, it runs inside core's middleware (organisation,
	// account, locale known) and sees every route's refusal.
	s.Echo.Use(h.explainRefusal)
	r := s.Root()
	login, admin := web.NeedLogin, web.NeedPermission(authz.PermOrgAdmin)
	get, post := http.MethodGet, http.MethodPost
	r.Page(get, "/verify", login, h.page)
	r.Page(post, "/verify/:kind", login, h.submit)
	r.Page(get, "/verify/:kind/callback", login, h.callback)
	r.Page(get, "/admin/verify", admin, h.adminPage)
	r.Page(post, "/admin/verify/census/upload", admin, h.adminCensus)
	r.Page(post, "/admin/verify/codes/generate", admin, h.adminCodes)
	r.Page(post, "/admin/verify/:kind", admin, h.adminConfigure)
	r.API(get, "/verify", login, web.Operation{Summary: "The verification methods the organisation offers and the account's verifications",
		Response: "methods, verifications"}, h.apiList)
	r.API(post, "/verify/:kind", login, web.Operation{Summary: "Verify the account with a form method (census: identifier, birth_date; code: code; email_domain: nothing)",
		Body: map[string]string{"identifier": "string", "birth_date": "string", "code": "string"}, Response: "the verification"}, h.apiVerify)
	r.API(get, "/admin/verify", admin, web.Operation{Summary: "Every verification method's settings, census and code counts",
		Response: "array of methods"}, h.apiAdmin)
	r.API(post, "/admin/verify/census/upload", admin, web.Operation{Summary: "Add hashed identifiers and birth dates to the census (CSV text: digest,birth_date)",
		Body: map[string]string{"csv": "string"}, Required: []string{"csv"}, Response: "added"}, h.apiCensus)
	r.API(post, "/admin/verify/codes/generate", admin, web.Operation{Summary: "Generate one-time invitation codes (returned once)",
		Body: map[string]string{"count": "integer", "batch": "string"}, Required: []string{"count"}, Response: "codes"}, h.apiCodes)
	r.API(post, "/admin/verify/:kind", admin, web.Operation{Summary: "Enable or disable a verification method, its validity in days and configuration",
		Body: map[string]string{"enabled": "boolean", "valid_days": "integer", "config": "string"}, Required: []string{"enabled"}, Response: "the settings"}, h.apiConfigure)
}

// RequiredPage is the refusal page of an action that needs a verification.
type RequiredPage struct {
	Name string // the verification's translated name
	Link string
}

// explainRefusal turns core's "verification required" refusal into one
// that names the verification in the reader's language and links to the
// page where the participant can obtain it, coming back afterwards.
func (h *handlers) explainRefusal(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		pe, ok := perr.As(err)
		if !ok || pe.MessageID != "authz.error.verification_required" || web.Org(c) == nil {
			return err
		}
		kind, _ := pe.Data["Kind"].(string)
		link := "/verify"
		if c.Request().Method == http.MethodGet && !web.IsAPI(c) {
			link += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
		}
		name := h.s.Bundle.T(web.Locale(c), NameID(kind), nil)
		if web.IsAPI(c) || strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON) {
			return perr.New(perr.CodeForbidden, "verify.error.required", map[string]any{"Name": name, "Link": link, "Kind": kind})
		}
		return h.s.Render(c, http.StatusForbidden, "verify/required", &RequiredPage{Name: name, Link: link})
	}
}

// MethodView is one method as the pages show it.
type MethodView struct {
	Kind     string
	Name     string // i18n id
	Records  string // i18n id
	Fields   []Field
	Redirect bool
	Held     *Record
}

// Page is the participant's page.
type Page struct {
	Methods []MethodView
	Records []Record
	Next    string
	Error   string
	ErrData map[string]any
	Kind    string // the method the error is about
}

// NameID is the i18n id of a kind's name.
func NameID(kind string) string {
	if strings.HasPrefix(kind, "oidc") {
		return "verify.kind.oidc"
	}
	return "verify.kind." + kind
}

func view(m Method) MethodView {
	_, redirect := m.(Redirector)
	return MethodView{Kind: m.Kind(), Name: NameID(m.Kind()), Records: m.Records(), Fields: m.Fields(), Redirect: redirect}
}

func (h *handlers) render(c echo.Context, status int, p *Page) error {
	ctx := c.Request().Context()
	ms, err := h.v.Enabled(ctx, web.Org(c).ID)
	if err != nil {
		return err
	}
	recs, err := h.v.Records(ctx, web.AccountID(c))
	if err != nil {
		return err
	}
	p.Records = recs
	for _, m := range ms {
		mv := view(m)
		for i := range recs {
			if recs[i].Kind == m.Kind() {
				mv.Held = &recs[i]
			}
		}
		p.Methods = append(p.Methods, mv)
	}
	return h.s.Render(c, status, "verify/index", p)
}

func (h *handlers) page(c echo.Context) error {
	return h.render(c, http.StatusOK, &Page{Next: localPath(c.QueryParam("next"))})
}

// localPath keeps next a path on this site (no open redirect).
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n\t") {
		return ""
	}
	return next
}

// redirectURL is where the provider sends the participant back: this
// site, as the participant reached it.
func redirectURL(c echo.Context, kind string) string {
	return c.Scheme() + "://" + c.Request().Host + "/verify/" + kind + "/callback"
}

func (h *handlers) submit(c echo.Context) error {
	if err := web.RequireForm(c); err != nil {
		return err
	}
	form, err := web.FormMap(c)
	if err != nil {
		return err
	}
	kind, next := c.Param("kind"), localPath(form["next"])
	ctx := c.Request().Context()
	if m, ok := h.v.Method(kind); ok {
		if _, redirect := m.(Redirector); redirect {
			to, st, err := h.v.Start(ctx, web.Account(c), kind, redirectURL(c, kind))
			if err != nil {
				return err
			}
			st["kind"], st["next"] = kind, next
			b, _ := json.Marshal(st)
			h.s.Sessions.Put(ctx, sessionState, string(b))
			return c.Redirect(http.StatusSeeOther, to)
		}
	}
	if _, err := h.v.Verify(ctx, web.Account(c), kind, form); err != nil {
		pe, ok := perr.As(err)
		if !ok || pe.Code == perr.CodeNotFound || pe.Code == perr.CodeInternal {
			return err
		}
		return h.render(c, web.StatusOf(pe.Code), &Page{Next: next, Error: pe.MessageID, ErrData: pe.Data, Kind: kind})
	}
	h.audit(c, "verification.create", kind)
	return h.done(c, next)
}

func (h *handlers) done(c echo.Context, next string) error {
	h.s.Flash(c, "verify.flash.verified")
	if next == "" {
		next = "/verify"
	}
	return web.Redirect(c, next)
}

func (h *handlers) callback(c echo.Context) error {
	ctx := c.Request().Context()
	kind := c.Param("kind")
	var st map[string]string
	if raw := h.s.Sessions.PopString(ctx, sessionState); raw != "" {
		_ = json.Unmarshal([]byte(raw), &st)
	}
	if st == nil || st["kind"] != kind {
		return h.render(c, http.StatusBadRequest, &Page{Error: "verify.oidc.error.refused", Kind: kind})
	}
	q := map[string]string{"code": c.QueryParam("code"), "state": c.QueryParam("state"), "error": c.QueryParam("error")}
	if _, err := h.v.Finish(ctx, web.Account(c), kind, redirectURL(c, kind), q, st); err != nil {
		pe, ok := perr.As(err)
		if !ok || pe.Code == perr.CodeNotFound || pe.Code == perr.CodeInternal {
			return err
		}
		return h.render(c, web.StatusOf(pe.Code), &Page{Next: st["next"], Error: pe.MessageID, ErrData: pe.Data, Kind: kind})
	}
	h.audit(c, "verification.create", kind)
	return h.done(c, localPath(st["next"]))
}

func (h *handlers) audit(c echo.Context, action, kind string) {
	if h.s.Audit == nil {
		return
	}
	h.s.Audit.Record(c.Request().Context(), web.AuditEntry{OrganisationID: web.Org(c).ID, ActorID: web.AccountID(c), Action: action, ResourceType: "verification", ResourceID: kind})
}

// AdminMethod is one method's settings as the admin sees them.
type AdminMethod struct {
	MethodView
	Enabled   bool   `json:"enabled"`
	ValidDays int    `json:"valid_days"`
	Config    string `json:"config"`
	// Secret is the census key organisations hash identifiers with.
	Secret string `json:"secret,omitempty"`
	Total  int64  `json:"total,omitempty"`
	Used   int64  `json:"used,omitempty"`
}

// AdminPage is the admin's page.
type AdminPage struct {
	Methods []AdminMethod
	Error   string
	ErrData map[string]any
	Added   int
	Done    bool
}

func (h *handlers) adminMethods(c echo.Context) ([]AdminMethod, error) {
	ctx := c.Request().Context()
	org := web.Org(c).ID
	var out []AdminMethod
	for _, m := range h.v.Methods() {
		st, err := h.v.Settings(ctx, org, m.Kind())
		if err != nil {
			return nil, err
		}
		am := AdminMethod{MethodView: view(m), Enabled: st.Enabled, ValidDays: st.ValidDays, Config: st.Config}
		switch m.(type) {
		case Census:
			am.Secret = st.Secret
			am.Total, am.Used, err = h.v.CensusStats(ctx, org)
		case Codes:
			am.Total, am.Used, err = h.v.CodeStats(ctx, org)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, am)
	}
	return out, nil
}

func (h *handlers) renderAdmin(c echo.Context, status int, p *AdminPage) error {
	ms, err := h.adminMethods(c)
	if err != nil {
		return err
	}
	p.Methods = ms
	return h.s.Render(c, status, "verify/admin", p)
}

func (h *handlers) adminPage(c echo.Context) error {
	return h.renderAdmin(c, http.StatusOK, &AdminPage{})
}

func (h *handlers) adminError(c echo.Context, err error) error {
	pe, ok := perr.As(err)
	if !ok || pe.Code == perr.CodeInternal {
		return err
	}
	return h.renderAdmin(c, web.StatusOf(pe.Code), &AdminPage{Error: pe.MessageID, ErrData: pe.Data})
}

func (h *handlers) adminConfigure(c echo.Context) error {
	if err := web.RequireForm(c); err != nil {
		return err
	}
	form, err := web.FormMap(c)
	if err != nil {
		return err
	}
	days, err := strconv.Atoi(strings.TrimSpace(form["valid_days"]))
	if err != nil {
		return h.adminError(c, perr.Invalid("verify.error.valid_days", nil))
	}
	if _, err := h.v.Configure(c.Request().Context(), web.Org(c).ID, c.Param("kind"), form["enabled"] != "", days, form["config"]); err != nil {
		return h.adminError(c, err)
	}
	h.audit(c, "verification.configure", c.Param("kind"))
	h.s.Flash(c, "verify.flash.saved")
	return web.Redirect(c, "/admin/verify")
}

// censusBody reads the uploaded file, or the pasted text.
func censusBody(c echo.Context) (io.Reader, error) {
	if fh, err := c.FormFile("file"); err == nil {
		if fh.Size > 200<<20 {
			return nil, perr.Invalid("verify.census.error.too_large", nil)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("opening census upload: %w", err)
		}
		return f, nil
	}
	return strings.NewReader(c.FormValue("csv")), nil
}

func (h *handlers) adminCensus(c echo.Context) error {
	if err := web.RequireForm(c); err != nil {
		return err
	}
	body, err := censusBody(c)
	if err != nil {
		return h.adminError(c, err)
	}
	if cl, ok := body.(io.Closer); ok {
		defer cl.Close()
	}
	entries, err := ParseCensus(body)
	if err != nil {
		return h.adminError(c, err)
	}
	added, err := h.v.UploadCensus(c.Request().Context(), web.Org(c).ID, entries)
	if err != nil {
		return err
	}
	h.audit(c, "verification.census_upload", strconv.Itoa(added))
	return h.renderAdmin(c, http.StatusOK, &AdminPage{Added: added, Done: true})
}

func (h *handlers) adminCodes(c echo.Context) error {
	if err := web.RequireForm(c); err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("count")))
	if err != nil {
		return h.adminError(c, perr.Invalid("verify.codes.error.count", map[string]any{"Max": MaxCodes}))
	}
	codes, err := h.v.GenerateCodes(c.Request().Context(), web.Org(c).ID, n, c.FormValue("batch"))
	if err != nil {
		return h.adminError(c, err)
	}
	h.audit(c, "verification.codes_generate", strconv.Itoa(n))
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="invitation-codes.csv"`)
	var b strings.Builder
	b.WriteString("code\n")
	for _, code := range codes {
		b.WriteString(code + "\n")
	}
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

// decodeJSON reads a JSON body, refusing unknown fields.
func decodeJSON(c echo.Context, dst any) error {
	if !strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		return perr.New(perr.CodeBadRequest, "error.content_type", nil)
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	return nil
}

// ListResponse is the participant's API view.
type ListResponse struct {
	Methods       []string `json:"methods"`
	Verifications []Record `json:"verifications"`
}

func (h *handlers) apiList(c echo.Context) error {
	ctx := c.Request().Context()
	ms, err := h.v.Enabled(ctx, web.Org(c).ID)
	if err != nil {
		return err
	}
	recs, err := h.v.Records(ctx, web.AccountID(c))
	if err != nil {
		return err
	}
	out := ListResponse{Methods: []string{}, Verifications: recs}
	for _, m := range ms {
		out.Methods = append(out.Methods, m.Kind())
	}
	if out.Verifications == nil {
		out.Verifications = []Record{}
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) apiVerify(c echo.Context) error {
	var in struct {
		Identifier string `json:"identifier"`
		BirthDate  string `json:"birth_date"`
		Code       string `json:"code"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	rec, err := h.v.Verify(c.Request().Context(), web.Account(c), c.Param("kind"),
		map[string]string{"identifier": in.Identifier, "birth_date": in.BirthDate, "code": in.Code})
	if err != nil {
		return err
	}
	h.audit(c, "verification.create", rec.Kind)
	return c.JSON(http.StatusCreated, rec)
}

func (h *handlers) apiAdmin(c echo.Context) error {
	ms, err := h.adminMethods(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ms)
}

func (h *handlers) apiConfigure(c echo.Context) error {
	var in struct {
		Enabled   bool   `json:"enabled"`
		ValidDays int    `json:"valid_days"`
		Config    string `json:"config"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.ValidDays == 0 {
		in.ValidDays = DefaultValidDays
	}
	st, err := h.v.Configure(c.Request().Context(), web.Org(c).ID, c.Param("kind"), in.Enabled, in.ValidDays, in.Config)
	if err != nil {
		return err
	}
	h.audit(c, "verification.configure", st.Method)
	return c.JSON(http.StatusOK, map[string]any{"method": st.Method, "enabled": st.Enabled, "valid_days": st.ValidDays, "config": st.Config})
}

func (h *handlers) apiCensus(c echo.Context) error {
	var in struct {
		CSV string `json:"csv"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	entries, err := ParseCensus(strings.NewReader(in.CSV))
	if err != nil {
		return err
	}
	added, err := h.v.UploadCensus(c.Request().Context(), web.Org(c).ID, entries)
	if err != nil {
		return err
	}
	h.audit(c, "verification.census_upload", strconv.Itoa(added))
	return c.JSON(http.StatusOK, map[string]int{"added": added})
}

func (h *handlers) apiCodes(c echo.Context) error {
	var in struct {
		Count int    `json:"count"`
		Batch string `json:"batch"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	codes, err := h.v.GenerateCodes(c.Request().Context(), web.Org(c).ID, in.Count, in.Batch)
	if err != nil {
		return err
	}
	h.audit(c, "verification.codes_generate", strconv.Itoa(in.Count))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, map[string][]string{"codes": codes})
}
