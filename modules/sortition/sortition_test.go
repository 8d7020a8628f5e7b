// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/realdata"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/sortition"
	"github.com/polder-civic/polder/modules/sortition/lottery"
	"github.com/polder-civic/polder/spaces/process"
)

type env struct {
	t      testing.TB
	in     *apptest.Instance
	mod    *sortition.Module
	comp   *registry.Component
	space  *registry.Space
	base   string
	admin  *apptest.Client
	csrf   string
	domain string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	mod := sortition.New()
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: []registry.Module{mod}})
	preset, err := fs.ReadFile(config.Presets(), "climate-convention.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := process.ApplyPreset(ctx, in.App, in.Org.ID, preset)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, in: in, mod: mod}
	comps, err := in.App.Components.InSpace(ctx, process.SpaceType, res.Process.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range comps {
		if comps[i].ModuleID == sortition.ID {
			e.comp = &comps[i]
		}
	}
	if e.comp == nil {
		t.Fatalf("the climate preset's panel component is missing: %+v", comps)
	}
	e.space = &registry.Space{Type: process.SpaceType, ID: res.Process.ID, OrganisationID: in.Org.ID}
	e.domain = e.space.Domain()
	e.base = "/processes/" + res.Process.Slug + "/c/" + strconv.FormatInt(e.comp.ID, 10)
	email := "organiser@example.org"
	now := time.Now().UTC()
	adm := &accounts.Account{OrganisationID: in.Org.ID, Email: &email, Name: "Organiser", Nickname: "organiser", Kind: accounts.KindPerson, OrgAdmin: true, ConfirmedAt: &now}
	if err := in.App.DB.Create(adm).Error; err != nil {
		t.Fatal(err)
	}
	e.admin = in.Client()
	e.csrf = instancetest.Session(t, in, e.admin, adm.ID)
	return e
}

func (e *env) post(path string, form url.Values) *apptest.Response {
	form.Set("_csrf", e.csrf)
	return e.admin.PostRaw(path, form)
}

func (e *env) draw() *sortition.Draw {
	e.t.Helper()
	var d sortition.Draw
	if err := e.in.App.DB.Where("component_id = ?", e.comp.ID).First(&d).Error; err != nil {
		e.t.Fatal(err)
	}
	return &d
}

func (e *env) count(model any) int64 {
	e.t.Helper()
	var n int64
	if err := e.in.App.DB.Model(model).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

// smallPool reads example_small_20 and adds an e-mail column, with one
// account of the organisation per volunteer.
func (e *env) smallPool() (quotas, pool string, byEmail map[string]int64) {
	e.t.Helper()
	dir := realdata.SharedData(e.t, "sortition", "citizensassemblies-replication", "example_small_20")
	q, err := os.ReadFile(filepath.Join(dir, "categories.csv"))
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := os.ReadFile(filepath.Join(dir, "respondents.csv"))
	if err != nil {
		e.t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(r)), "\n")
	byEmail = map[string]int64{}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(lines[0]) + ",email\n")
	accs := make([]accounts.Account, 0, len(lines)-1)
	for i, l := range lines[1:] {
		em := fmt.Sprintf("volunteer%d@example.org", i+1)
		fmt.Fprintf(&b, "%s,%s\n", strings.TrimSpace(l), strings.ToUpper(em[:1])+em[1:]) // matching ignores case
		emc := em
		accs = append(accs, accounts.Account{OrganisationID: e.in.Org.ID, Email: &emc, Name: em, Nickname: fmt.Sprintf("volunteer%d", i+1), Kind: accounts.KindPerson})
	}
	if err := e.in.App.DB.CreateInBatches(accs, 100).Error; err != nil {
		e.t.Fatal(err)
	}
	for _, a := range accs {
		byEmail[strings.ToLower(*a.Email)] = a.ID
	}
	return string(q), b.String(), byEmail
}

func TestVisitorsCannotSeeThePool(t *testing.T) {
	e := newEnv(t)
	anon := e.in.Client()
	r := anon.Get(e.base + "/pool")
	if r.Status != http.StatusSeeOther && r.Status != http.StatusForbidden {
		t.Fatalf("visitor GET pool: %d", r.Status)
	}
	email := "citizen@example.org"
	now := time.Now().UTC()
	acc := &accounts.Account{OrganisationID: e.in.Org.ID, Email: &email, Name: "Citizen", Nickname: "citizen", Kind: accounts.KindPerson, ConfirmedAt: &now}
	if err := e.in.App.DB.Create(acc).Error; err != nil {
		t.Fatal(err)
	}
	c := e.in.Client()
	csrf := instancetest.Session(t, e.in, c, acc.ID)
	c.Get(e.base+"/pool").Must(t, http.StatusForbidden)
	c.PostRaw(e.base+"/pool", url.Values{"_csrf": {csrf}, "quotas": {"category,feature,min,max\ng,a,0,1\n"}, "pool": {"g\na\n"}, "panel_size": {"1"}}).Must(t, http.StatusForbidden)
	if n := e.count(&sortition.Draw{}); n != 0 {
		t.Fatalf("a participant stored a draw (%d)", n)
	}
	e.admin.Get(e.base+"/pool").Must(t, http.StatusOK)
}

func TestUploadErrorsStoreNothing(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ name, quotas, pool, size, want, household string }{
		{"quota not an integer", "category,feature,min,max\ngender,female,x,3\ngender,male,1,3\n", "gender\nfemale\nmale\n", "2", "line 2, column min", ""},
		{"pool misses a category", "category,feature,min,max\ngender,female,1,3\ngender,male,1,3\n", "age\n30\n", "2", "missing column", ""},
		{"infeasible quotas", "category,feature,min,max\ngender,female,2,3\ngender,male,2,3\n", "gender\nfemale\nmale\nmale\n", "3", "female", ""},
		{"one household for a panel of two", "category,feature,min,max\ngender,female,0,2\ngender,male,0,2\n", "gender,street\nfemale,Elm 1\nmale,Elm 1\nmale,Elm 1\n", "2", "household", "street"},
		{"no panel size", "category,feature,min,max\ngender,female,0,3\ngender,male,0,3\n", "gender\nfemale\nmale\n", "0", "panel size", ""},
	} {
		r := e.post(e.base+"/pool", url.Values{"quotas": {tc.quotas}, "pool": {tc.pool}, "panel_size": {tc.size}, "household": {tc.household}})
		r.Must(t, http.StatusUnprocessableEntity).Contains(t, tc.want)
		if n := e.count(&sortition.Draw{}) + e.count(&sortition.PoolRow{}); n != 0 {
			t.Fatalf("%s: stored %d rows", tc.name, n)
		}
	}
}

func TestDrawEndToEnd(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	quotas, pool, byEmail := e.smallPool()
	e.post(e.base+"/pool", url.Values{"quotas": {quotas}, "pool": {pool}, "panel_size": {"20"}}).Must(t, http.StatusSeeOther)
	d := e.draw()
	if d.PoolSize != len(byEmail) || d.Status != sortition.StatusUploaded {
		t.Fatalf("stored draw: %+v", d)
	}
	var linked int64
	e.in.App.DB.Model(&sortition.PoolRow{}).Where("account_id <> 0").Count(&linked)
	if int(linked) != len(byEmail) {
		t.Fatalf("%d of %d pool rows linked to accounts", linked, len(byEmail))
	}
	e.admin.Get(e.base+"/pool").Must(t, http.StatusOK).Contains(t, "Volunteer7@example.org")
	anon := e.in.Client()
	if body := anon.Get(e.base).Must(t, http.StatusOK).Body; strings.Contains(strings.ToLower(body), "volunteer7@") {
		t.Fatal("the public page shows pool e-mails")
	}

	// Drawing before the commitment is refused.
	e.post(e.base+"/draw", url.Values{"secret": {"correct horse battery"}, "public_value": {"1 2 3"}}).Must(t, http.StatusUnprocessableEntity)
	secret := "correct horse battery staple"
	e.post(e.base+"/commit", url.Values{"secret": {secret}}).Must(t, http.StatusSeeOther)
	commitment := lottery.Commit(secret)
	anon.Get(e.base).Must(t, http.StatusOK).Contains(t, commitment)
	// A different secret does not open the commitment.
	e.post(e.base+"/draw", url.Values{"secret": {"another secret"}, "public_value": {"7 13 21 34 40 44"}}).Must(t, http.StatusUnprocessableEntity).Contains(t, "commitment")
	if e.draw().Status != sortition.StatusCommitted {
		t.Fatal("a wrong secret changed the draw")
	}
	e.post(e.base+"/draw", url.Values{"secret": {secret}, "public_value": {"7 13 21 34 40 44"}}).Must(t, http.StatusSeeOther)
	d = e.draw()
	if d.Status != sortition.StatusDrawn {
		t.Fatalf("status %s", d.Status)
	}
	rec, err := d.PublishedRecord()
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Selected) != 20 || rec.Seed.Commitment != commitment || rec.Seed.Secret != secret || len(rec.Pool) != len(byEmail) {
		t.Fatalf("record: %d selected, seed %+v, pool %d", len(rec.Selected), rec.Seed, len(rec.Pool))
	}
	if strings.Contains(strings.ToLower(d.Record), "@example.org") {
		t.Fatal("the published record holds e-mails")
	}
	// The quotas hold for the drawn panel.
	feat := quotasMet(t, rec)

	// Public page, download, verify page and API show the same panel.
	page := anon.Get(e.base).Must(t, http.StatusOK)
	ver := anon.Get(e.base+"/verify").Must(t, http.StatusOK).Contains(t, "20")
	for _, id := range rec.Selected {
		page.Contains(t, id)
		ver.Contains(t, id)
	}
	dl := anon.Get(e.base+"/record.json").Must(t, http.StatusOK)
	var got lottery.Record
	if err := json.Unmarshal([]byte(dl.Body), &got); err != nil {
		t.Fatal(err)
	}
	sel, err := got.Verify()
	if err != nil || !slices.Equal(sel, rec.Selected) {
		t.Fatalf("downloaded record: %v %v", sel, err)
	}
	var api struct {
		Valid    bool     `json:"valid"`
		Selected []string `json:"selected"`
	}
	r := anon.JSON(http.MethodGet, "/api/v1"+e.base+"/verify", "", "").Must(t, http.StatusOK)
	if err := json.Unmarshal([]byte(r.Body), &api); err != nil || !api.Valid || !slices.Equal(api.Selected, rec.Selected) {
		t.Fatalf("API verify: %s (%v)", r.Body, err)
	}
	// A tampered record (another panel claimed) fails on the verify page.
	got.Selected = got.Panels[(got.Index+1)%len(got.Panels)]
	if slices.Equal(got.Selected, rec.Selected) {
		got.Selected = append([]string(nil), rec.Selected[1:]...)
	}
	bad, _ := json.Marshal(got)
	vc := e.in.Client()
	vcsrf := instancetest.Session(t, e.in, vc, 0)
	vc.PostRaw(e.base+"/verify", url.Values{"_csrf": {vcsrf}, "record": {string(bad)}}).Must(t, http.StatusUnprocessableEntity)
	good, _ := json.Marshal(rec)
	vc.PostRaw(e.base+"/verify", url.Values{"_csrf": {vcsrf}, "record": {string(good)}}).Must(t, http.StatusOK).Contains(t, rec.Selected[0])

	// Panel marks: exactly the drawn members' accounts.
	members, err := e.in.App.Panels.Members(ctx, e.domain)
	if err != nil {
		t.Fatal(err)
	}
	var ms []sortition.Member
	e.in.App.DB.Where("draw_id = ?", d.ID).Find(&ms)
	if len(members) != 20 || len(ms) != 20 {
		t.Fatalf("%d panel marks, %d members", len(members), len(ms))
	}
	for _, m := range ms {
		if m.AccountID == 0 || !members[m.AccountID] {
			t.Fatalf("member %s (account %d) not marked", m.Pseudonym, m.AccountID)
		}
	}
	// A second draw is refused.
	e.post(e.base+"/draw", url.Values{"secret": {secret}, "public_value": {"1"}}).Must(t, http.StatusUnprocessableEntity)

	// Replacement: the leaving member's mark ends, one volunteer of the same
	// type who was never drawn takes the seat, and the record replays.
	leaving := rec.Selected[0]
	var leavingM sortition.Member
	e.in.App.DB.Where("draw_id = ? AND pseudonym = ?", d.ID, leaving).First(&leavingM)
	e.post(e.base+"/replace", url.Values{"member": {"0000000000000000"}, "public_value": {"3 5 1"}}).Must(t, http.StatusUnprocessableEntity)
	e.post(e.base+"/replace", url.Values{"member": {leaving}, "public_value": {"3 5 1"}}).Must(t, http.StatusSeeOther)
	var rp sortition.Replacement
	if err := e.in.App.DB.Where("draw_id = ?", d.ID).First(&rp).Error; err != nil {
		t.Fatal(err)
	}
	if rp.Replaced != leaving || slices.Contains(rec.Selected, rp.Replacement) || !slices.Equal(feat[rp.Replacement], feat[leaving]) {
		t.Fatalf("replacement %+v: features %v for %v", rp, feat[rp.Replacement], feat[leaving])
	}
	var irec lottery.ItemRecord
	rdl := anon.Get(e.base+"/replacements/"+strconv.FormatInt(rp.ID, 10)+".json").Must(t, http.StatusOK)
	if err := json.Unmarshal([]byte(rdl.Body), &irec); err != nil {
		t.Fatal(err)
	}
	if got, err := irec.Verify(); err != nil || len(got) != 1 || got[0] != rp.Replacement {
		t.Fatalf("replacement record replays to %v (%v)", got, err)
	}
	anon.Get(e.base).Must(t, http.StatusOK).Contains(t, rp.Replacement, "replayed: same result")
	members, err = e.in.App.Panels.Members(ctx, e.domain)
	if err != nil {
		t.Fatal(err)
	}
	var newM sortition.Member
	e.in.App.DB.Where("draw_id = ? AND pseudonym = ?", d.ID, rp.Replacement).First(&newM)
	if len(members) != 20 || members[leavingM.AccountID] || newM.AccountID == 0 || !members[newM.AccountID] {
		t.Fatalf("after replacement: %d marks, leaving %v, new %d %v", len(members), members[leavingM.AccountID], newM.AccountID, members[newM.AccountID])
	}
	e.post(e.base+"/replace", url.Values{"member": {leaving}, "public_value": {"3 5 1"}}).Must(t, http.StatusUnprocessableEntity)

	// GDPR: the pool is erased after the retention period, the record stays.
	svc := e.mod.Service()
	if n, err := svc.EraseDue(ctx); err != nil || n != 0 {
		t.Fatalf("erased before the retention period: %d %v", n, err)
	}
	if e.count(&sortition.PoolRow{}) == 0 {
		t.Fatal("pool erased too early")
	}
	days := e.in.App.Components.Settings(e.comp).Int("retention_days")
	svc.Now = func() time.Time { return time.Now().UTC().Add(time.Duration(days)*24*time.Hour + time.Hour) }
	if n, err := svc.EraseDue(ctx); err != nil || n != 1 {
		t.Fatalf("EraseDue: %d %v", n, err)
	}
	if n := e.count(&sortition.PoolRow{}); n != 0 {
		t.Fatalf("%d pool rows left", n)
	}
	d = e.draw()
	if d.PoolErasedAt == nil || d.PseudonymKey != "" || d.Record == "" {
		t.Fatalf("after erasure: erased %v, key %q, record %d bytes", d.PoolErasedAt, d.PseudonymKey, len(d.Record))
	}
	anon.Get(e.base+"/verify").Must(t, http.StatusOK).Contains(t, rec.Selected[0])
	e.admin.Get(e.base+"/pool").Must(t, http.StatusOK).Contains(t, "erased")
}

// TestUploadFiles posts the pool as a browser does (multipart files, the
// CSRF token as a form field).
func TestUploadFiles(t *testing.T) {
	e := newEnv(t)
	quotas, pool, byEmail := e.smallPool()
	send := func(q string) *apptest.Response {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField("_csrf", e.csrf)
		_ = w.WriteField("panel_size", "20")
		for name, content := range map[string]string{"quotas": q, "pool": pool} {
			fw, err := w.CreateFormFile(name, name+".csv")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = fw.Write([]byte(content))
		}
		_ = w.Close()
		req, _ := http.NewRequest(http.MethodPost, e.in.URL+e.base+"/pool", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		return e.admin.Do(req)
	}
	// A quota row with a missing max: the line is named, nothing stored.
	send(strings.Replace(quotas, "gender,male,9,20", "gender,male,9", 1)).Must(t, http.StatusUnprocessableEntity).Contains(t, "line 3")
	if n := e.count(&sortition.Draw{}); n != 0 {
		t.Fatalf("stored %d draws after an error", n)
	}
	send(quotas).Must(t, http.StatusSeeOther)
	if d := e.draw(); d.PoolSize != len(byEmail) || d.PanelSize != 20 {
		t.Fatalf("stored %+v", d)
	}
	// A second upload before the draw replaces the first.
	send(quotas).Must(t, http.StatusSeeOther)
	if n := e.count(&sortition.PoolRow{}); int(n) != len(byEmail) {
		t.Fatalf("%d pool rows after a re-upload", n)
	}
}

// TestBackgroundDraw runs a pool above the background threshold through the
// job queue: the page shows the computation, then the verified panel.
func TestBackgroundDraw(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if fe, err := e.in.App.Components.SetValues(ctx, e.comp, map[string]any{"background_from": 50}, nil); err != nil || len(fe) > 0 {
		t.Fatalf("settings: %v %v", fe, err)
	}
	quotas, pool, _ := e.smallPool()
	e.post(e.base+"/pool", url.Values{"quotas": {quotas}, "pool": {pool}, "panel_size": {"20"}}).Must(t, http.StatusSeeOther)
	secret := "a long enough secret"
	e.post(e.base+"/commit", url.Values{"secret": {secret}}).Must(t, http.StatusSeeOther)
	e.post(e.base+"/draw", url.Values{"secret": {secret}, "public_value": {"12 19 33"}}).Must(t, http.StatusSeeOther)
	if s := e.draw().Status; s != sortition.StatusDrawing {
		t.Fatalf("status %s, want drawing", s)
	}
	anon := e.in.Client()
	anon.Get(e.base).Must(t, http.StatusOK).Contains(t, "being computed")
	e.post(e.base+"/draw", url.Values{"secret": {secret}, "public_value": {"12 19 33"}}).Must(t, http.StatusUnprocessableEntity)
	ran := e.in.RunJobs()
	d := e.draw()
	if ran == 0 || d.Status != sortition.StatusDrawn || d.Error != "" {
		t.Fatalf("after %d jobs: status %s, error %q", ran, d.Status, d.Error)
	}
	rec, err := d.PublishedRecord()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Seed.PublicValue != "12 19 33" || len(rec.Selected) != 20 {
		t.Fatalf("record seed %+v, %d selected", rec.Seed, len(rec.Selected))
	}
	ver := anon.Get(e.base+"/verify").Must(t, http.StatusOK)
	for _, id := range rec.Selected {
		ver.Contains(t, id)
	}

	// GDPR for one drawn account: export, then erasure.
	var m sortition.Member
	if err := e.in.App.DB.Where("pseudonym = ?", rec.Selected[0]).First(&m).Error; err != nil || m.AccountID == 0 {
		t.Fatalf("member %+v: %v", m, err)
	}
	data, err := e.mod.PersonalData(ctx, m.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(data)
	if !strings.Contains(string(b), rec.Selected[0]) || !strings.Contains(strings.ToLower(string(b)), "@example.org") || !strings.Contains(string(b), `"gender"`) {
		t.Fatalf("export: %s", b)
	}
	if err := e.mod.Anonymise(ctx, m.AccountID); err != nil {
		t.Fatal(err)
	}
	if data, err := e.mod.PersonalData(ctx, m.AccountID); err != nil || data != nil {
		t.Fatalf("after erasure: %v %v", data, err)
	}
	if n := e.count(&sortition.PoolRow{}); int(n) != len(rec.Pool)-1 {
		t.Fatalf("%d pool rows after erasing one of %d", n, len(rec.Pool))
	}
}

// TestDrawQueueFailureKeepsCommitted: when the background draw cannot be
// queued, the draw is not left "drawing" with no job to finish it: it
// stays committed and can be drawn once the queue works again.
func TestDrawQueueFailureKeepsCommitted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if fe, err := e.in.App.Components.SetValues(ctx, e.comp, map[string]any{"background_from": 50}, nil); err != nil || len(fe) > 0 {
		t.Fatalf("settings: %v %v", fe, err)
	}
	quotas, pool, _ := e.smallPool()
	e.post(e.base+"/pool", url.Values{"quotas": {quotas}, "pool": {pool}, "panel_size": {"20"}}).Must(t, http.StatusSeeOther)
	secret := "a long enough secret"
	e.post(e.base+"/commit", url.Values{"secret": {secret}}).Must(t, http.StatusSeeOther)
	// The queue's table gone for a moment: every enqueue fails.
	if err := e.in.App.DB.Exec("ALTER TABLE jobs RENAME TO jobs_away").Error; err != nil {
		t.Fatal(err)
	}
	e.post(e.base+"/draw", url.Values{"secret": {secret}, "public_value": {"12 19 33"}}).Must(t, http.StatusInternalServerError)
	if err := e.in.App.DB.Exec("ALTER TABLE jobs_away RENAME TO jobs").Error; err != nil {
		t.Fatal(err)
	}
	if s := e.draw().Status; s != sortition.StatusCommitted {
		t.Fatalf("status %s after a failed queueing, want committed", s)
	}
	e.post(e.base+"/draw", url.Values{"secret": {secret}, "public_value": {"12 19 33"}}).Must(t, http.StatusSeeOther)
	if s := e.draw().Status; s != sortition.StatusDrawing {
		t.Fatalf("status %s, want drawing", s)
	}
	e.in.RunJobs()
	if d := e.draw(); d.Status != sortition.StatusDrawn {
		t.Fatalf("status %s after the job, want drawn (%s)", d.Status, d.Error)
	}
}

// TestJointInfeasibility: quotas that pass the per-category counts but
// conflict across categories are reported at the draw, synchronously and
// from the background job, and the draw stays open.
func TestJointInfeasibility(t *testing.T) {
	quotas := "category,feature,min,max\ngender,female,1,1\ngender,male,1,1\nage,young,0,0\nage,old,0,2\n"
	pool := "gender,age\nfemale,young\nfemale,young\nmale,old\nmale,old\n"
	for _, background := range []bool{false, true} {
		e := newEnv(t)
		ctx := context.Background()
		if background {
			if _, err := e.in.App.Components.SetValues(ctx, e.comp, map[string]any{"background_from": 1}, nil); err != nil {
				t.Fatal(err)
			}
		}
		e.post(e.base+"/pool", url.Values{"quotas": {quotas}, "pool": {pool}, "panel_size": {"2"}}).Must(t, http.StatusSeeOther)
		e.post(e.base+"/commit", url.Values{"secret": {"twelve chars"}}).Must(t, http.StatusSeeOther)
		r := e.post(e.base+"/draw", url.Values{"secret": {"twelve chars"}, "public_value": {"6"}})
		if !background {
			r.Must(t, http.StatusUnprocessableEntity).Contains(t, "No panel can meet the quotas")
		} else {
			r.Must(t, http.StatusSeeOther)
			if _, err := e.in.App.Jobs.RunOne(ctx); err != nil {
				t.Fatal(err)
			}
			e.admin.Get(e.base+"/pool").Must(t, http.StatusOK).Contains(t, "The last draw failed")
		}
		if d := e.draw(); d.Status != sortition.StatusCommitted || d.Record != "" || (background && d.Error == "") {
			t.Fatalf("background %v: status %s, error %q", background, d.Status, d.Error)
		}
	}
}

// TestPoolPagePages: the organisers' pool page lists a large pool a page
// at a time, each linked volunteer by name and e-mail, with links between
// the pages; counts and the tally still cover the whole pool.
func TestPoolPagePages(t *testing.T) {
	e := newEnv(t)
	quotas, pool, byEmail := e.smallPool() // 200 volunteers, each linked
	e.post(e.base+"/pool", url.Values{"quotas": {quotas}, "pool": {pool}, "panel_size": {"20"}}).Must(t, http.StatusSeeOther)
	rowsOf := func(body string) int { return strings.Count(body, "@example.org&gt;</td>") }
	first := e.admin.Get(e.base+"/pool").Must(t, http.StatusOK).Contains(t, "Page 1 of 2", `href="?page=2" rel="next"`,
		"volunteer1@example.org &lt;volunteer1@example.org&gt;", "Stored: 200 volunteers")
	if n := rowsOf(first.Body); n != 100 {
		t.Fatalf("first page lists %d named volunteers, want 100", n)
	}
	last := e.admin.Get(e.base+"/pool?page=2").Must(t, http.StatusOK).Contains(t, "Page 2 of 2", `href="?page=1" rel="prev"`,
		"volunteer200@example.org &lt;volunteer200@example.org&gt;")
	if n := rowsOf(last.Body); n != 100 || strings.Contains(last.Body, "volunteer1@example.org &lt;") {
		t.Fatalf("second page: %d named volunteers", n)
	}
	// Out of range goes to the nearest page.
	e.admin.Get(e.base+"/pool?page=99").Must(t, http.StatusOK).Contains(t, "Page 2 of 2")
	e.admin.Get(e.base+"/pool?page=x").Must(t, http.StatusOK).Contains(t, "Page 1 of 2")
	if len(byEmail) != 200 {
		t.Fatalf("fixture has %d volunteers", len(byEmail))
	}
}

// quotasMet fails the test when the record's drawn panel breaks one of its
// published quotas; it returns the pool's features by volunteer id.
func quotasMet(t *testing.T, rec *lottery.Record) map[string][]string {
	t.Helper()
	counts := map[string]int{}
	feat := map[string][]string{}
	for _, m := range rec.Pool {
		feat[m.ID] = m.Features
	}
	for _, id := range rec.Selected {
		for c, v := range feat[id] {
			counts[rec.Categories[c]+"="+v]++
		}
	}
	for _, q := range rec.Quotas {
		if n := counts[q.Category+"="+q.Value]; n < q.Min || n > q.Max {
			t.Fatalf("quota %s=%s [%d,%d]: panel has %d", q.Category, q.Value, q.Min, q.Max, n)
		}
	}
	return feat
}
