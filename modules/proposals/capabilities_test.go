// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals_test

import (
	"context"
	"net/url"
	"strconv"
	"testing"

	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/modules/proposals"
)

func TestCapabilities(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.user("giver", false)
	pub := e.filed(u, "mobility", "Shared e-bikes", "Shared electric bikes in every district.")
	r := u.Post(e.base+"/proposals", url.Values{"theme_id": {strconv.FormatInt(e.theme("housing").ID, 10)}, "title": {"A private draft"}, "body": {"Not ready to publish yet."}, "draft": {"1"}})
	r.Must(t, 303)
	other := e.user("other", false)
	hidden := e.filed(other, "mobility", "Spam spam spam", "Buy cheap things at my shop now.")
	mod := e.user("mod", true)
	mod.Post(e.base+"/proposals/"+strconv.FormatInt(hidden, 10)+"/report", url.Values{"reason": {"spam"}}).Must(t, 303)
	var mid int64
	if err := e.in.App.DB.Raw("SELECT id FROM moderations WHERE resource_id = ?", hidden).Scan(&mid).Error; err != nil {
		t.Fatal(err)
	}
	mod.Post(e.base+"/moderation/"+strconv.FormatInt(mid, 10)+"/hide", nil).Must(t, 303)
	other.Post(e.base+"/proposals/"+strconv.FormatInt(pub, 10)+"/support", nil).Must(t, 303)

	cs, err := e.mod.Contributions(ctx, e.comp, registry.ContributionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].ID != pub || cs[0].Supports != 1 || cs[0].Kind != "proposal" || cs[0].URL != e.base+"/proposals/"+strconv.FormatInt(pub, 10) {
		t.Fatalf("contributions %+v: want only the published, visible one", cs)
	}
	if cs, _ := e.mod.Contributions(ctx, e.comp, registry.ContributionFilter{ThemeID: e.theme("housing").ID}); len(cs) != 0 {
		t.Fatalf("theme filter: %+v", cs)
	}

	data, err := e.mod.PersonalData(ctx, u.Acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec := data.(proposals.PersonalRecord)
	if len(rec.Proposals) != 2 {
		t.Fatalf("personal data holds %d proposals, want the published one and the draft", len(rec.Proposals))
	}
	if d, _ := e.mod.PersonalData(ctx, other.Acc.ID); len(d.(proposals.PersonalRecord).Supports) != 1 {
		t.Fatal("supports missing from personal data")
	}
	for range 2 { // idempotent
		if err := e.mod.Anonymise(ctx, u.Acc.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count("SELECT COUNT(*) FROM proposals WHERE author_id = ?", u.Acc.ID); n != 1 {
		t.Fatalf("%d proposals after erasure, want the published one only", n)
	}
}
