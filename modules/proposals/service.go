// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
)

// Scope is where an action happens: a component of a space, with its
// typed settings.
type Scope struct {
	Space     *registry.Space
	Component *registry.Component
	Settings  Settings
	// sessionSettings is keyed by session id.
	sessionSettings map[int64]SessionSettings
}

// SessionSettings returns the settings of one session of the scope.
func (sc *Scope) SessionSettings(sessionID int64) SessionSettings {
	if ss, ok := sc.sessionSettings[sessionID]; ok {
		return ss
	}
	return SessionSettingsFrom(sessionSchema.Defaults())
}

// NewScope types a component's settings for a space.
func NewScope(comps *registry.Components, sp *registry.Space, comp *registry.Component) *Scope {
	sc := &Scope{Space: sp, Component: comp, Settings: SettingsFrom(comps.Settings(comp)), sessionSettings: map[int64]SessionSettings{}}
	for _, se := range sp.Sessions {
		sc.sessionSettings[se.ID] = SessionSettingsFrom(comps.SessionSettings(comp, se.ID))
	}
	return sc
}

// Service holds the proposals domain: every action is a method taking a
// Scope and the acting account, never an HTTP context.
type Service struct {
	db         *store.DB
	comps      *registry.Components
	audit      web.Auditor
	Comments   *comments.Service
	Moderation *moderation.Service
	// Now is the clock, replaceable in tests.
	Now func() time.Time
	// fts is true when the SQLite FTS5 table exists (see search.go).
	fts bool
	// counts caches Counts per component (nil: no cache; see CacheCounts).
	counts *store.Cache[int64, []Count]
}

// CacheCounts keeps the counts per theme and session, which every listing
// page shows and which read all of a component's proposals, for the
// database's CacheTTL; any write to proposals or moderations through this
// process drops them. Call it while assembling the instance (it registers
// write hooks).
func (s *Service) CacheCounts() error {
	c, err := store.NewCache[int64, []Count](s.db, "proposals", "moderations")
	if err != nil {
		return fmt.Errorf("proposal counts cache: %w", err)
	}
	s.counts = c
	return nil
}

// NewService returns the service. audit may be nil (no log).
func NewService(db *store.DB, comps *registry.Components, audit web.Auditor) *Service {
	return &Service{db: db, comps: comps, audit: audit, Comments: comments.New(db), Moderation: moderation.New(db),
		Now: func() time.Time { return time.Now().UTC() }, fts: ensureSearch(context.Background(), db)}
}

// Scope types the settings of a component in a space.
func (s *Service) Scope(sp *registry.Space, comp *registry.Component) *Scope {
	return NewScope(s.comps, sp, comp)
}

// record writes an audit entry. Outside a transaction the audit log uses
// its own connection, so never call it inside one with a plain context
// (on SQLite it would wait for the transaction's own connection): pass
// store.WithTx(ctx, tx) to write the entry in the transaction.
func (s *Service) record(ctx context.Context, sc *Scope, actorID int64, actorLabel, action string, p *Proposal, details string) {
	if s.audit == nil {
		return
	}
	s.audit.Record(ctx, web.AuditEntry{OrganisationID: sc.Space.OrganisationID, ActorID: actorID, ActorLabel: actorLabel,
		Action: "proposals." + action, ResourceType: ResourceType, ResourceID: strconv.FormatInt(p.ID, 10), SpaceID: sc.Space.ID, Details: details})
}

// Get loads a proposal of the scope's component. Drafts are returned only
// to their author (viewerID), hidden proposals only when showHidden.
func (s *Service) Get(ctx context.Context, sc *Scope, id, viewerID int64, showHidden bool) (*Proposal, error) {
	var p Proposal
	err := s.db.WithContext(ctx).Where("component_id = ? AND id = ?", sc.Component.ID, id).First(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, perr.NotFound("proposal")
	}
	if err != nil {
		return nil, fmt.Errorf("loading proposal %d: %w", id, err)
	}
	if p.State == StateDraft && p.AuthorID != viewerID {
		return nil, perr.NotFound("proposal")
	}
	if !showHidden {
		hidden, err := s.Moderation.IsHidden(ctx, ResourceType, p.ID)
		if err != nil {
			return nil, err
		}
		if hidden && p.AuthorID != viewerID {
			return nil, perr.NotFound("proposal")
		}
	}
	return &p, nil
}

// participant is the per-(component, account) row that filing and
// supporting lock.
type participant struct {
	ComponentID int64
	AccountID   int64
	Filed       int
	Supports    int
}

func (participant) TableName() string { return "proposal_participants" }

// lockParticipant creates the account's row if needed and locks it for
// the rest of the transaction.
func (s *Service) lockParticipant(tx *gorm.DB, componentID, accountID int64) (*participant, error) {
	// One statement creates the row or, when it exists, updates it in
	// place, which takes its row lock on PostgreSQL until the transaction
	// ends (SQLite's single connection serialises transactions anyway).
	var pp participant
	err := tx.Raw(`INSERT INTO proposal_participants (component_id, account_id, filed, supports) VALUES (?, ?, 0, 0)
		ON CONFLICT (component_id, account_id) DO UPDATE SET filed = proposal_participants.filed
		RETURNING component_id, account_id, filed, supports`, componentID, accountID).Scan(&pp).Error
	if err != nil {
		return nil, fmt.Errorf("locking participant row: %w", err)
	}
	return &pp, nil
}
