// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
)

// demoStatement is a synthetic statement with how much each of the three
// planted opinion groups tends to agree with it (probability of agree; the
// rest splits between disagree and pass).
type demoStatement struct {
	body  string
	agree [3]float64
}

// demoStatements: group 0 favours strong public action, group 1 market and
// technology, group 2 worries about costs; the last ones unite everyone.
var demoStatements = []demoStatement{
	{"Cars should be banned from city centres by 2030.", [3]float64{.85, .3, .1}},
	{"Il faut taxer le kérosène des vols intérieurs.", [3]float64{.9, .45, .15}},
	{"Nuclear power is needed to cut emissions fast enough.", [3]float64{.3, .9, .45}},
	{"Le prix de l'essence est déjà trop élevé pour les ménages ruraux.", [3]float64{.3, .35, .95}},
	{"A carbon price should rise every year, with the revenue paid back to households.", [3]float64{.6, .85, .2}},
	{"Les vols courts doivent être interdits quand le train met moins de 4 heures.", [3]float64{.9, .4, .2}},
	{"Technology, not restrictions, will solve the climate crisis.", [3]float64{.1, .85, .5}},
	{"Les éoliennes défigurent nos paysages.", [3]float64{.1, .3, .75}},
	{"Meat consumption should be reduced in school canteens.", [3]float64{.85, .5, .25}},
	{"Il faut aider davantage les ménages modestes à isoler leur logement.", [3]float64{.95, .8, .9}},
	{"Public transport should be free for people under 26.", [3]float64{.85, .35, .7}},
	{"Les entreprises qui polluent le plus doivent payer le plus.", [3]float64{.95, .7, .8}},
	{"Electric cars are too expensive for most families.", [3]float64{.55, .3, .95}},
	{"Il faut construire de nouvelles autoroutes pour désengorger les villes.", [3]float64{.05, .45, .65}},
	{"Farmers need support to change their practices, not new penalties.", [3]float64{.75, .7, .9}},
	{"La rénovation thermique des écoles doit être une priorité.", [3]float64{.9, .85, .85}},
	{"Citizens drawn by lot should vote on the final climate measures.", [3]float64{.75, .3, .55}},
	{"Les trains de nuit doivent être relancés partout en Europe.", [3]float64{.9, .7, .6}},
	{"Rules for new buildings should require solar panels on every roof.", [3]float64{.8, .75, .3}},
	{"Le climat est un sujet trop important pour être laissé aux seuls experts.", [3]float64{.85, .4, .8}},
}

// demoVolunteers is the size of the sortition demo pool, whose volunteers
// are volunteer-0001 … volunteer-1200@demo.polder.test (modules/sortition
// DemoPool). The opinion map's signed-in demo participants are the first of
// them, so that once an admin draws the demo panel, the members who took
// part show up beside the open public in the map's report.
const demoVolunteers = 1200

// demoVolunteerEmail is the address of the i-th (1-based) pool volunteer.
func demoVolunteerEmail(i int) string {
	return fmt.Sprintf("volunteer-%04d@demo.polder.test", i)
}

// SeedDemo fills the opinion-map component of a process (the climate
// convention preset's) with a synthetic conversation: organisers' seed
// statements in English and French and the votes of n participants drawn
// from three planted opinion groups of unequal sizes, spread over the last
// two weeks, then computes the map. Three in four participants vote signed
// in, as confirmed accounts of the sortition demo pool's volunteers
// (demoVolunteers; created here when missing, without a password: they
// are demo data); the others vote anonymously. It is seeded, so
// every demo shows the same conversation, and idempotent: a component that
// already has statements is left alone. It returns the votes added.
func SeedDemo(ctx context.Context, a *app.App, orgID int64, processSlug string, n int) (int, error) {
	_, comp, err := a.SpaceComponent(ctx, orgID, "process", processSlug, ID)
	if err != nil {
		return 0, fmt.Errorf("seeding opinion map: %w", err)
	}
	if comp == nil {
		return 0, nil // the optional component is not enabled
	}
	svc := NewService(a.DB, a.Components, nil)
	var have int64
	if err := a.DB.WithContext(ctx).Model(&Statement{}).Where("component_id = ?", comp.ID).Count(&have).Error; err != nil {
		return 0, fmt.Errorf("counting statements: %w", err)
	}
	if have > 0 {
		return 0, nil
	}
	rng := rand.New(rand.NewPCG(2026, uint64(comp.ID)))
	now := time.Now().UTC()
	start := now.Add(-14 * 24 * time.Hour)
	var ids []int64
	for i, d := range demoStatements {
		st := Statement{ComponentID: comp.ID, Body: d.body, State: StateAccepted, Seed: true, CreatedAt: start.Add(time.Duration(i) * time.Hour)}
		if err := a.DB.WithContext(ctx).Create(&st).Error; err != nil {
			return 0, fmt.Errorf("adding demo statement: %w", err)
		}
		ids = append(ids, st.ID)
	}
	accs, err := demoVolunteerAccounts(ctx, a, orgID, min(n*3/4, demoVolunteers))
	if err != nil {
		return 0, err
	}
	votes := 0
	batch := make([]Vote, 0, 2000)
	for i := 0; i < n; i++ {
		// Unequal planted groups: 50%, 30%, 20%.
		g := 0
		if u := rng.Float64(); u > 0.8 {
			g = 2
		} else if u > 0.5 {
			g = 1
		}
		at := start.Add(time.Duration(rng.Int64N(int64(14 * 24 * time.Hour))))
		p := Participant{ComponentID: comp.ID, CreatedAt: at}
		if i < len(accs) {
			p.AccountID = &accs[i]
		} else {
			key := fmt.Sprintf("demo-%d", i)
			p.AnonKey = &key
		}
		if err := a.DB.WithContext(ctx).Create(&p).Error; err != nil {
			return 0, fmt.Errorf("adding demo participant: %w", err)
		}
		// Each participant sees 40 to 100% of the statements.
		seen := rng.Perm(len(ids))[:len(ids)*(4+rng.IntN(7))/10]
		for k, j := range seen {
			v := -1
			u := rng.Float64()
			pa := demoStatements[j].agree[g]
			switch {
			case u < 0.1:
				v = 0 // pass
			case u < 0.1+0.9*pa:
				v = 1
			}
			t := at.Add(time.Duration(k) * 20 * time.Second)
			batch = append(batch, Vote{StatementID: ids[j], ParticipantID: p.ID, ComponentID: comp.ID, Vote: v, CreatedAt: t, UpdatedAt: t})
		}
		if len(batch) > 1500 || i == n-1 {
			if err := a.DB.WithContext(ctx).CreateInBatches(batch, 500).Error; err != nil {
				return 0, fmt.Errorf("adding demo votes: %w", err)
			}
			votes += len(batch)
			batch = batch[:0]
		}
	}
	if _, err := svc.Recompute(ctx, comp.ID); err != nil {
		return votes, err
	}
	return votes, nil
}

// demoVolunteerAccounts returns the account ids of the first k demo pool
// volunteers, creating the missing ones as confirmed accounts without a
// password (nobody logs in as them), in batches to keep the demo quick.
func demoVolunteerAccounts(ctx context.Context, a *app.App, orgID int64, k int) ([]int64, error) {
	if k <= 0 {
		return nil, nil
	}
	emails := make([]string, k)
	for i := range emails {
		emails[i] = demoVolunteerEmail(i + 1)
	}
	var have []accounts.Account
	if err := a.DB.WithContext(ctx).Where("organisation_id = ? AND email IN ?", orgID, emails).Find(&have).Error; err != nil {
		return nil, fmt.Errorf("loading demo volunteers: %w", err)
	}
	byEmail := make(map[string]int64, len(have))
	for _, acc := range have {
		byEmail[*acc.Email] = acc.ID
	}
	now := time.Now().UTC()
	var missing []*accounts.Account
	for i, email := range emails {
		if _, ok := byEmail[email]; ok {
			continue
		}
		missing = append(missing, &accounts.Account{OrganisationID: orgID, Email: &email, Name: fmt.Sprintf("Volunteer %04d", i+1),
			Nickname: fmt.Sprintf("volunteer-%04d", i+1), Kind: accounts.KindPerson, Locale: "fr", ConfirmedAt: &now})
	}
	if len(missing) > 0 {
		if err := a.DB.WithContext(ctx).CreateInBatches(missing, 200).Error; err != nil {
			return nil, fmt.Errorf("adding demo volunteers: %w", err)
		}
		for _, acc := range missing {
			byEmail[*acc.Email] = acc.ID
		}
	}
	ids := make([]int64, k)
	for i, email := range emails {
		ids[i] = byEmail[email]
	}
	return ids, nil
}
