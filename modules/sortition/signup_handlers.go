// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/sortition/leximin"
)

// Question is one category of the quota table as a sign-up question.
type Question struct {
	Field    string // form field: "f<category index>"
	Label    string
	Options  []string
	Selected string
	Error    string // message id
}

// SignupForm is the volunteer form, with the input kept on an error.
type SignupForm struct {
	Questions      []Question
	Households     bool
	Household      string
	HouseholdError string
	Consent        bool
	ConsentError   string
	RetentionDays  int
}

// SignupView is a volunteer's own sign-up as they see it.
type SignupView struct {
	Answers     []Answer
	Household   string
	ConsentedAt time.Time
	// CanWithdraw: the draw has not started.
	CanWithdraw bool
}

// Answer is one answer of a sign-up.
type Answer struct{ Label, Value string }

// signupState fills the sign-up form and the viewer's own sign-up.
func (h *handlers) signupState(c echo.Context, p *IndexPage) error {
	acc := web.Account(c)
	p.SignedIn = acc != nil
	d := p.Draw
	if d == nil || d.SignupOpenedAt == nil {
		return nil
	}
	if d.SignupClosesAt != nil {
		p.ClosesAt, p.SignupEnded = web.DateTime(*d.SignupClosesAt), d.SignupEnded(h.svc.Now())
	}
	cats, err := d.categories()
	if err != nil {
		return err
	}
	if acc != nil {
		row, err := h.svc.MySignup(c.Request().Context(), d, acc.ID)
		if err != nil {
			return err
		}
		if row != nil {
			p.MySignup = signupView(cats, row, d)
		}
	}
	if d.Status == StatusCollecting && !p.SignupEnded && p.MySignup == nil {
		f := &SignupForm{Households: d.Households, RetentionDays: p.Defaults.Int("retention_days")}
		for i, cat := range cats {
			q := Question{Field: "f" + strconv.Itoa(i), Label: cat.Name}
			for _, v := range cat.Values {
				q.Options = append(q.Options, v.Value)
			}
			f.Questions = append(f.Questions, q)
		}
		p.Form = f
	}
	return nil
}

func signupView(cats []leximin.Category, row *PoolRow, d *Draw) *SignupView {
	v := &SignupView{Household: row.Household,
		CanWithdraw: d.Status == StatusCollecting || d.Status == StatusUploaded || d.Status == StatusCommitted}
	if row.ConsentedAt != nil {
		v.ConsentedAt = *row.ConsentedAt
	}
	var f []int
	_ = json.Unmarshal([]byte(row.Features), &f)
	for i, x := range f {
		if i < len(cats) && x >= 0 && x < len(cats[i].Values) {
			v.Answers = append(v.Answers, Answer{Label: cats[i].Name, Value: cats[i].Values[x].Value})
		}
	}
	return v
}

// signup stores a volunteer's sign-up; an invalid form comes back with
// the input kept and each error next to its field.
func (h *handlers) signup(c echo.Context) error {
	acc := web.Account(c)
	if acc == nil {
		return perr.Unauthorised()
	}
	comp := web.Component(c)
	d, err := h.svc.Get(c.Request().Context(), comp)
	if err != nil {
		return err
	}
	in := Signup{Values: map[string]string{}, Household: c.FormValue("household"), Consent: c.FormValue("consent") == "yes"}
	var cats []leximin.Category
	if d != nil {
		if cats, err = d.categories(); err != nil {
			return err
		}
	}
	for i, cat := range cats {
		in.Values[cat.Name] = c.FormValue("f" + strconv.Itoa(i))
	}
	if _, err := h.svc.SignUp(c.Request().Context(), comp, acc.ID, in); err != nil {
		pe, ok := perr.As(err)
		if !ok || (pe.Code != perr.CodeInvalid && pe.Code != perr.CodeConflict) {
			return err
		}
		p, perr2 := h.page(c)
		if perr2 != nil {
			return perr2
		}
		p.Error = pe.MessageID
		if f := p.Form; f != nil && pe.Code == perr.CodeInvalid {
			for i := range f.Questions {
				f.Questions[i].Selected = in.Values[f.Questions[i].Label]
				f.Questions[i].Error = pe.Fields[f.Questions[i].Field]
			}
			f.Household, f.HouseholdError = in.Household, pe.Fields["household"]
			f.Consent, f.ConsentError = in.Consent, pe.Fields["consent"]
		}
		status := http.StatusUnprocessableEntity
		if pe.Code == perr.CodeConflict {
			status = http.StatusConflict
		}
		return h.s.Render(c, status, "sortition/index", p)
	}
	h.s.Flash(c, "sortition.flash.signed_up")
	return web.Redirect(c, h.url(c)+"#signup")
}

// withdraw removes the viewer's own sign-up.
func (h *handlers) withdraw(c echo.Context) error {
	acc := web.Account(c)
	if acc == nil {
		return perr.Unauthorised()
	}
	if err := h.svc.Withdraw(c.Request().Context(), web.Component(c), acc.ID); err != nil {
		pe, ok := perr.As(err)
		if !ok || pe.Code != perr.CodeConflict {
			return err
		}
		p, err := h.page(c)
		if err != nil {
			return err
		}
		p.Error = pe.MessageID
		return h.s.Render(c, http.StatusConflict, "sortition/index", p)
	}
	h.s.Flash(c, "sortition.flash.withdrawn")
	return web.Redirect(c, h.url(c))
}

// setup stores the quota table of a sign-up and opens it; a refused
// setup comes back with the posted values and the closing date's error
// next to its field.
func (h *handlers) setup(c echo.Context) error {
	cats, err := formFile(c, "signup_quotas")
	if err != nil {
		return perr.Invalid("sortition.error.upload", nil)
	}
	posted := &SetupForm{PanelSize: strings.TrimSpace(c.FormValue("signup_panel_size")), Quotas: string(cats),
		Households: c.FormValue("signup_households") == "yes", ClosesAt: strings.TrimSpace(c.FormValue("signup_closes_at"))}
	in := SignupSetup{Categories: cats, Households: posted.Households}
	in.PanelSize, _ = strconv.Atoi(posted.PanelSize)
	if posted.ClosesAt != "" {
		t, err := web.ParseInputTime(posted.ClosesAt)
		if err != nil {
			posted.ClosesAtError = "sortition.error.closes_at_format"
			return h.renderPoolForm(c, http.StatusUnprocessableEntity, posted.ClosesAtError, "", posted)
		}
		in.ClosesAt = &t
	}
	d, err := h.svc.Setup(c.Request().Context(), web.Space(c), web.Component(c), in)
	if err != nil {
		pe, ok := perr.As(err)
		if !ok || (pe.Code != perr.CodeInvalid && pe.Code != perr.CodeConflict) {
			return err
		}
		detail, _ := pe.Data["Detail"].(string)
		posted.ClosesAtError = pe.Fields["signup_closes_at"]
		return h.renderPoolForm(c, http.StatusUnprocessableEntity, pe.MessageID, detail, posted)
	}
	details := "panel " + strconv.Itoa(d.PanelSize)
	if d.SignupClosesAt != nil {
		details += ", closes " + web.DateTime(*d.SignupClosesAt)
	}
	h.audit(c, "sortition.signup_setup", d, details)
	h.s.Flash(c, "sortition.flash.signup_open")
	return web.Redirect(c, h.url(c)+"/pool")
}

func (h *handlers) closeSignup(c echo.Context) error {
	d, err := h.svc.Close(c.Request().Context(), web.Component(c))
	if err != nil {
		return h.formError(c, err)
	}
	h.audit(c, "sortition.signup_close", d, "pool "+strconv.Itoa(d.PoolSize))
	h.s.Flash(c, "sortition.flash.signup_closed")
	return web.Redirect(c, h.url(c)+"/pool")
}

func (h *handlers) reopenSignup(c echo.Context) error {
	d, err := h.svc.Reopen(c.Request().Context(), web.Component(c))
	if err != nil {
		return h.formError(c, err)
	}
	h.audit(c, "sortition.signup_reopen", d, "")
	h.s.Flash(c, "sortition.flash.signup_open")
	return web.Redirect(c, h.url(c)+"/pool")
}

// quotaCSV writes a stored quota table back as min/max rows, to edit it.
func quotaCSV(cats []leximin.Category) string {
	var b strings.Builder
	b.WriteString("category,feature,min,max\n")
	for _, c := range cats {
		for _, q := range c.Values {
			fmt.Fprintf(&b, "%s,%s,%d,%d\n", csvField(c.Name), csvField(q.Value), q.Min, q.Max)
		}
	}
	return b.String()
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") || strings.TrimSpace(s) != s {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
