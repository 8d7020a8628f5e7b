// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/sortition/lottery"
)

type handlers struct {
	s   *web.Server
	svc *Service
}

// Base is what every page of the module shows.
type Base struct {
	Space     *registry.Space
	Component *registry.Component
	URL       string
	IsAdmin   bool
	Draw      *Draw
}

func (h *handlers) base(c echo.Context) (Base, error) {
	sp, comp := web.Space(c), web.Component(c)
	ok, err := h.s.Can(c, permAdmin)
	b := Base{Space: sp, Component: comp, IsAdmin: err == nil && ok,
		URL: web.SpacePrefixes[sp.Type] + "/" + sp.Slug + "/c/" + strconv.FormatInt(comp.ID, 10)}
	d, err := h.svc.Get(c.Request().Context(), comp)
	b.Draw = d
	return b, err
}

// PanelRow is one drawn member as shown publicly: pseudonym and features.
type PanelRow struct {
	ID       string
	Features []string
}

// IndexPage is the public page: commitment, then the drawn panel.
type IndexPage struct {
	Base
	Record   *lottery.Record
	Panel    []PanelRow
	Verified []string
	// Progress of a background draw (0-100).
	Progress int
	// Current is the panel as it stands after replacements.
	Current      []PanelRow
	Replacements []ReplacementView
	Error        string
	Detail       string
	Defaults     registry.Values
	// Sign-up: the form while it is open, the viewer's own sign-up.
	Form      *SignupForm
	MySignup  *SignupView
	SignedIn  bool
	LoginNext string
	// ClosesAt is the sign-up's closing date as pages show it ("" when
	// none); SignupEnded: it has come.
	ClosesAt    string
	SignupEnded bool
}

func panelRows(rec *lottery.Record, ids []string) []PanelRow {
	feat := make(map[string][]string, len(rec.Pool))
	for _, m := range rec.Pool {
		feat[m.ID] = m.Features
	}
	out := make([]PanelRow, len(ids))
	for i, id := range ids {
		out[i] = PanelRow{ID: id, Features: feat[id]}
	}
	return out
}

func (h *handlers) page(c echo.Context) (*IndexPage, error) {
	b, err := h.base(c)
	if err != nil {
		return nil, err
	}
	p := &IndexPage{Base: b, Defaults: settingsSchema.Decode(b.Component.Settings), LoginNext: b.URL}
	if err := h.signupState(c, p); err != nil {
		return nil, err
	}
	if b.Draw != nil && b.Draw.Status == StatusDrawing && h.svc.jobs != nil {
		if j, err := h.svc.jobs.Latest(c.Request().Context(), JobDraw, strconv.FormatInt(b.Draw.ID, 10)); err == nil && j != nil {
			p.Progress = j.Progress
		}
	}
	if b.Draw != nil && b.Draw.Status == StatusDrawn {
		rec, err := b.Draw.PublishedRecord()
		if err != nil {
			return nil, err
		}
		p.Record, p.Panel = rec, panelRows(rec, rec.Selected)
		ctx := c.Request().Context()
		cur, err := h.svc.Current(ctx, b.Draw)
		if err != nil {
			return nil, err
		}
		p.Current = panelRows(rec, cur)
		reps, err := h.svc.Replacements(ctx, b.Draw)
		if err != nil {
			return nil, err
		}
		for _, r := range reps {
			p.Replacements = append(p.Replacements, replacementView(r))
		}
	}
	return p, nil
}

func (h *handlers) index(c echo.Context) error {
	p, err := h.page(c)
	if err != nil {
		return err
	}
	return h.s.Render(c, http.StatusOK, "sortition/index", p)
}

func (h *handlers) recordJSON(c echo.Context) error {
	b, err := h.base(c)
	if err != nil {
		return err
	}
	if b.Draw == nil || b.Draw.Status != StatusDrawn {
		return perr.NotFound("record")
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="sortition-record.json"`)
	return c.Blob(http.StatusOK, "application/json", []byte(b.Draw.Record))
}

// verify replays the stored record and shows the panel it draws.
func (h *handlers) verify(c echo.Context) error {
	p, err := h.page(c)
	if err != nil {
		return err
	}
	if p.Record == nil {
		return perr.NotFound("record")
	}
	return h.renderVerify(c, p, p.Record)
}

// verifyPosted replays a record a visitor pastes (e.g. the downloaded one).
func (h *handlers) verifyPosted(c echo.Context) error {
	p, err := h.page(c)
	if err != nil {
		return err
	}
	rec, _, err := lottery.ReadRecord(strings.NewReader(c.FormValue("record")))
	if err != nil || rec == nil {
		p.Error, p.Detail = "sortition.verify.failed", errText(err, "not a panel record")
		return h.s.Render(c, http.StatusUnprocessableEntity, "sortition/verify", p)
	}
	return h.renderVerify(c, p, rec)
}

func errText(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}

func (h *handlers) renderVerify(c echo.Context, p *IndexPage, rec *lottery.Record) error {
	sel, err := rec.Verify()
	if err != nil {
		p.Error, p.Detail = "sortition.verify.failed", err.Error()
		return h.s.Render(c, http.StatusUnprocessableEntity, "sortition/verify", p)
	}
	p.Verified = sel
	p.Panel = panelRows(rec, sel)
	return h.s.Render(c, http.StatusOK, "sortition/verify", p)
}

func (h *handlers) apiVerify(c echo.Context) error {
	b, err := h.base(c)
	if err != nil {
		return err
	}
	if b.Draw == nil || b.Draw.Status != StatusDrawn {
		return perr.NotFound("record")
	}
	rec, err := b.Draw.PublishedRecord()
	if err != nil {
		return err
	}
	sel, err := rec.Verify()
	if err != nil {
		return c.JSON(http.StatusOK, map[string]any{"valid": false, "error": err.Error()})
	}
	return c.JSON(http.StatusOK, map[string]any{"valid": true, "index": rec.Index, "selected": sel, "seed": rec.Seed})
}

// PoolPage is the admins' page: upload form, stored pool, commit and draw.
type PoolPage struct {
	IndexPage
	Rows       []PoolRow
	Categories []string
	Values     map[string][]string // per row id: feature values
	Linked     int
	// Sign-ups: how many rows came through the form, the counts per
	// value against the quotas, the counting diagnosis ("" when a panel
	// is reachable), the quota table to edit and which forms apply.
	Signups int
	// The pool is listed poolPageSize rows a page (?page=N); Names gives
	// the linked accounts of the rows shown ("name <e-mail>" by row id).
	Page, Pages      int
	PrevURL, NextURL string
	Names            map[string]string
	Tally            []CategoryTally
	Diagnosis        string
	SetupQuotas      string
	ShowSetup        bool
	ShowUpload       bool
	// Setup holds the sign-up setup form's values: the stored ones, or
	// the posted ones when they were refused.
	Setup SetupForm
}

// SetupForm is the sign-up setup form.
type SetupForm struct {
	PanelSize     string
	Quotas        string
	Households    bool
	ClosesAt      string // datetime-local value (UTC)
	ClosesAtError string // message id
}

func (h *handlers) renderPool(c echo.Context, status int, errID, detail string) error {
	return h.renderPoolForm(c, status, errID, detail, nil)
}

// renderPoolForm renders the pool page; posted, when not nil, is a
// refused sign-up setup shown again as it was posted.
func (h *handlers) renderPoolForm(c echo.Context, status int, errID, detail string, posted *SetupForm) error {
	p, err := h.page(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pp := &PoolPage{IndexPage: *p}
	pp.Error, pp.Detail = errID, detail
	pp.Setup.PanelSize = strconv.Itoa(p.Defaults.Int("panel_size"))
	if d := p.Draw; d != nil {
		// The whole-pool figures are counted by the database; only the
		// listed page of rows is read.
		st, err := h.svc.poolStats(ctx, d)
		if err != nil {
			return err
		}
		pp.Linked, pp.Signups = st.Linked, st.Signups
		cats, err := d.categories()
		if err != nil {
			return err
		}
		for _, cat := range cats {
			pp.Categories = append(pp.Categories, cat.Name)
		}
		shown, err := h.poolPage(c, pp, d, st.Size)
		if err != nil {
			return err
		}
		if pp.Names, err = h.svc.accountNames(ctx, d.OrganisationID, shown); err != nil {
			return err
		}
		pp.Values = map[string][]string{}
		for _, r := range shown {
			var f []int
			_ = json.Unmarshal([]byte(r.Features), &f)
			vals := make([]string, len(f))
			for i, x := range f {
				if i < len(cats) && x >= 0 && x < len(cats[i].Values) {
					vals[i] = cats[i].Values[x].Value
				}
			}
			pp.Values[strconv.FormatInt(r.ID, 10)] = vals
		}
		if d.Status != StatusDrawn && d.Status != StatusDrawing {
			if pp.Tally, pp.Diagnosis, err = h.svc.poolTally(ctx, d, st); err != nil {
				return err
			}
		}
		if d.SignupOpenedAt != nil {
			pp.SetupQuotas = quotaCSV(cats)
		}
		pp.Setup = SetupForm{PanelSize: strconv.Itoa(d.PanelSize), Quotas: pp.SetupQuotas, Households: d.Households}
		if d.SignupClosesAt != nil {
			pp.Setup.ClosesAt = web.InputTime(*d.SignupClosesAt)
		}
	}
	if posted != nil {
		pp.Setup = *posted
	}
	open := p.Draw == nil || (p.Draw.Status != StatusDrawn && p.Draw.Status != StatusDrawing)
	pp.ShowUpload = open && pp.Signups == 0
	pp.ShowSetup = open && !(pp.Signups > 0 && p.Draw.Status == StatusCommitted)
	return h.s.Render(c, status, "sortition/pool", pp)
}

func (h *handlers) pool(c echo.Context) error { return h.renderPool(c, http.StatusOK, "", "") }

// poolPageSize is how many volunteers the pool page lists at a time: a
// pool of thousands stays one quick page.
const poolPageSize = 100

// poolPage reads the rows of the requested page (?page=N, from 1; out of
// range goes to the nearest page) of a pool of size rows and fills the
// page links.
func (h *handlers) poolPage(c echo.Context, pp *PoolPage, d *Draw, size int) ([]PoolRow, error) {
	pages := max(1, (size+poolPageSize-1)/poolPageSize)
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		page = 1
	}
	page = min(page, pages)
	pp.Page, pp.Pages = page, pages
	if page > 1 {
		pp.PrevURL = "?page=" + strconv.Itoa(page-1)
	}
	if page < pages {
		pp.NextURL = "?page=" + strconv.Itoa(page+1)
	}
	pp.Rows, err = h.svc.PoolRows(c.Request().Context(), d, (page-1)*poolPageSize, poolPageSize)
	return pp.Rows, err
}

// formFile reads an uploaded file, or the pasted text of the same name.
func formFile(c echo.Context, name string) ([]byte, error) {
	if fh, err := c.FormFile(name); err == nil {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, 20<<20))
	}
	return []byte(c.FormValue(name)), nil
}

// formError renders the admin page with a perr's message, or returns err.
func (h *handlers) formError(c echo.Context, err error) error {
	if pe, ok := perr.As(err); ok && (pe.Code == perr.CodeInvalid || pe.Code == perr.CodeConflict) {
		detail, _ := pe.Data["Detail"].(string)
		return h.renderPool(c, http.StatusUnprocessableEntity, pe.MessageID, detail)
	}
	return err
}

func (h *handlers) upload(c echo.Context) error {
	cats, err := formFile(c, "quotas")
	if err != nil {
		return perr.Invalid("sortition.error.upload", nil)
	}
	pool, err := formFile(c, "pool")
	if err != nil {
		return perr.Invalid("sortition.error.upload", nil)
	}
	size, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("panel_size")))
	sp, comp := web.Space(c), web.Component(c)
	var households []string
	for _, col := range strings.Split(c.FormValue("household"), ",") {
		if col = strings.TrimSpace(col); col != "" {
			households = append(households, col)
		}
	}
	d, err := h.svc.Upload(c.Request().Context(), sp, comp, Upload{Categories: cats, Respondents: pool, PanelSize: size, HouseholdColumns: households})
	if err != nil {
		return h.formError(c, err)
	}
	h.audit(c, "sortition.upload", d, "pool "+strconv.Itoa(d.PoolSize)+", panel "+strconv.Itoa(d.PanelSize))
	h.s.Flash(c, "sortition.flash.uploaded")
	return web.Redirect(c, h.url(c)+"/pool")
}

func (h *handlers) commit(c echo.Context) error {
	d, err := h.svc.Commit(c.Request().Context(), web.Component(c), c.FormValue("secret"))
	if err != nil {
		return h.formError(c, err)
	}
	h.audit(c, "sortition.commit", d, d.Commitment)
	h.s.Flash(c, "sortition.flash.committed")
	return web.Redirect(c, h.url(c)+"/pool")
}

func (h *handlers) draw(c echo.Context) error {
	d, err := h.svc.Draw(c.Request().Context(), web.Space(c), web.Component(c), c.FormValue("secret"), c.FormValue("public_value"))
	if err != nil {
		return h.formError(c, err)
	}
	h.audit(c, "sortition.draw", d, "")
	if d.Status == StatusDrawing {
		h.s.Flash(c, "sortition.flash.drawing")
		return web.Redirect(c, h.url(c))
	}
	h.s.Flash(c, "sortition.flash.drawn")
	return web.Redirect(c, h.url(c))
}

func (h *handlers) url(c echo.Context) string {
	sp, comp := web.Space(c), web.Component(c)
	return web.SpacePrefixes[sp.Type] + "/" + sp.Slug + "/c/" + strconv.FormatInt(comp.ID, 10)
}

func (h *handlers) audit(c echo.Context, action string, d *Draw, details string) {
	if h.s.Audit == nil || d == nil {
		return
	}
	var actor int64
	if a := web.Account(c); a != nil {
		actor = a.ID
	}
	h.s.Audit.Record(c.Request().Context(), web.AuditEntry{OrganisationID: d.OrganisationID, ActorID: actor, Action: action,
		ResourceType: "sortition_draw", ResourceID: strconv.FormatInt(d.ID, 10), SpaceID: d.SpaceID, Details: details})
}

// ReplacementView is one replacement draw as shown publicly, replayed on
// every view.
type ReplacementView struct {
	ID          int64
	Replaced    string
	Replacement string
	PublicValue string
	Verified    bool
}

func replacementView(r Replacement) ReplacementView {
	v := ReplacementView{ID: r.ID, Replaced: r.Replaced, Replacement: r.Replacement}
	var rec lottery.ItemRecord
	if json.Unmarshal([]byte(r.Record), &rec) == nil {
		v.PublicValue = rec.Seed.PublicValue
		sel, err := rec.Verify()
		v.Verified = err == nil && len(sel) == 1 && sel[0] == r.Replacement
	}
	return v
}

func (h *handlers) replacementJSON(c echo.Context) error {
	b, err := h.base(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(strings.TrimSuffix(c.Param("id"), ".json"), 10, 64)
	if err != nil || b.Draw == nil {
		return perr.NotFound("replacement")
	}
	reps, err := h.svc.Replacements(c.Request().Context(), b.Draw)
	if err != nil {
		return err
	}
	for _, r := range reps {
		if r.ID == id {
			c.Response().Header().Set("Content-Disposition", `attachment; filename="sortition-replacement-`+strconv.FormatInt(id, 10)+`.json"`)
			return c.Blob(http.StatusOK, "application/json", []byte(r.Record))
		}
	}
	return perr.NotFound("replacement")
}

func (h *handlers) replace(c echo.Context) error {
	rp, err := h.svc.Replace(c.Request().Context(), web.Space(c), web.Component(c), c.FormValue("member"), c.FormValue("public_value"))
	if err != nil {
		return h.formError(c, err)
	}
	h.audit(c, "sortition.replace", &Draw{ID: rp.DrawID, OrganisationID: web.Space(c).OrganisationID, SpaceID: web.Space(c).ID}, rp.Replaced+" -> "+rp.Replacement)
	h.s.Flash(c, "sortition.flash.replaced")
	return web.Redirect(c, h.url(c))
}
