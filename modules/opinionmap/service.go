// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
)

// JobKind is the kind of the recompute job; its key is the component id.
const JobKind = "opinionmap.recompute"

// Service holds the conversation domain: every action takes a component
// and a participant, never an HTTP context.
type Service struct {
	db    *store.DB
	comps *registry.Components
	jobs  *jobs.Queue
	// Now is the clock, replaceable in tests.
	Now func() time.Time

	mu    sync.Mutex
	cache map[int64]*Results
	// windows are the open debounce windows of recompute requests by
	// component (see schedule); bg counts the enqueues in flight.
	windows map[int64]*window
	bg      sync.WaitGroup
	// settings caches each component's decoded settings by their JSON.
	settings sync.Map // component id → settingsEntry
	// participants caches participant ids by component and identity: a
	// participant row never changes who it belongs to.
	participants sync.Map // partKey → *Participant
	// visible holds each component's visible statements for a short
	// while (see visibleStatements).
	visible *store.Cache[int64, []Statement]
	// votes and joins group concurrent votes, and concurrent creations
	// of participants, into one statement each on PostgreSQL (see group).
	votes *group[pendingVote]
	joins *group[newParticipant]
	// checked is when Results last compared the cache with the database.
	checked map[int64]time.Time
}

type partKey struct {
	comp int64
	who  Who
}

// visibleTTL is how long a list of visible statements is reused: this
// instance drops it at once when it changes one; another instance's
// change shows after at most this long.
const visibleTTL = 2 * time.Second

// visibleStatements returns the statements shown to voters, cached (one
// load at a time: every vote reads them).
func (s *Service) visibleStatements(ctx context.Context, compID int64) ([]Statement, error) {
	return s.visible.Get(compID, func() ([]Statement, error) {
		return s.Statements(ctx, compID, StateAccepted, StateUnmoderated)
	})
}

// forget drops the cached statements of a component after a change.
func (s *Service) forget(compID int64) { s.visible.Delete(compID) }

// enqueueEvery is how often one instance enqueues a component's recompute
// at most.
const enqueueEvery = time.Second

// NewService returns the service. q may be nil: recomputes then run only
// when Recompute is called.
func NewService(db *store.DB, comps *registry.Components, q *jobs.Queue) *Service {
	s := &Service{db: db, comps: comps, jobs: q, Now: func() time.Time { return time.Now().UTC() }, cache: map[int64]*Results{}, windows: map[int64]*window{}, visible: store.NewLocalCache[int64, []Statement](visibleTTL), checked: map[int64]time.Time{}}
	s.votes = &group[pendingVote]{exec: func(ctx context.Context, b []*pendingVote) error { return writeVotes(ctx, db, s.Now(), b) }}
	s.joins = &group[newParticipant]{exec: func(ctx context.Context, b []*newParticipant) error {
		return createParticipants(ctx, db, s.Now(), b)
	}}
	// A conversation's first burst of votes runs these (see
	// store.DB.Hot).
	if db.Dialect == store.Postgres {
		now := time.Now()
		db.Hot(batchAnonParticipants, now, "{}", "{}")
		db.Hot(batchAccountParticipants, now, "{}", "{}")
		db.Hot(batchVotes, "{}", "{}", "{}", "{}", now, now, "{}", "{}")
	}
	if q != nil {
		q.Handle(JobKind, s.runJob)
	}
	return s
}

type settingsEntry struct {
	raw string
	set Settings
}

// Settings types a component's settings, decoded once per version of
// them (every vote reads them).
func (s *Service) Settings(comp *registry.Component) Settings {
	if e, ok := s.settings.Load(comp.ID); ok && e.(settingsEntry).raw == comp.Settings {
		return e.(settingsEntry).set
	}
	set := SettingsFrom(s.comps.Settings(comp))
	s.settings.Store(comp.ID, settingsEntry{raw: comp.Settings, set: set})
	return set
}

// The statements that create a participant, on a session's first vote
// (SQLite; PostgreSQL batches them, see createParticipants).
const (
	insertAccountParticipant = "INSERT INTO opinion_participants (component_id, account_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"
	insertAnonParticipant    = "INSERT INTO opinion_participants (component_id, anon_key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"
)

// Who identifies the acting participant: an account, or an anonymous
// session key.
type Who struct {
	AccountID int64
	AnonKey   string
}

// Participant returns (creating it if needed) the participant of a
// conversation for who. create false returns nil, nil when none exists.
func (s *Service) Participant(ctx context.Context, compID int64, who Who, create bool) (*Participant, error) {
	if who.AccountID == 0 && who.AnonKey == "" {
		return nil, nil
	}
	if p, ok := s.participants.Load(partKey{compID, who}); ok {
		return p.(*Participant), nil
	}
	if create {
		// Insert first: a participant not in this process's cache is
		// mostly a new one (a session's first vote), so one statement
		// instead of a read, the insert and a read again. ON CONFLICT DO
		// NOTHING returns no row when it exists (or a concurrent first
		// vote of the same participant created it): then it is read. On
		// PostgreSQL the inserts arriving together share one statement.
		now := s.Now()
		var id int64
		if s.db.Dialect == store.Postgres {
			np := &newParticipant{compID: compID, who: who}
			if err := s.joins.write(ctx, np); err != nil {
				return nil, fmt.Errorf("creating participant: %w", err)
			}
			id = np.id
		} else {
			var row *sql.Row
			if who.AccountID != 0 {
				row = s.db.WithContext(ctx).Raw(insertAccountParticipant, compID, who.AccountID, now).Row()
			} else {
				row = s.db.WithContext(ctx).Raw(insertAnonParticipant, compID, who.AnonKey, now).Row()
			}
			if err := row.Scan(&id); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("creating participant: %w", err)
			}
		}
		if id != 0 {
			p := &Participant{ID: id, ComponentID: compID, CreatedAt: now}
			if who.AccountID != 0 {
				p.AccountID = &who.AccountID
			} else {
				p.AnonKey = &who.AnonKey
			}
			s.participants.Store(partKey{compID, who}, p)
			return p, nil
		}
	}
	q := s.db.WithContext(ctx).Where("component_id = ?", compID)
	if who.AccountID != 0 {
		q = q.Where("account_id = ?", who.AccountID)
	} else {
		q = q.Where("anon_key = ?", who.AnonKey)
	}
	var p Participant
	if err := q.Limit(1).Find(&p).Error; err != nil {
		return nil, fmt.Errorf("loading participant: %w", err)
	}
	if p.ID == 0 {
		if create {
			// The row the insert found was deleted since (a merge at
			// login, which is rare and moves everything to the account).
			return nil, fmt.Errorf("participant of component %d vanished while being created", compID)
		}
		return nil, nil
	}
	s.participants.Store(partKey{compID, who}, &p)
	return &p, nil
}

// ParseVote reads "agree", "disagree", "pass" or 1, -1, 0.
func ParseVote(v string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "agree", "1", "+1":
		return 1, nil
	case "disagree", "-1":
		return -1, nil
	case "pass", "0":
		return 0, nil
	}
	return 0, perr.Invalid("opinionmap.error.vote", nil)
}

// Vote records a participant's vote on a statement: one row per
// participant and statement, a later vote replaces the earlier one. It
// schedules a recompute and never waits for it.
func (s *Service) Vote(ctx context.Context, comp *registry.Component, p *Participant, statementID int64, vote int) error {
	_, err := s.vote(ctx, comp, p, statementID, vote, false)
	return err
}

// VoteAndList records a vote like Vote and returns the statements the
// participant has voted on, this one included (to choose the next
// statement). On PostgreSQL it is one statement shared with the votes
// arriving at the same moment (voteBatcher: the upserts in a CTE, and
// each voter's other votes as one row); on SQLite the upsert then a read.
func (s *Service) VoteAndList(ctx context.Context, comp *registry.Component, p *Participant, statementID int64, vote int) (map[int64]bool, error) {
	return s.vote(ctx, comp, p, statementID, vote, true)
}

func (s *Service) vote(ctx context.Context, comp *registry.Component, p *Participant, statementID int64, vote int, list bool) (map[int64]bool, error) {
	if vote < -1 || vote > 1 {
		return nil, perr.Invalid("opinionmap.error.vote", nil)
	}
	sts, err := s.visibleStatements(ctx, comp.ID)
	if err != nil {
		return nil, err
	}
	found := false
	for i := range sts {
		if sts[i].ID == statementID {
			found = true
			break
		}
	}
	if !found {
		// Not in the (possibly slightly old) list: ask the database.
		var st Statement
		if err := s.db.WithContext(ctx).Select("id, state").Where("component_id = ? AND id = ?", comp.ID, statementID).Limit(1).Find(&st).Error; err != nil {
			return nil, fmt.Errorf("loading statement: %w", err)
		}
		if st.ID == 0 || !visible(st.State) {
			return nil, perr.NotFound("statement")
		}
	}
	var mine map[int64]bool
	if s.db.Dialect == store.Postgres {
		// Grouped with the votes arriving at the same time (see
		// voteBatcher).
		pv := &pendingVote{statementID: statementID, participantID: p.ID, componentID: comp.ID, vote: vote, list: list}
		if err := s.votes.write(ctx, pv); err != nil {
			return nil, fmt.Errorf("recording vote: %w", err)
		}
		mine = pv.voted
	} else {
		// SQLite has one writer at a time: the upsert, then the read.
		// The primary key makes the vote unique, and the upsert makes
		// the last one win without a lock.
		now := s.Now()
		const upsert = `INSERT INTO opinion_votes (statement_id, participant_id, component_id, vote, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (statement_id, participant_id) DO UPDATE SET vote = excluded.vote, updated_at = excluded.updated_at`
		if err := s.db.WithContext(ctx).Exec(upsert, statementID, p.ID, comp.ID, vote, now, now).Error; err != nil {
			return nil, fmt.Errorf("recording vote: %w", err)
		}
		if list {
			if mine, err = s.votedOn(ctx, p); err != nil {
				return nil, err
			}
		}
	}
	s.schedule(comp)
	return mine, nil
}

// schedule asks for a recompute of a component without touching the
// database on the caller's path: an in-process debounce enqueues at most
// one job per component per enqueueEvery. The first change of a quiet
// period enqueues at once (in the background); changes during the window
// are marked, and one more enqueue at the window's end covers them, so
// every change is followed by an enqueue made after it. The job queue
// dedupes by key a job not yet started, so several instances, each with
// its own debounce, still queue one job; a job already running gets one
// successor. A failure is logged, never returned to the voter. A process
// that stops within a window leaves its last changes to the next vote's
// recompute.
func (s *Service) schedule(comp *registry.Component) {
	if s.jobs == nil {
		return
	}
	delay := time.Duration(s.Settings(comp).RecomputeDelay) * time.Second
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.windows[comp.ID]; w != nil {
		w.dirty, w.delay = true, delay
		return
	}
	w := &window{delay: delay}
	s.windows[comp.ID] = w
	w.timer = time.AfterFunc(enqueueEvery, func() { s.windowEnd(comp.ID, w) })
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.enqueue(context.Background(), comp.ID, delay)
	}()
}

// window is a component's open debounce window.
type window struct {
	timer *time.Timer
	dirty bool
	delay time.Duration
}

// windowEnd closes a window, enqueueing once more (and opening a new
// window) when changes came during it.
func (s *Service) windowEnd(compID int64, w *window) {
	s.mu.Lock()
	if s.windows[compID] != w {
		s.mu.Unlock()
		return
	}
	if !w.dirty {
		delete(s.windows, compID)
		s.mu.Unlock()
		return
	}
	w.dirty = false
	w.timer = time.AfterFunc(enqueueEvery, func() { s.windowEnd(compID, w) })
	s.bg.Add(1)
	s.mu.Unlock()
	defer s.bg.Done()
	s.enqueue(context.Background(), compID, w.delay)
}

// Flush closes every debounce window now, enqueueing what they hold, and
// waits for the enqueues in flight: for tests and orderly shutdown.
func (s *Service) Flush() {
	s.mu.Lock()
	var dirty []int64
	delays := map[int64]time.Duration{}
	for id, w := range s.windows {
		w.timer.Stop()
		if w.dirty {
			dirty = append(dirty, id)
			delays[id] = w.delay
		}
	}
	s.windows = map[int64]*window{}
	s.mu.Unlock()
	for _, id := range dirty {
		s.enqueue(context.Background(), id, delays[id])
	}
	s.bg.Wait()
}

func (s *Service) enqueue(ctx context.Context, compID int64, delay time.Duration) {
	id := strconv.FormatInt(compID, 10)
	if _, err := s.jobs.Enqueue(ctx, JobKind, id, id, delay); err != nil {
		slog.Error("opinionmap: scheduling recompute", "component", compID, "err", err)
	}
}

// visible reports whether a statement in this state is shown to voters.
func visible(state string) bool { return state == StateAccepted || state == StateUnmoderated }

// Submit adds a statement. Seed statements (by organisers) are accepted at
// once; participant statements follow the moderation setting.
func (s *Service) Submit(ctx context.Context, comp *registry.Component, p *Participant, body string, seed bool) (*Statement, error) {
	set := s.Settings(comp)
	body, err := CheckBody(set, body)
	if err != nil {
		return nil, err
	}
	st := &Statement{ComponentID: comp.ID, Body: body, Seed: seed, CreatedAt: s.Now()}
	switch {
	case seed:
		st.State = StateAccepted
	case !set.ParticipantStatements:
		return nil, perr.New(perr.CodeForbidden, "opinionmap.error.statements_closed", nil)
	case set.Moderation == ModerationPre:
		st.State = StatePending
	default:
		st.State = StateUnmoderated
	}
	if p != nil {
		st.ParticipantID = &p.ID
	}
	if err := s.db.WithContext(ctx).Create(st).Error; err != nil {
		return nil, fmt.Errorf("adding statement: %w", err)
	}
	if visible(st.State) {
		s.forget(comp.ID)
		s.schedule(comp)
	}
	return st, nil
}

// CheckBody trims a statement and checks it is not empty and within the
// conversation's length limit.
func CheckBody(set Settings, body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", perr.Invalid("opinionmap.error.empty", nil)
	}
	if n := utf8.RuneCountInString(body); n > set.MaxLength {
		return "", perr.Invalid("opinionmap.error.too_long", map[string]any{"Max": set.MaxLength})
	}
	return body, nil
}

// Moderate accepts or rejects a statement.
func (s *Service) Moderate(ctx context.Context, comp *registry.Component, id int64, accept bool) (*Statement, error) {
	state := StateRejected
	if accept {
		state = StateAccepted
	}
	now := s.Now()
	res := s.db.WithContext(ctx).Model(&Statement{}).Where("component_id = ? AND id = ?", comp.ID, id).
		Updates(map[string]any{"state": state, "moderated_at": now})
	if res.Error != nil {
		return nil, fmt.Errorf("moderating statement %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, perr.NotFound("statement")
	}
	s.forget(comp.ID)
	s.schedule(comp)
	return s.Statement(ctx, comp.ID, id)
}

// Statement loads one statement.
func (s *Service) Statement(ctx context.Context, compID, id int64) (*Statement, error) {
	var st Statement
	err := s.db.WithContext(ctx).Where("component_id = ? AND id = ?", compID, id).First(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("statement")
	}
	if err != nil {
		return nil, fmt.Errorf("loading statement %d: %w", id, err)
	}
	return &st, nil
}

// Statements lists a conversation's statements in the given states (all
// when none), oldest first.
func (s *Service) Statements(ctx context.Context, compID int64, states ...string) ([]Statement, error) {
	q := s.db.WithContext(ctx).Where("component_id = ?", compID)
	if len(states) > 0 {
		q = q.Where("state IN ?", states)
	}
	var out []Statement
	if err := q.Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("listing statements: %w", err)
	}
	return out, nil
}

// MyVotes returns a participant's votes by statement id.
func (s *Service) MyVotes(ctx context.Context, p *Participant) (map[int64]int, error) {
	out := map[int64]int{}
	if p == nil {
		return out, nil
	}
	// Raw rows: this runs on every vote (the next statement), so no
	// struct mapping. The component narrows the scan to the
	// participant's rows of the (component_id, participant_id) index; by
	// participant alone it would read the whole index, every vote.
	return s.scanVotes(s.db.WithContext(ctx).Raw("SELECT statement_id, vote FROM opinion_votes WHERE component_id = ? AND participant_id = ?", p.ComponentID, p.ID).Rows())
}

// votedOn returns the statements a participant has voted on.
func (s *Service) votedOn(ctx context.Context, p *Participant) (map[int64]bool, error) {
	out := map[int64]bool{}
	if p == nil {
		return out, nil
	}
	rows, err := s.db.WithContext(ctx).Raw("SELECT statement_id FROM opinion_votes WHERE component_id = ? AND participant_id = ?", p.ComponentID, p.ID).Rows()
	if err != nil {
		return nil, fmt.Errorf("loading votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reading vote: %w", err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading votes: %w", err)
	}
	return out, nil
}

// parseIDs reads comma-separated ids into a set ("" is none).
func parseIDs(s string) (map[int64]bool, error) {
	out := make(map[int64]bool, strings.Count(s, ",")+1)
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, ",")
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("statement id %q: %w", part, err)
		}
		out[id] = true
	}
	return out, nil
}

// scanVotes reads (statement_id, vote) rows into a map.
func (s *Service) scanVotes(rows *sql.Rows, err error) (map[int64]int, error) {
	if err != nil {
		return nil, fmt.Errorf("loading votes: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var sid int64
		var v int
		if err := rows.Scan(&sid, &v); err != nil {
			return nil, fmt.Errorf("reading vote: %w", err)
		}
		out[sid] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading votes: %w", err)
	}
	return out, nil
}

// Counts are a conversation's live totals.
type Counts struct {
	Votes, Participants, Statements int64
}

// LiveCounts counts votes, voters and visible statements now.
func (s *Service) LiveCounts(ctx context.Context, compID int64) (Counts, error) {
	var c Counts
	db := s.db.WithContext(ctx)
	if err := db.Model(&Vote{}).Where("component_id = ?", compID).Count(&c.Votes).Error; err != nil {
		return c, fmt.Errorf("counting votes: %w", err)
	}
	if err := db.Model(&Vote{}).Where("component_id = ?", compID).Distinct("participant_id").Count(&c.Participants).Error; err != nil {
		return c, fmt.Errorf("counting voters: %w", err)
	}
	if err := db.Model(&Statement{}).Where("component_id = ? AND state IN ?", compID, []string{StateAccepted, StateUnmoderated}).Count(&c.Statements).Error; err != nil {
		return c, fmt.Errorf("counting statements: %w", err)
	}
	return c, nil
}
