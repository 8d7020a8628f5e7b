// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/panel"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/sortition/leximin"
	"github.com/polder-civic/polder/modules/sortition/lottery"
	"github.com/polder-civic/polder/modules/sortition/pooldata"
)

// Service holds the module's operations.
type Service struct {
	srv    *web.Server
	jobs   *jobs.Queue
	panels *panel.Registry
	// Now is the clock (tests move it).
	Now func() time.Time
}

// NewService returns the service.
func NewService(srv *web.Server, q *jobs.Queue, p *panel.Registry) *Service {
	return &Service{srv: srv, jobs: q, panels: p, Now: func() time.Time { return time.Now().UTC() }}
}

// Source is the panel source name of a component's marks.
func Source(comp *registry.Component) string {
	return "sortition:" + strconv.FormatInt(comp.ID, 10)
}

// Get returns the component's draw, or nil when nothing was uploaded.
func (s *Service) Get(ctx context.Context, comp *registry.Component) (*Draw, error) {
	var d Draw
	err := s.srv.DB.WithContext(ctx).Where("component_id = ?", comp.ID).First(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sortition: loading draw: %w", err)
	}
	return &d, nil
}

// Upload is an organiser's pool upload.
type Upload struct {
	Categories  []byte
	Respondents []byte
	PanelSize   int
	// HouseholdColumns name the address columns: at most one member per
	// household.
	HouseholdColumns []string
}

// Upload reads the quota table and the pool and stores them, replacing a
// previous upload not yet drawn. CSV errors (with row and column) are
// returned as invalid input and nothing is stored.
func (s *Service) Upload(ctx context.Context, sp *registry.Space, comp *registry.Component, u Upload) (*Draw, error) {
	set := settingsSchema.Decode(comp.Settings)
	if u.PanelSize <= 0 {
		return nil, perr.Invalid("sortition.error.panel_size", nil)
	}
	cats, err := pooldata.ReadCategoriesForSize(bytes.NewReader(u.Categories), "quotas", u.PanelSize)
	if err != nil {
		return nil, perr.Invalid("sortition.error.csv", map[string]any{"Detail": err.Error()})
	}
	opt := pooldata.RespondentOptions{HouseholdColumns: u.HouseholdColumns}
	accCol := strings.TrimSpace(set.String("account_column"))
	if accCol != "" && hasColumn(u.Respondents, accCol) {
		// The link column doubles as the volunteer id: it is unique and
		// the record only ever shows its pseudonym.
		opt.IDColumn = accCol
	} else {
		accCol = ""
	}
	pool, err := pooldata.ReadRespondents(bytes.NewReader(u.Respondents), "pool", cats, opt)
	if err != nil {
		return nil, perr.Invalid("sortition.error.csv", map[string]any{"Detail": err.Error()})
	}
	if err := pool.Validate(); err != nil {
		return nil, perr.Invalid("sortition.error.csv", map[string]any{"Detail": err.Error()})
	}
	if err := leximin.Check(pool, u.PanelSize, len(u.HouseholdColumns) > 0); err != nil {
		return nil, perr.Invalid("sortition.error.infeasible", map[string]any{"Detail": err.Error()})
	}
	links := map[string]int64{}
	if accCol != "" {
		var accs []accounts.Account
		if err := s.srv.DB.WithContext(ctx).Where("organisation_id = ? AND email IS NOT NULL", sp.OrganisationID).Find(&accs).Error; err != nil {
			return nil, fmt.Errorf("sortition: reading accounts: %w", err)
		}
		for _, a := range accs {
			links[strings.ToLower(*a.Email)] = a.ID
		}
	}
	catJSON, err := json.Marshal(cats)
	if err != nil {
		return nil, fmt.Errorf("sortition: encoding quotas: %w", err)
	}
	now := s.Now()
	var d Draw
	err = s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		var old Draw
		switch err := tx.Where("component_id = ?", comp.ID).First(&old).Error; {
		case err == nil:
			if old.Status == StatusDrawn || old.Status == StatusDrawing {
				return perr.Conflict("sortition.error.already_drawn", nil)
			}
			// Collected and uploaded volunteers never mix: an upload would
			// silently drop the sign-ups.
			n, err := countSignups(tx, old.ID)
			if err != nil {
				return err
			}
			if n > 0 {
				return perr.Conflict("sortition.error.has_signups", map[string]any{"Count": n})
			}
			if err := tx.Where("draw_id = ?", old.ID).Delete(&PoolRow{}).Error; err != nil {
				return err
			}
			if err := tx.Delete(&old).Error; err != nil {
				return err
			}
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		d = Draw{OrganisationID: sp.OrganisationID, ComponentID: comp.ID, SpaceID: sp.ID, PanelSize: u.PanelSize,
			Categories: string(catJSON), PoolSize: len(pool.Volunteers), Status: StatusUploaded, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		rows := make([]PoolRow, len(pool.Volunteers))
		for i, v := range pool.Volunteers {
			f, _ := json.Marshal(v.Features)
			rows[i] = PoolRow{DrawID: d.ID, Position: i, ExternalID: v.ID, Features: string(f), Household: v.Household,
				AccountID: links[strings.ToLower(strings.TrimSpace(v.ID))]}
		}
		if len(rows) > 0 {
			return tx.CreateInBatches(rows, 200).Error
		}
		return nil
	})
	if err != nil {
		if _, ok := perr.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("sortition: storing pool: %w", err)
	}
	return &d, nil
}

// hasColumn reports whether the CSV header has the column (any case).
func hasColumn(data []byte, name string) bool {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	h, err := r.Read()
	if err != nil {
		return false
	}
	for _, c := range h {
		if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(c, "\ufeff")), name) {
			return true
		}
	}
	return false
}

// Pool returns the stored pool rows of a draw (admins only).
func (s *Service) Pool(ctx context.Context, d *Draw) ([]PoolRow, error) {
	var rows []PoolRow
	if err := s.srv.DB.WithContext(ctx).Where("draw_id = ?", d.ID).Order("position, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("sortition: reading pool: %w", err)
	}
	return rows, nil
}

// Commit publishes the SHA-256 commitment of the organiser's secret; the
// secret itself is not stored.
func (s *Service) Commit(ctx context.Context, comp *registry.Component, secret string) (*Draw, error) {
	if len(strings.TrimSpace(secret)) < 8 {
		return nil, perr.Invalid("sortition.error.secret_short", nil)
	}
	d, err := s.Get(ctx, comp)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, perr.Conflict("sortition.error.no_pool", nil)
	}
	if d.Status == StatusDrawn || d.Status == StatusDrawing {
		return nil, perr.Conflict("sortition.error.already_drawn", nil)
	}
	if d.Status == StatusCollecting {
		return nil, perr.Conflict("sortition.error.signup_open", nil)
	}
	d.Commitment, d.Status, d.UpdatedAt = lottery.Commit(secret), StatusCommitted, s.Now()
	// Only these columns: a withdrawal may change pool_size meanwhile.
	if err := s.srv.DB.WithContext(ctx).Model(&Draw{}).Where("id = ?", d.ID).
		Updates(map[string]any{"commitment": d.Commitment, "status": d.Status, "updated_at": d.UpdatedAt}).Error; err != nil {
		return nil, fmt.Errorf("sortition: saving commitment: %w", err)
	}
	return d, nil
}

// categories decodes the stored quota table.
func (d *Draw) categories() ([]leximin.Category, error) {
	var cats []leximin.Category
	if err := json.Unmarshal([]byte(d.Categories), &cats); err != nil {
		return nil, fmt.Errorf("sortition: decoding quotas: %w", err)
	}
	return cats, nil
}

// PublishedRecord decodes the record of a drawn panel.
func (d *Draw) PublishedRecord() (*lottery.Record, error) {
	if d.Record == "" {
		return nil, perr.NotFound("record")
	}
	var rec lottery.Record
	if err := json.Unmarshal([]byte(d.Record), &rec); err != nil {
		return nil, fmt.Errorf("sortition: decoding record: %w", err)
	}
	return &rec, nil
}

// Draw reveals the secret and the public value, computes the LEXIMIN
// distribution, rounds it to a uniform lottery, draws the panel, stores the
// published record, marks the linked accounts as panel members and
// schedules the pool's erasure.
//
// Pools of at least the background_from setting are drawn by a background
// job (status drawing, progress on the public page); smaller ones at once.
func (s *Service) Draw(ctx context.Context, sp *registry.Space, comp *registry.Component, secret, public string) (*Draw, error) {
	set := settingsSchema.Decode(comp.Settings)
	d, err := s.checkReveal(ctx, comp, secret, public)
	if err != nil {
		return nil, err
	}
	if s.jobs == nil || d.PoolSize < set.Int("background_from") {
		return s.compute(ctx, sp, comp, d, secret, public, nil)
	}
	payload, err := json.Marshal(drawPayload{DrawID: d.ID, Secret: secret, Public: public})
	if err != nil {
		return nil, fmt.Errorf("sortition: encoding job: %w", err)
	}
	// "drawing" and the job that leaves it commit together: a draw can
	// never wait for a job that was not queued.
	err = s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Draw{}).Where("id = ? AND status = ?", d.ID, StatusCommitted).
			Updates(map[string]any{"status": StatusDrawing, "error": "", "updated_at": s.Now()})
		if res.Error != nil {
			return fmt.Errorf("sortition: starting draw: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return perr.Conflict("sortition.error.already_drawn", nil)
		}
		if _, err := s.jobs.Enqueue(store.WithTx(ctx, tx), JobDraw, strconv.FormatInt(d.ID, 10), string(payload), 0); err != nil {
			return fmt.Errorf("sortition: queueing draw: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, comp)
}

// drawPayload is the background draw's job payload. The secret is stored
// with the job only until the draw publishes it anyway.
type drawPayload struct {
	DrawID int64  `json:"draw_id"`
	Secret string `json:"secret"`
	Public string `json:"public"`
}

// runDraw is the background draw job.
func (s *Service) runDraw(ctx context.Context, j *jobs.Job, progress func(int, string)) error {
	var p drawPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return nil // malformed payload: nothing to retry
	}
	var d Draw
	if err := s.srv.DB.WithContext(ctx).First(&d, p.DrawID).Error; err != nil {
		return fmt.Errorf("sortition: draw %d: %w", p.DrawID, err)
	}
	if d.Status != StatusDrawing {
		return nil
	}
	comp, err := s.srv.Components.Get(ctx, d.ComponentID)
	if err != nil {
		return fmt.Errorf("sortition: component %d: %w", d.ComponentID, err)
	}
	sp := &registry.Space{Type: comp.SpaceType, ID: comp.SpaceID, OrganisationID: d.OrganisationID}
	if _, err := s.compute(ctx, sp, comp, &d, p.Secret, p.Public, progress); err != nil {
		// Back to committed with the reason, so the organisers can fix the
		// quotas (re-upload) or retry; the job itself is done.
		msg := err.Error()
		if pe, ok := perr.As(err); ok {
			if det, ok := pe.Data["Detail"].(string); ok {
				msg = det
			}
		}
		return s.srv.DB.WithContext(ctx).Model(&Draw{}).Where("id = ? AND status = ?", d.ID, StatusDrawing).
			Updates(map[string]any{"status": StatusCommitted, "error": msg, "updated_at": s.Now()}).Error
	}
	return nil
}

// checkReveal checks that the draw is committed and the secret opens the
// commitment.
func (s *Service) checkReveal(ctx context.Context, comp *registry.Component, secret, public string) (*Draw, error) {
	d, err := s.Get(ctx, comp)
	if err != nil {
		return nil, err
	}
	if d == nil || d.Status == StatusUploaded || d.Status == StatusCollecting {
		return nil, perr.Conflict("sortition.error.no_commitment", nil)
	}
	if d.Status == StatusDrawn {
		return nil, perr.Conflict("sortition.error.already_drawn", nil)
	}
	if d.Status == StatusDrawing {
		return nil, perr.Conflict("sortition.error.drawing", nil)
	}
	if strings.TrimSpace(public) == "" {
		return nil, perr.Invalid("sortition.error.public_value", nil)
	}
	seedIn := lottery.CommitReveal(secret, public)
	if !strings.EqualFold(seedIn.Commitment, d.Commitment) {
		return nil, perr.Invalid("sortition.error.commitment", nil)
	}
	return d, nil
}

// compute runs the selection, the lottery and the publication of a draw
// whose secret was checked. progress may be nil.
func (s *Service) compute(ctx context.Context, sp *registry.Space, comp *registry.Component, d *Draw, secret, public string, progress func(int, string)) (*Draw, error) {
	set := settingsSchema.Decode(comp.Settings)
	if progress == nil {
		progress = func(int, string) {}
	}
	seedIn := lottery.CommitReveal(secret, public)
	progress(5, "reading the pool")
	cats, err := d.categories()
	if err != nil {
		return nil, err
	}
	rows, err := s.Pool(ctx, d)
	if err != nil {
		return nil, err
	}
	// The pool can still shrink while the draw computes (a withdrawal or
	// an account erasure after the close): the record is stored only if
	// the rows read are still exactly the pool (checked below).
	var idSum int64
	for _, r := range rows {
		idSum += r.ID
	}
	if afterPoolRead != nil {
		afterPoolRead()
	}
	pool := &leximin.Pool{Categories: cats, Volunteers: make([]leximin.Volunteer, len(rows))}
	households := false
	for i, r := range rows {
		var f []int
		if err := json.Unmarshal([]byte(r.Features), &f); err != nil {
			return nil, fmt.Errorf("sortition: decoding pool row %d: %w", r.Position, err)
		}
		pool.Volunteers[i] = leximin.Volunteer{ID: r.ExternalID, Features: f, Household: r.Household}
		households = households || r.Household != ""
	}
	progress(10, "computing selection probabilities")
	res, err := leximin.Solve(ctx, pool, d.PanelSize, leximin.Options{Households: households,
		MaximinOnly: set.Bool("maximin_only"), TimeLimit: time.Duration(set.Int("time_limit_seconds")) * time.Second})
	if err != nil {
		var inf *leximin.InfeasibleError
		if errors.As(err, &inf) {
			return nil, perr.Invalid("sortition.error.infeasible", map[string]any{"Detail": err.Error()})
		}
		return nil, fmt.Errorf("sortition: selection: %w", err)
	}
	progress(80, "rounding to a uniform lottery")
	probs := make([]float64, len(res.Panels))
	for j, p := range res.Panels {
		probs[j] = p.Probability
	}
	counts, err := lottery.Apportion(probs, set.Int("lottery_size"))
	if err != nil {
		return nil, fmt.Errorf("sortition: rounding: %w", err)
	}
	tickets, err := res.Expand(counts)
	if err != nil {
		return nil, fmt.Errorf("sortition: rounding: %w", err)
	}
	loss := lottery.CompareMarginals(res.Probabilities, lottery.Marginals(tickets, len(pool.Volunteers)))
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("sortition: pseudonym key: %w", err)
	}
	rec, pseudo := lottery.NewRecord(pool, d.PanelSize, households, tickets, key, seedIn)
	rec.Loss = &loss
	if err := rec.Draw(); err != nil {
		return nil, fmt.Errorf("sortition: draw: %w", err)
	}
	recJSON, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("sortition: encoding record: %w", err)
	}
	byPseudo := make(map[string]int64, len(rows))
	for i, r := range rows {
		byPseudo[pseudo[i]] = r.AccountID
	}
	now := s.Now()
	var linked []int64
	err = s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Draw{}).Where("id = ? AND status IN ?", d.ID, []string{StatusCommitted, StatusDrawing}).Updates(map[string]any{
			"status": StatusDrawn, "error": "", "record": string(recJSON), "pseudonym_key": hex.EncodeToString(key), "drawn_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return perr.Conflict("sortition.error.already_drawn", nil)
		}
		// After the update holds the draw's row: a withdrawal commits
		// before it (seen here) or fails on the status (rolled back).
		var left struct{ N, Sum int64 }
		if err := tx.Model(&PoolRow{}).Where("draw_id = ?", d.ID).
			Select("COUNT(*) AS n, CAST(COALESCE(SUM(id), 0) AS BIGINT) AS sum").Scan(&left).Error; err != nil {
			return fmt.Errorf("sortition: recounting the pool: %w", err)
		}
		if left.N != int64(len(rows)) || left.Sum != idSum {
			return perr.Conflict("sortition.error.pool_changed", nil)
		}
		for _, p := range rec.Selected {
			m := Member{DrawID: d.ID, Pseudonym: p, AccountID: byPseudo[p], CreatedAt: now}
			if err := tx.Create(&m).Error; err != nil {
				return err
			}
			if m.AccountID != 0 {
				linked = append(linked, m.AccountID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sortition: storing draw: %w", err)
	}
	if s.panels != nil && len(linked) > 0 {
		if err := s.panels.Mark(ctx, sp.OrganisationID, sp.Domain(), Source(comp), linked...); err != nil {
			return nil, fmt.Errorf("sortition: panel marks: %w", err)
		}
	}
	if s.jobs != nil {
		delay := time.Duration(set.Int("retention_days")) * 24 * time.Hour
		if _, err := s.jobs.Enqueue(ctx, JobErase, strconv.FormatInt(d.ID, 10), strconv.FormatInt(d.ID, 10), delay); err != nil {
			return nil, fmt.Errorf("sortition: scheduling pool erasure: %w", err)
		}
	}
	return s.Get(ctx, comp)
}

// ErasePool deletes a drawn draw's pool rows and pseudonym key (personal
// data of the volunteers); the published record, which holds pseudonyms
// and feature values only, stays.
func (s *Service) ErasePool(ctx context.Context, drawID int64) error {
	now := s.Now()
	return s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("draw_id = ?", drawID).Delete(&PoolRow{}).Error; err != nil {
			return fmt.Errorf("sortition: erasing pool: %w", err)
		}
		return tx.Model(&Draw{}).Where("id = ? AND pool_erased_at IS NULL", drawID).
			Updates(map[string]any{"pool_erased_at": now, "pseudonym_key": "", "updated_at": now}).Error
	})
}

// EraseDue erases the pools of every draw drawn more than the component's
// retention period ago, for instances that run it from a schedule rather
// than the delayed job. It returns how many pools it erased.
func (s *Service) EraseDue(ctx context.Context) (int, error) {
	var draws []Draw
	if err := s.srv.DB.WithContext(ctx).Where("status = ? AND pool_erased_at IS NULL", StatusDrawn).Find(&draws).Error; err != nil {
		return 0, fmt.Errorf("sortition: listing draws: %w", err)
	}
	n := 0
	for _, d := range draws {
		comp, err := s.srv.Components.Get(ctx, d.ComponentID)
		if err != nil {
			return n, fmt.Errorf("sortition: component %d: %w", d.ComponentID, err)
		}
		days := settingsSchema.Decode(comp.Settings).Int("retention_days")
		if d.DrawnAt == nil || s.Now().Before(d.DrawnAt.Add(time.Duration(days)*24*time.Hour)) {
			continue
		}
		if err := s.ErasePool(ctx, d.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// afterPoolRead, when set (tests only), runs between reading the pool and
// storing the draw.
var afterPoolRead func()

// accountNames names the accounts linked to the given pool rows, for the
// organisers' pool page: "name <e-mail>" (or the name alone) by row id.
func (s *Service) accountNames(ctx context.Context, orgID int64, rows []PoolRow) (map[string]string, error) {
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		if r.AccountID != 0 {
			ids = append(ids, r.AccountID)
		}
	}
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var accs []accounts.Account
	if err := s.srv.DB.WithContext(ctx).Select("id", "name", "email").
		Where("organisation_id = ? AND id IN ?", orgID, ids).Find(&accs).Error; err != nil {
		return nil, fmt.Errorf("sortition: naming pool accounts: %w", err)
	}
	names := make(map[int64]string, len(accs))
	for _, a := range accs {
		n := a.Name
		if a.Email != nil && *a.Email != "" {
			n += " <" + *a.Email + ">"
		}
		names[a.ID] = n
	}
	for _, r := range rows {
		if n, ok := names[r.AccountID]; ok {
			out[strconv.FormatInt(r.ID, 10)] = n
		}
	}
	return out, nil
}
