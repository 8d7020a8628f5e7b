// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/comments"
	"github.com/polder-civic/polder/core/registry"
)

// SeedDemo adds about n realistic French and English contributions to the
// proposals component of a process (the climate convention preset's),
// spread over its themes and over the sessions that have started, filed
// by demo participants and associations within the component's quotas,
// with supports, comments and some official answers. It is idempotent: a
// component that already holds n proposals is left alone. It returns the
// number of proposals added.
func SeedDemo(ctx context.Context, a *app.App, orgID int64, processSlug string, n int) (int, error) {
	sp, comp, err := a.SpaceComponent(ctx, orgID, "process", processSlug, ID)
	if err != nil {
		return 0, fmt.Errorf("seeding proposals: %w", err)
	}
	if comp == nil {
		return 0, fmt.Errorf("seeding proposals: process %s has no proposals component", processSlug)
	}
	var have int64
	if err := a.DB.WithContext(ctx).Table("proposals").Where("component_id = ?", comp.ID).Count(&have).Error; err != nil {
		return 0, fmt.Errorf("counting proposals: %w", err)
	}
	if int(have) >= n {
		return 0, nil
	}
	sc := NewScope(a.Components, sp, comp)
	return seed(ctx, a, sc, n-int(have))
}

func seed(ctx context.Context, a *app.App, sc *Scope, n int) (int, error) {
	now := time.Now().UTC()
	var sessions []registry.Session
	for _, se := range sc.Space.Sessions {
		if se.StartsAt.Before(now) {
			sessions = append(sessions, se)
		}
	}
	var themes []registry.Theme
	for _, th := range sc.Space.Themes {
		if len(demoIdeas[th.Key]) > 0 {
			themes = append(themes, th)
		}
	}
	if len(sessions) == 0 || len(themes) == 0 {
		return 0, fmt.Errorf("seeding proposals: the process needs started sessions and the climate themes")
	}
	rng := rand.New(rand.NewPCG(uint64(sc.Component.ID), 2020))
	added := 0
	err := a.DB.Tx(ctx, func(tx *gorm.DB) error {
		authors, err := demoAuthors(tx, sc.Space.OrganisationID, max(n/3, 12), now)
		if err != nil {
			return err
		}
		used := map[[3]int64]bool{}
		var list []*Proposal
		for tries := 0; len(list) < n && tries < n*20; tries++ {
			acc := authors[rng.IntN(len(authors))]
			th := themes[rng.IntN(len(themes))]
			se := sessions[rng.IntN(len(sessions))]
			key := [3]int64{acc.ID, th.ID, se.ID}
			q := sc.Settings.QuotasFor(acc.Kind)
			if used[key] && q.ThemeSession > 0 {
				continue
			}
			used[key] = true
			ideas := demoIdeas[th.Key]
			id := ideas[rng.IntN(len(ideas))]
			place := demoPlaces[rng.IntN(len(demoPlaces))]
			p := &Proposal{OrganisationID: sc.Space.OrganisationID, ComponentID: sc.Component.ID, SpaceID: sc.Space.ID, ThemeID: th.ID, SessionID: se.ID,
				AuthorID: acc.ID, AuthorKind: acc.Kind, State: StatePublished, CountsQuota: true}
			if rng.IntN(5) < 3 {
				p.Locale, p.Title, p.Body = "fr", id.TitleFR, id.BodyFR
				if angle := demoAnglesFR[rng.IntN(len(demoAnglesFR))]; angle != "" {
					p.Body += "\n\n" + fmt.Sprintf(angle, place)
				}
			} else {
				p.Locale, p.Title, p.Body = "en", id.TitleEN, id.BodyEN
				if angle := demoAnglesEN[rng.IntN(len(demoAnglesEN))]; angle != "" {
					p.Body += "\n\n" + fmt.Sprintf(angle, place)
				}
			}
			end := se.EndsAt
			if end.After(now) {
				end = now
			}
			at := se.StartsAt.Add(time.Duration(rng.Int64N(int64(end.Sub(se.StartsAt)) + 1))).Truncate(time.Second)
			p.PublishedAt, p.CreatedAt, p.UpdatedAt = &at, at, at
			p.Fingerprint = Fingerprint(p.Title, p.Body)
			if se.EndsAt.Before(now) && rng.IntN(6) == 0 {
				p.AnswerState = []string{AnswerEvaluating, AnswerAccepted, AnswerRejected}[rng.IntN(3)]
				p.AnswerText = map[string]string{AnswerEvaluating: "Les services étudient cette proposition. / Our services are studying this proposal.",
					AnswerAccepted: "Retenue pour la session plénière. / Taken up for the plenary session.",
					AnswerRejected: "Non retenue : hors du champ de la convention. / Not taken up: outside the convention's remit."}[p.AnswerState]
				p.AnsweredAt = &end
			}
			list = append(list, p)
		}
		if err := tx.CreateInBatches(list, 100).Error; err != nil {
			return fmt.Errorf("saving demo proposals: %w", err)
		}
		added = len(list)
		return seedReactions(tx, rng, sc, authors, list, now)
	})
	return added, err
}

// demoAuthors creates (or finds) the demo's participants and associations.
// They have no password: they exist to sign the demo's contributions.
func demoAuthors(tx *gorm.DB, orgID int64, n int, now time.Time) ([]accounts.Account, error) {
	first := []string{"camille", "lea", "hugo", "manon", "lucas", "chloe", "nathan", "ines", "jules", "sarah", "tom", "emma", "noah", "alice", "sam", "olivia", "james", "amelia", "jack", "ruby"}
	groups := []string{"velo-cite", "amis-de-la-terre-local", "repair-cafe", "collectif-energie", "jardins-partages", "green-commuters"}
	var out []accounts.Account
	for i := range n + len(groups) {
		kind, nick := accounts.KindPerson, fmt.Sprintf("%s-%d", first[i%len(first)], i)
		if i >= n {
			kind, nick = accounts.KindGroup, groups[i-n]
		}
		email := "demo-" + nick + "@demo.polder.test"
		var acc accounts.Account
		err := tx.Where("organisation_id = ? AND email = ?", orgID, email).First(&acc).Error
		if err == gorm.ErrRecordNotFound {
			acc = accounts.Account{OrganisationID: orgID, Email: &email, Name: strings.ToUpper(nick[:1]) + nick[1:], Nickname: nick, Kind: kind, Locale: "fr", ConfirmedAt: &now}
			err = tx.Create(&acc).Error
		}
		if err != nil {
			return nil, fmt.Errorf("demo author %s: %w", nick, err)
		}
		out = append(out, acc)
	}
	return out, nil
}

// seedReactions adds supports, comments and the participants' counters.
func seedReactions(tx *gorm.DB, rng *rand.Rand, sc *Scope, authors []accounts.Account, list []*Proposal, now time.Time) error {
	filed, supports := map[int64]int{}, map[int64]int{}
	type support struct {
		ProposalID, AccountID, ComponentID int64
		CreatedAt                          time.Time
	}
	var rows []support
	var cms []comments.Comment
	for _, p := range list {
		filed[p.AuthorID]++
		k := rng.IntN(12)
		if rng.IntN(10) == 0 {
			k += 20 // a few popular ones
		}
		seen := map[int64]bool{p.AuthorID: true}
		for range k {
			acc := authors[rng.IntN(len(authors))]
			if seen[acc.ID] || (sc.Settings.SupportsPerParticipant > 0 && supports[acc.ID] >= sc.Settings.SupportsPerParticipant) {
				continue
			}
			seen[acc.ID] = true
			supports[acc.ID]++
			rows = append(rows, support{p.ID, acc.ID, sc.Component.ID, *p.PublishedAt})
			p.SupportsCount++
		}
		if rng.IntN(4) == 0 {
			for range 1 + rng.IntN(3) {
				c := demoComments[rng.IntN(len(demoComments))]
				body := c.EN
				if p.Locale == "fr" {
					body = c.FR
				}
				acc := authors[rng.IntN(len(authors))]
				cms = append(cms, comments.Comment{OrganisationID: sc.Space.OrganisationID, ResourceType: ResourceType, ResourceID: p.ID,
					AuthorID: acc.ID, Body: body, Stance: c.Stance, CreatedAt: now, UpdatedAt: now})
				p.CommentsCount++
			}
		}
	}
	if len(rows) > 0 {
		if err := tx.Table("proposal_supports").CreateInBatches(rows, 200).Error; err != nil {
			return fmt.Errorf("saving demo supports: %w", err)
		}
	}
	if len(cms) > 0 {
		if err := tx.CreateInBatches(cms, 200).Error; err != nil {
			return fmt.Errorf("saving demo comments: %w", err)
		}
	}
	for _, p := range list {
		if err := tx.Exec("UPDATE proposals SET supports_count = ?, comments_count = ? WHERE id = ?", p.SupportsCount, p.CommentsCount, p.ID).Error; err != nil {
			return fmt.Errorf("counting demo reactions: %w", err)
		}
	}
	for _, acc := range authors {
		if err := tx.Exec("INSERT INTO proposal_participants (component_id, account_id, filed, supports) VALUES (?, ?, 0, 0) ON CONFLICT DO NOTHING", sc.Component.ID, acc.ID).Error; err != nil {
			return fmt.Errorf("demo participant: %w", err)
		}
		if err := tx.Exec("UPDATE proposal_participants SET filed = filed + ?, supports = supports + ? WHERE component_id = ? AND account_id = ?",
			filed[acc.ID], supports[acc.ID], sc.Component.ID, acc.ID).Error; err != nil {
			return fmt.Errorf("demo participant: %w", err)
		}
	}
	return nil
}
