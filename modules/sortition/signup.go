// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/modules/sortition/leximin"
	"github.com/polder-civic/polder/modules/sortition/pooldata"
)

// Collecting the pool through a sign-up form: the organisers set the panel
// size and the quota table first (Setup, status collecting), signed-in
// participants volunteer (SignUp: one row per account, answers to the
// quota questions, consent), the organisers close the sign-up (Close,
// status uploaded) and the existing commit → draw → verify flow runs on
// the collected rows. Collected and uploaded rows never mix: an upload is
// refused while sign-ups exist, and setting up a sign-up replaces an
// uploaded pool (as a new upload would).

// SignupSetup is an organiser's quota table for a pool collected by
// sign-up.
type SignupSetup struct {
	Categories []byte // quota table CSV, the upload's format
	PanelSize  int
	// Households asks volunteers for their address: at most one member
	// per household is drawn.
	Households bool
	// ClosesAt is the optional closing date: from then on the form
	// refuses volunteers. A date already past is refused, unless it is
	// the one already stored (saving the quotas again after it).
	ClosesAt *time.Time
}

// maxHousehold bounds the address a volunteer types (the column's size).
const maxHousehold = 300

// Setup stores the quota table and panel size of a draw whose pool is
// collected by sign-up and opens the sign-up. On a draw that already has
// sign-ups only the bounds, the panel size and the household rule may
// change (the categories and values must stay the same, since the stored
// answers point into them), and only before the commitment.
func (s *Service) Setup(ctx context.Context, sp *registry.Space, comp *registry.Component, u SignupSetup) (*Draw, error) {
	if u.PanelSize <= 0 {
		return nil, perr.Invalid("sortition.error.panel_size", nil)
	}
	cats, err := pooldata.ReadCategoriesForSize(bytes.NewReader(u.Categories), "quotas", u.PanelSize)
	if err != nil {
		return nil, perr.Invalid("sortition.error.csv", map[string]any{"Detail": err.Error()})
	}
	if err := quotaBoundsCheck(cats, u.PanelSize); err != nil {
		return nil, perr.Invalid("sortition.error.infeasible", map[string]any{"Detail": err.Error()})
	}
	catJSON, err := json.Marshal(cats)
	if err != nil {
		return nil, fmt.Errorf("sortition: encoding quotas: %w", err)
	}
	now := s.Now()
	var d Draw
	err = s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		var old Draw
		if err := s.srv.DB.LockRow(tx).Where("component_id = ?", comp.ID).Limit(1).Find(&old).Error; err != nil {
			return fmt.Errorf("sortition: loading draw: %w", err)
		}
		if u.ClosesAt != nil && !u.ClosesAt.After(now) && (old.SignupClosesAt == nil || !old.SignupClosesAt.Equal(*u.ClosesAt)) {
			e := perr.Invalid("sortition.error.closes_at_past", nil)
			e.Fields = map[string]string{"signup_closes_at": "sortition.error.closes_at_past"}
			return e
		}
		if old.ID != 0 {
			if old.Status == StatusDrawn || old.Status == StatusDrawing {
				return perr.Conflict("sortition.error.already_drawn", nil)
			}
			n, err := countSignups(tx, old.ID)
			if err != nil {
				return err
			}
			if n > 0 {
				return s.updateSetup(tx, &old, cats, catJSON, u, &d)
			}
			if err := tx.Where("draw_id = ?", old.ID).Delete(&PoolRow{}).Error; err != nil {
				return fmt.Errorf("sortition: replacing the pool: %w", err)
			}
			if err := tx.Delete(&old).Error; err != nil {
				return fmt.Errorf("sortition: replacing the draw: %w", err)
			}
		}
		d = Draw{OrganisationID: sp.OrganisationID, ComponentID: comp.ID, SpaceID: sp.ID, PanelSize: u.PanelSize,
			Categories: string(catJSON), Status: StatusCollecting, Households: u.Households, SignupOpenedAt: &now, SignupClosesAt: u.ClosesAt,
			CreatedAt: now, UpdatedAt: now}
		return tx.Create(&d).Error
	})
	if err != nil {
		if _, ok := perr.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("sortition: storing the sign-up setup: %w", err)
	}
	return &d, nil
}

// updateSetup changes the quotas of a draw that has sign-ups.
func (s *Service) updateSetup(tx *gorm.DB, old *Draw, cats []leximin.Category, catJSON []byte, u SignupSetup, out *Draw) error {
	if old.Status == StatusCommitted {
		return perr.Conflict("sortition.error.setup_committed", nil)
	}
	oldCats, err := old.categories()
	if err != nil {
		return err
	}
	if !sameValues(oldCats, cats) {
		return perr.Invalid("sortition.error.setup_values", map[string]any{"Detail": describeValues(oldCats)})
	}
	if old.Households && !u.Households {
		// The rule is off: the addresses are no longer needed.
		if err := tx.Model(&PoolRow{}).Where("draw_id = ?", old.ID).Update("household", "").Error; err != nil {
			return fmt.Errorf("sortition: dropping addresses: %w", err)
		}
	}
	old.Categories, old.PanelSize, old.Households, old.SignupClosesAt, old.UpdatedAt = string(catJSON), u.PanelSize, u.Households, u.ClosesAt, s.Now()
	if err := tx.Save(old).Error; err != nil {
		return fmt.Errorf("sortition: saving quotas: %w", err)
	}
	*out = *old
	return nil
}

// quotaBoundsCheck refuses a quota table no pool can meet: the lower
// quotas of a category above the panel size, or its upper quotas below.
func quotaBoundsCheck(cats []leximin.Category, k int) error {
	var conflicts []string
	for _, c := range cats {
		lo, hi := 0, 0
		for _, q := range c.Values {
			lo += q.Min
			hi += q.Max
		}
		if lo > k {
			conflicts = append(conflicts, fmt.Sprintf("the lower quotas of %s sum to %d, above the panel size %d", c.Name, lo, k))
		}
		if hi < k {
			conflicts = append(conflicts, fmt.Sprintf("the upper quotas of %s sum to %d, below the panel size %d", c.Name, hi, k))
		}
	}
	if len(conflicts) > 0 {
		return errors.New(strings.Join(conflicts, "; "))
	}
	return nil
}

// sameValues reports whether two quota tables have the same categories
// and values in the same order (the stored answers are indices).
func sameValues(a, b []leximin.Category) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || len(a[i].Values) != len(b[i].Values) {
			return false
		}
		for j := range a[i].Values {
			if a[i].Values[j].Value != b[i].Values[j].Value {
				return false
			}
		}
	}
	return true
}

func describeValues(cats []leximin.Category) string {
	parts := make([]string, len(cats))
	for i, c := range cats {
		vals := make([]string, len(c.Values))
		for j, q := range c.Values {
			vals[j] = q.Value
		}
		parts[i] = c.Name + ": " + strings.Join(vals, ", ")
	}
	return strings.Join(parts, "; ")
}

func countSignups(tx *gorm.DB, drawID int64) (int64, error) {
	var n int64
	if err := tx.Model(&PoolRow{}).Where("draw_id = ? AND consented_at IS NOT NULL", drawID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("sortition: counting sign-ups: %w", err)
	}
	return n, nil
}

// Signup is a volunteer's answers: one value per category of the quota
// table (by category name), an address when the draw asks for it, and
// the explicit consent.
type Signup struct {
	Values    map[string]string
	Household string
	Consent   bool
}

// SignUp adds the account to the draw's pool while the sign-up is open.
// Every category needs one of its values and consent must be given; the
// errors name the fields (perr Fields: "f<category index>", "household",
// "consent"). An account signs up once: a second sign-up, even posted at
// the same moment, is a conflict and stores nothing (unique index on
// draw and account).
func (s *Service) SignUp(ctx context.Context, comp *registry.Component, accountID int64, in Signup) (*PoolRow, error) {
	if accountID == 0 {
		return nil, perr.Unauthorised()
	}
	d, err := s.Get(ctx, comp)
	if err != nil {
		return nil, err
	}
	if d == nil || d.Status != StatusCollecting {
		return nil, perr.Conflict("sortition.error.signup_closed", nil)
	}
	if d.SignupEnded(s.Now()) {
		return nil, perr.Conflict("sortition.error.signup_ended", nil)
	}
	cats, err := d.categories()
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	features := make([]int, len(cats))
	for i, c := range cats {
		key := "f" + strconv.Itoa(i)
		v := strings.TrimSpace(in.Values[c.Name])
		features[i] = -1
		for j, q := range c.Values {
			if q.Value == v {
				features[i] = j
			}
		}
		switch {
		case v == "":
			fields[key] = "sortition.signup.missing"
		case features[i] < 0:
			fields[key] = "sortition.signup.unknown"
		}
	}
	household := ""
	if d.Households {
		household = strings.ToLower(strings.Join(strings.Fields(in.Household), " "))
		if utf8.RuneCountInString(household) > maxHousehold {
			fields["household"] = "sortition.signup.household_long"
		}
	}
	if !in.Consent {
		fields["consent"] = "sortition.signup.consent_missing"
	}
	if len(fields) > 0 {
		e := perr.Invalid("sortition.signup.invalid", nil)
		e.Fields = fields
		return nil, e
	}
	f, err := json.Marshal(features)
	if err != nil {
		return nil, fmt.Errorf("sortition: encoding answers: %w", err)
	}
	now := s.Now()
	row := PoolRow{DrawID: d.ID, ExternalID: "account-" + strconv.FormatInt(accountID, 10), Features: string(f),
		Household: household, AccountID: accountID, ConsentedAt: &now}
	err = s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		// The conditional update is the gate: it fails once the sign-up is
		// closed and holds the draw's row until the sign-up is stored, so
		// a concurrent Close counts it.
		res := tx.Model(&Draw{}).Where("id = ? AND status = ?", d.ID, StatusCollecting).
			Updates(map[string]any{"pool_size": gorm.Expr("pool_size + 1"), "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("sortition: counting the sign-up: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return perr.Conflict("sortition.error.signup_closed", nil)
		}
		// The closing date as it stands now that the row is held: an
		// organiser may have moved it since the draw was read.
		var cur Draw
		if err := tx.Select("signup_closes_at").Where("id = ?", d.ID).Take(&cur).Error; err != nil {
			return fmt.Errorf("sortition: reading the closing date: %w", err)
		}
		if cur.SignupEnded(now) {
			return perr.Conflict("sortition.error.signup_ended", nil)
		}
		var last struct{ N int }
		if err := tx.Model(&PoolRow{}).Select("COALESCE(MAX(position), -1) + 1 AS n").Where("draw_id = ?", d.ID).Scan(&last).Error; err != nil {
			return fmt.Errorf("sortition: pool position: %w", err)
		}
		row.Position = last.N
		return tx.Create(&row).Error
	})
	if err != nil {
		if _, ok := perr.As(err); ok {
			return nil, err
		}
		if store.IsUniqueViolation(err) {
			return nil, perr.Conflict("sortition.error.signed_up", nil)
		}
		return nil, fmt.Errorf("sortition: storing the sign-up: %w", err)
	}
	return &row, nil
}

// MySignup returns the account's sign-up to the draw, or nil.
func (s *Service) MySignup(ctx context.Context, d *Draw, accountID int64) (*PoolRow, error) {
	if d == nil || accountID == 0 {
		return nil, nil
	}
	var rows []PoolRow
	if err := s.srv.DB.WithContext(ctx).Where("draw_id = ? AND account_id = ? AND consented_at IS NOT NULL", d.ID, accountID).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("sortition: reading the sign-up: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// Withdraw removes the account's sign-up (consent withdrawn) as long as
// the draw has not started; afterwards the row is erased with the pool on
// the retention schedule, or at once when the account is deleted. The
// closing date does not end it: it stops new volunteers, as closing the
// sign-up does, and consent stays as easy to withdraw as to give until the
// draw.
func (s *Service) Withdraw(ctx context.Context, comp *registry.Component, accountID int64) error {
	d, err := s.Get(ctx, comp)
	if err != nil {
		return err
	}
	if d == nil {
		return perr.Conflict("sortition.error.no_signup", nil)
	}
	err = s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("draw_id = ? AND account_id = ? AND consented_at IS NOT NULL", d.ID, accountID).Delete(&PoolRow{})
		if res.Error != nil {
			return fmt.Errorf("sortition: withdrawing: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return perr.Conflict("sortition.error.no_signup", nil)
		}
		up := tx.Model(&Draw{}).Where("id = ? AND status IN ?", d.ID, []string{StatusCollecting, StatusUploaded, StatusCommitted}).
			Updates(map[string]any{"pool_size": gorm.Expr("pool_size - 1"), "updated_at": s.Now()})
		if up.Error != nil {
			return fmt.Errorf("sortition: withdrawing: %w", up.Error)
		}
		if up.RowsAffected != 1 {
			return perr.Conflict("sortition.error.withdraw_drawn", nil)
		}
		return nil
	})
	return err
}

// Close ends the sign-up. It is refused, and the sign-up stays open, while
// no panel can meet the quotas with the volunteers so far (the counting
// diagnosis names the quotas that fail).
func (s *Service) Close(ctx context.Context, comp *registry.Component) (*Draw, error) {
	var d Draw
	err := s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.srv.DB.LockRow(tx).Where("component_id = ?", comp.ID).Limit(1).Find(&d).Error; err != nil {
			return fmt.Errorf("sortition: loading draw: %w", err)
		}
		if d.ID == 0 || d.Status != StatusCollecting {
			return perr.Conflict("sortition.error.not_collecting", nil)
		}
		// SQLite: take the write lock before reading the pool, so no
		// sign-up lands between the count and the status change.
		res := tx.Model(&Draw{}).Where("id = ? AND status = ?", d.ID, StatusCollecting).Update("updated_at", s.Now())
		if res.Error != nil {
			return fmt.Errorf("sortition: closing: %w", res.Error)
		}
		var rows []PoolRow
		if err := tx.Where("draw_id = ?", d.ID).Order("position, id").Find(&rows).Error; err != nil {
			return fmt.Errorf("sortition: reading pool: %w", err)
		}
		pool, households, err := d.leximinPool(rows)
		if err != nil {
			return err
		}
		if err := leximin.Check(pool, d.PanelSize, households); err != nil {
			return perr.Invalid("sortition.error.close_infeasible", map[string]any{"Detail": err.Error()})
		}
		d.Status, d.PoolSize, d.UpdatedAt = StatusUploaded, len(rows), s.Now()
		return tx.Model(&Draw{}).Where("id = ?", d.ID).
			Updates(map[string]any{"status": d.Status, "pool_size": d.PoolSize, "updated_at": d.UpdatedAt}).Error
	})
	if err != nil {
		if _, ok := perr.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("sortition: closing the sign-up: %w", err)
	}
	return &d, nil
}

// Reopen opens a closed sign-up again, before the commitment. With a
// closing date already past it is refused: the form would still refuse
// everyone, so the organisers set a later date (or none) first.
func (s *Service) Reopen(ctx context.Context, comp *registry.Component) (*Draw, error) {
	d, err := s.Get(ctx, comp)
	if err != nil {
		return nil, err
	}
	if d == nil || d.SignupOpenedAt == nil || d.Status != StatusUploaded {
		return nil, perr.Conflict("sortition.error.not_reopenable", nil)
	}
	if d.SignupEnded(s.Now()) {
		return nil, perr.Conflict("sortition.error.reopen_ended", nil)
	}
	res := s.srv.DB.WithContext(ctx).Model(&Draw{}).Where("id = ? AND status = ?", d.ID, StatusUploaded).
		Updates(map[string]any{"status": StatusCollecting, "updated_at": s.Now()})
	if res.Error != nil {
		return nil, fmt.Errorf("sortition: reopening: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, perr.Conflict("sortition.error.not_reopenable", nil)
	}
	return s.Get(ctx, comp)
}

// leximinPool decodes pool rows for the quota table; households reports
// whether the household rule applies.
func (d *Draw) leximinPool(rows []PoolRow) (*leximin.Pool, bool, error) {
	cats, err := d.categories()
	if err != nil {
		return nil, false, err
	}
	pool := &leximin.Pool{Categories: cats, Volunteers: make([]leximin.Volunteer, len(rows))}
	households := d.Households
	for i, r := range rows {
		var f []int
		if err := json.Unmarshal([]byte(r.Features), &f); err != nil {
			return nil, false, fmt.Errorf("sortition: decoding pool row %d: %w", r.Position, err)
		}
		pool.Volunteers[i] = leximin.Volunteer{ID: r.ExternalID, Features: f, Household: r.Household}
		households = households || r.Household != ""
	}
	return pool, households, nil
}

// ValueTally is one quota of the table against the volunteers so far.
type ValueTally struct {
	Value    string
	Min, Max int
	Count    int
	// Short: fewer volunteers than the lower quota, so no panel can meet
	// it yet.
	Short bool
}

// CategoryTally is one category of the quota table.
type CategoryTally struct {
	Name   string
	Values []ValueTally
}

// Tally counts the pool per value of the quota table and runs the
// counting feasibility diagnosis; diagnosis is "" when the counts allow a
// panel (the joint integer programme runs only at the draw).
func (d *Draw) Tally(rows []PoolRow) (tally []CategoryTally, diagnosis string, err error) {
	pool, households, err := d.leximinPool(rows)
	if err != nil {
		return nil, "", err
	}
	for ci, c := range pool.Categories {
		ct := CategoryTally{Name: c.Name, Values: make([]ValueTally, len(c.Values))}
		for j, q := range c.Values {
			ct.Values[j] = ValueTally{Value: q.Value, Min: q.Min, Max: q.Max}
		}
		for _, v := range pool.Volunteers {
			if ci < len(v.Features) && v.Features[ci] >= 0 && v.Features[ci] < len(ct.Values) {
				ct.Values[v.Features[ci]].Count++
			}
		}
		for j := range ct.Values {
			ct.Values[j].Short = ct.Values[j].Count < ct.Values[j].Min
		}
		tally = append(tally, ct)
	}
	if err := leximin.Check(pool, d.PanelSize, households); err != nil {
		diagnosis = err.Error()
	}
	return tally, diagnosis, nil
}
