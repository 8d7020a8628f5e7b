// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/pow"
	"github.com/polder-civic/polder/core/web"
)

// powPurpose is the proof-of-work purpose of anonymous statements.
const powPurpose = "opinion_statement"

// challenge returns a fresh proof-of-work challenge for an anonymous
// statement form; without one (the database failed) the form still
// works, under the no-JavaScript limit.
func (h *handlers) challenge(c echo.Context) string {
	ch, err := h.s.PoW().Challenge(c.Request().Context(), powPurpose)
	if err != nil {
		slog.Error("opinionmap: proof-of-work challenge", "err", err)
	}
	return ch
}

// checkPoW applies core's proof of work (core/pow) to a statement from an
// anonymous participant, as core does for registrations: a solved
// challenge passes and is spent; without one (no JavaScript, or an API
// client that did not solve one) at most pow.NoJSMax statements per hour
// and address pass, and beyond that the refusal says when to try again.
// Signed-in participants are accountable and skip it. It is not core's
// pow.Require middleware because the JSON API carries the challenge in
// its body.
func (h *handlers) checkPoW(c echo.Context, challenge, nonce string) error {
	if web.Account(c) != nil {
		return nil
	}
	ctx := c.Request().Context()
	svc, ip := h.s.PoW(), c.RealIP()
	if err := svc.RecordPost(ctx, powPurpose, ip); err != nil {
		return err
	}
	if challenge != "" && nonce != "" {
		return svc.Verify(ctx, powPurpose, challenge, nonce)
	}
	lim := svc.Fallback(powPurpose)
	if err := lim.Check(ctx, ip); err != nil {
		var pe *perr.Error
		if errors.As(err, &pe) && pe.Code == perr.CodeTooMany {
			return perr.New(perr.CodeTooMany, "opinionmap.error.statement_rate", map[string]any{"Seconds": pe.Data["Seconds"]})
		}
		return err
	}
	return lim.Record(ctx, ip)
}

func (h *handlers) submit(c echo.Context, body, challenge, nonce string) (*Statement, error) {
	if web.Account(c) != nil && !h.can(c, ActionSubmit) {
		return nil, perr.Forbidden()
	}
	if _, err := h.who(c, false); err != nil {
		return nil, err
	}
	// What the visitor can fix is refused before the proof of work is
	// spent.
	set := h.svc.Settings(web.Component(c))
	if !set.ParticipantStatements {
		return nil, perr.New(perr.CodeForbidden, "opinionmap.error.statements_closed", nil)
	}
	if _, err := CheckBody(set, body); err != nil {
		return nil, err
	}
	if err := h.checkPoW(c, challenge, nonce); err != nil {
		return nil, err
	}
	p, err := h.participant(c, true)
	if err != nil {
		return nil, err
	}
	return h.svc.Submit(c.Request().Context(), web.Component(c), p, body, false)
}

// submitForm takes the vote page's statement form. A refusal the visitor
// can act on (too long, too many, failed anti-robot check) shows the vote
// page again with the message and the text they wrote.
func (h *handlers) submitForm(c echo.Context) error {
	body := c.FormValue("body")
	st, err := h.submit(c, body, c.FormValue(pow.FieldChallenge), c.FormValue(pow.FieldNonce))
	var pe *perr.Error
	if errors.As(err, &pe) && (pe.Code == perr.CodeInvalid || pe.Code == perr.CodeTooMany) {
		d, derr := h.votePageData(c)
		if derr != nil {
			return derr
		}
		d.SubmitError, d.SubmitBody = pe, body
		status := http.StatusUnprocessableEntity
		if pe.Code == perr.CodeTooMany {
			status = http.StatusTooManyRequests
		}
		return h.s.Render(c, status, "opinionmap/vote", d)
	}
	if err != nil {
		return err
	}
	if st.State == StatePending {
		h.s.Flash(c, "opinionmap.flash.pending")
	} else {
		h.s.Flash(c, "opinionmap.flash.submitted")
	}
	return web.Redirect(c, h.url(c, ""))
}

// SubmitInput is the submit API's body. Anonymous participants add a
// solved proof of work (the challenge from GET …/next); without one, the
// no-JavaScript limit applies.
type SubmitInput struct {
	Body         string `json:"body"`
	PowChallenge string `json:"pow_challenge"`
	PowNonce     string `json:"pow_nonce"`
}

func (h *handlers) apiSubmit(c echo.Context) error {
	var in SubmitInput
	if err := c.Bind(&in); err != nil {
		return perr.New(perr.CodeBadRequest, "error.bad_request", nil)
	}
	st, err := h.submit(c, in.Body, in.PowChallenge, in.PowNonce)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, st)
}

func (h *handlers) apiStatements(c echo.Context) error {
	sts, err := h.svc.Statements(c.Request().Context(), web.Component(c).ID, StateAccepted, StateUnmoderated)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"statements": sts})
}
