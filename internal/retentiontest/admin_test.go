// SPDX-License-Identifier: AGPL-3.0-or-later

package retentiontest

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/spaces/process"
)

// TestRetentionAdminForm: only the space's admins set its periods; the
// form is checked as a whole (nothing stored when a field is wrong); the
// change is audit-logged; the retention job applies what was set.
func TestRetentionAdminForm(t *testing.T) {
	ctx := context.Background()
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}})
	fx := instancetest.NewFixture(t, in)
	page := "/admin/processes/" + fx.Process.Slug + "/retention"
	api := "/api/v1/processes/" + fx.Process.Slug + "/retention"
	admin := instancetest.NewUser(t, in, "admin", true)
	part := instancetest.NewUser(t, in, "part", false)
	dom := fx.Domain()
	periods := func() map[string]int {
		t.Helper()
		p, err := in.App.Retention.Periods(ctx, dom)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	policies := func() int64 {
		var n int64
		in.App.DB.Table("retention_policies").Count(&n)
		return n
	}

	// A participant can neither see nor change it.
	part.Client.Get(page).Must(t, http.StatusForbidden)
	part.Post(page, url.Values{"verification": {"30"}}).Must(t, http.StatusForbidden)
	instancetest.JSON(t, in, part.Client, http.MethodPut, api, part.CSRF, "", `{"verification":30}`).Must(t, http.StatusForbidden)
	if policies() != 0 {
		t.Fatal("a participant set a retention period")
	}

	admin.Client.Get(page).Must(t, http.StatusOK).Contains(t, in.App.Bundle.T("en", "retention.category.verification", nil))
	// One wrong field: nothing is stored, each error is shown.
	r := admin.Post(page, url.Values{"pool": {"-3"}, "ip": {"abc"}, "verification": {"40"}}).Must(t, http.StatusUnprocessableEntity)
	r.Contains(t, in.App.Bundle.T("en", "retention.error.number", nil), `aria-invalid="true"`)
	admin.Post(page, url.Values{"verification": {"36501"}}).Must(t, http.StatusUnprocessableEntity)
	if policies() != 0 {
		t.Fatal("an invalid form stored periods")
	}
	admin.Post(page, url.Values{"pool": {""}, "ip": {"7"}, "verification": {"30"}}).Must(t, http.StatusSeeOther)
	if p := periods(); p["pool"] != 0 || p["ip"] != 7 || p["verification"] != 30 {
		t.Fatalf("periods %v", p)
	}
	var details []string
	in.App.DB.Table("audit_log").Where("action = ? AND space_id = ? AND actor_id = ?", "retention.update", fx.Process.ID, admin.Acc.ID).Pluck("details", &details)
	if len(details) != 1 || details[0] != "pool=0 ip=7 verification=30" {
		t.Fatalf("audit entries %q", details)
	}

	// The API: same checks, partial updates.
	instancetest.JSON(t, in, admin.Client, http.MethodPut, api, admin.CSRF, "", `{"verification":50000}`).Must(t, http.StatusUnprocessableEntity)
	instancetest.JSON(t, in, admin.Client, http.MethodPut, api, admin.CSRF, "", `{"nonsense":5}`).Must(t, http.StatusUnprocessableEntity)
	instancetest.JSON(t, in, admin.Client, http.MethodPut, api, admin.CSRF, "", `{"ip":0}`).Must(t, http.StatusOK).Contains(t, `"ip":0`, `"verification":30`)
	if p := periods(); p["ip"] != 0 || p["verification"] != 30 {
		t.Fatalf("periods after PUT %v", p)
	}

	// A session that last authenticated 16 minutes ago is sent to
	// re-authenticate and changes nothing.
	instancetest.AgeAuth(t, in, admin.Client, 16*time.Minute)
	if r := admin.Post(page, url.Values{"verification": {"1"}}).Must(t, http.StatusSeeOther); r.Location[:8] != "/reauth?" {
		t.Fatalf("stale admin sent to %q", r.Location)
	}
	if p := periods(); p["verification"] != 30 {
		t.Fatal("a stale session changed the period")
	}

	// The daily job reads the periods: issuance records of the space
	// older than 30 days go, newer ones and other spaces' stay.
	now := time.Now().UTC()
	other := instancetest.NewUser(t, in, "other", false)
	for _, row := range []struct {
		domain string
		acc    int64
		age    time.Duration
	}{{dom, part.Acc.ID, 40 * 24 * time.Hour}, {dom, admin.Acc.ID, 5 * 24 * time.Hour}, {"process:999999", other.Acc.ID, 40 * 24 * time.Hour}} {
		if err := in.App.DB.Exec("INSERT INTO anon_issuances (domain, account_id, issued_on) VALUES (?, ?, ?)", row.domain, row.acc, now.Add(-row.age)).Error; err != nil {
			t.Fatal(err)
		}
	}
	erased, err := in.App.Retention.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var left []int64
	in.App.DB.Table("anon_issuances").Order("account_id").Pluck("account_id", &left)
	if erased["verification"] != 1 || len(left) != 2 || left[0] != admin.Acc.ID || left[1] != other.Acc.ID {
		t.Fatalf("erased %v, issuances left for %v (admin %d, other %d)", erased, left, admin.Acc.ID, other.Acc.ID)
	}
}
