// SPDX-License-Identifier: AGPL-3.0-or-later

package verify_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/authz"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/verify"
)

// orgDigest applies the published procedure as an organisation would,
// written independently of the package.
func orgDigest(secret, normalised string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(normalised))
	return hex.EncodeToString(m.Sum(nil))
}

func TestCensusDigestIsThePublishedProcedure(t *testing.T) {
	const secret = "00ff"
	if got, want := verify.CensusDigest(secret, " 12.345.678-a "), orgDigest(secret, "12345678A"); got != want {
		t.Fatalf("digest %s, the documented procedure gives %s", got, want)
	}
	// Known answer, computed with the README's openssl command:
	// printf '%s' 12345678A | openssl dgst -sha256 -hmac 00ff
	if got := verify.CensusDigest(secret, "12345678A"); got != "e9ea5cc2bedfafe8d430101df006a4cfa54ef0848da7612206f001fe5314dd49" {
		t.Fatalf("digest %s differs from openssl's", got)
	}
	if verify.CensusDigest(secret, "12345678A") == verify.CensusDigest("00fe", "12345678A") {
		t.Fatal("the digest does not depend on the key")
	}
}

func TestCensusEndToEnd(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	page := f.admin.Get("/admin/verify").Must(t, http.StatusOK)
	m := censusSecret.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no census key on the admin page: %s", page.Body)
	}
	secret := m[1]
	f.enable(t, "census", "")
	csv := "digest;birth_date\n" + orgDigest(secret, "12345678A") + ";1980-04-30\n" + orgDigest(secret, "99887766B") + ";1975-01-02\n"
	f.admin.PostForm("/admin/verify/census/upload", url.Values{"csv": {csv}}).Must(t, http.StatusOK).Contains(t, "2 census rows added")
	// Uploading again adds nothing (digests are unique).
	f.admin.PostForm("/admin/verify/census/upload", url.Values{"csv": {csv}}).Must(t, http.StatusOK).Contains(t, "0 census rows added")

	ann, c := f.participant(t, "ann@example.org")
	// A required census blocks the action, naming the verification.
	if err := f.in.App.Authz.RequireVerification(ctx, authz.OrgDomainOf(f.in.Org.ID), "probe.act", "census"); err != nil {
		t.Fatal(err)
	}
	c.Get("/probe-act").Must(t, http.StatusForbidden).Contains(t, "reserved for accounts verified by Census", `href="/verify?next=%2Fprobe-act"`)
	fr := f.in.Client()
	fr.Login("ann@example.org", password)
	fr.Get("/probe-act?locale=fr").Must(t, http.StatusForbidden).Contains(t, "vérifiés par Recensement", "Vérifier mon compte")
	f.in.Client().JSON(http.MethodGet, "/probe-act", apiToken(t, f, ann.ID), "").Must(t, http.StatusForbidden).
		Contains(t, `"error":"forbidden"`, "verified by Census: verify your account at /verify")
	c.Get("/verify").Must(t, http.StatusOK).Contains(t, "Census", `action="/verify/census"`, "never your identifier")

	r := c.PostForm("/verify/census", url.Values{"identifier": {"12.345.678-A"}, "birth_date": {"1980-04-29"}})
	r.Must(t, http.StatusUnprocessableEntity).Contains(t, "not on the census")
	if f.in.App.Verify.Has(ctx, ann.ID, "census") {
		t.Fatal("verified with a wrong birth date")
	}
	c.PostForm("/verify/census", url.Values{"identifier": {"12 345 678 a"}, "birth_date": {"1980-04-30"}, "next": {"/probe-act"}}).
		Must(t, http.StatusSeeOther)
	if !f.in.App.Verify.Has(ctx, ann.ID, "census") {
		t.Fatal("not verified after a matching census entry")
	}
	c.Get("/probe-act").Must(t, http.StatusOK).Contains(t, "acted")
	recs, err := f.in.App.Verify.Records(ctx, ann.ID)
	if err != nil || len(recs) != 1 || recs[0].ExpiresAt == nil {
		t.Fatalf("records %+v, %v", recs, err)
	}
	if d := time.Until(*recs[0].ExpiresAt); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Fatalf("expires in %v, want the 30 days configured", d)
	}
	// Renewing with the same row is allowed; another account cannot use it.
	c.PostForm("/verify/census", url.Values{"identifier": {"12345678A"}, "birth_date": {"1980-04-30"}}).Must(t, http.StatusSeeOther)
	bob, cb := f.participant(t, "bob@example.org")
	cb.PostForm("/verify/census", url.Values{"identifier": {"12345678A"}, "birth_date": {"1980-04-30"}}).
		Must(t, http.StatusConflict).Contains(t, "already verified another account")
	if f.in.App.Verify.Has(ctx, bob.ID, "census") {
		t.Fatal("one census row verified two accounts")
	}
	// The API path does the same.
	tok := apiToken(t, f, bob.ID)
	f.in.Client().JSON(http.MethodPost, "/api/v1/verify/census", tok, `{"identifier":"99887766b","birth_date":"1975-01-02"}`).Must(t, http.StatusCreated)
	if !f.in.App.Verify.Has(ctx, bob.ID, "census") {
		t.Fatal("API verification not recorded")
	}
	// An expired verification no longer counts.
	f.in.App.Verify.Now = func() time.Time { return time.Now().UTC().AddDate(0, 0, 31) }
	if f.in.App.Verify.Has(ctx, ann.ID, "census") {
		t.Fatal("expired verification still held")
	}
	f.in.App.Verify.Now = func() time.Time { return time.Now().UTC() }

	// No raw identifier anywhere: every row of every table.
	scanDB(t, f.in, "12345678A", "12.345.678-A", "12 345 678", "99887766")
	total, used, err := f.in.App.Verify.CensusStats(ctx, f.in.Org.ID)
	if err != nil || total != 2 || used != 2 {
		t.Fatalf("census stats %d/%d, %v", used, total, err)
	}
}

func TestParseCensus(t *testing.T) {
	d1, d2 := strings.Repeat("a", 64), strings.Repeat("0", 63)+"F"
	got, err := verify.ParseCensus(strings.NewReader("\ufeffdigest,birth_date\r\n" + d1 + ",2001-02-03\r\n\r\n" + d2 + ", 1999-12-31\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []verify.CensusEntry{{Digest: d1, BirthDate: "2001-02-03"}, {Digest: strings.ToLower(d2), BirthDate: "1999-12-31"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for name, in := range map[string]string{
		"short digest":  d1[:63] + ",2001-02-03\n",
		"bad date":      "x,y\n" + d1 + ",2001-02-30\n",
		"three columns": d1 + ",2001-02-03,x\n",
		"quote":         d1 + ",\"2001\n",
	} {
		_, err := verify.ParseCensus(strings.NewReader(in))
		var pe *perr.Error
		if !errors.As(err, &pe) || pe.Code != perr.CodeInvalid {
			t.Errorf("%s: error %v, want an invalid-input error", name, err)
		}
	}
}

func FuzzParseCensus(f *testing.F) {
	d := strings.Repeat("ab", 32)
	f.Add("digest,birth_date\n" + d + ",2001-02-03\n")
	f.Add(d + ";1990-01-01\n" + d + ";1990-01-02")
	f.Add("\"a\nb\",c")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := verify.ParseCensus(strings.NewReader(in))
		if err != nil {
			if _, ok := perr.As(err); !ok {
				t.Fatalf("error %v is not a user-facing error", err)
			}
			return
		}
		for _, e := range got {
			if len(e.Digest) != 64 || strings.Trim(e.Digest, "0123456789abcdef") != "" {
				t.Fatalf("digest %q accepted", e.Digest)
			}
			if _, err := time.Parse(time.DateOnly, e.BirthDate); err != nil {
				t.Fatalf("birth date %q accepted", e.BirthDate)
			}
		}
	})
}

// TestCensusFileUpload sends the census as the admin page's browser does:
// a multipart form with the file.
func TestCensusFileUpload(t *testing.T) {
	f := newFixture(t)
	st, err := f.in.App.Verify.Settings(t.Context(), f.in.Org.ID, "census")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", f.admin.CSRF())
	fw, _ := mw.CreateFormFile("file", "census.csv")
	_, _ = fw.Write([]byte(orgDigest(st.Secret, "A1") + ",2000-01-01\n" + orgDigest(st.Secret, "B2") + ",2000-01-02\n" + orgDigest(st.Secret, "C3") + ",2000-01-03\n"))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.in.URL+"/admin/verify/census/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	f.admin.Do(req).Must(t, http.StatusOK).Contains(t, "3 census rows added", "0 of 3 used.")
	// A broken file is refused with the line named, nothing stored.
	body.Reset()
	mw = multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", f.admin.CSRF())
	fw, _ = mw.CreateFormFile("file", "census.csv")
	_, _ = fw.Write([]byte(orgDigest(st.Secret, "D4") + ",2000-01-01\nnot-a-digest,2000-01-02\n"))
	_ = mw.Close()
	req, _ = http.NewRequest(http.MethodPost, f.in.URL+"/admin/verify/census/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	f.admin.Do(req).Must(t, http.StatusUnprocessableEntity).Contains(t, "Line 2")
	if total, _, _ := f.in.App.Verify.CensusStats(t.Context(), f.in.Org.ID); total != 3 {
		t.Fatalf("%d census rows after a refused upload", total)
	}
}

// TestPagesTranslated renders every page in each language and looks for
// message ids left untranslated.
func TestPagesTranslated(t *testing.T) {
	f := newFixture(t)
	f.in.App.Verify.Register(&verify.OIDC{Issuer: "http://127.0.0.1:1", ClientID: "x"})
	for _, k := range []string{"census", "code", "email_domain", "oidc"} {
		f.enable(t, k, "example.org")
	}
	_, c := f.participant(t, "ann@example.org")
	if err := f.in.App.Authz.RequireVerification(t.Context(), "*", "probe.act", "code"); err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{"en", "fr", "nl"} {
		pages := map[string]*apptest.Response{
			"verify":   c.Get("/verify?locale="+loc).Must(t, http.StatusOK),
			"required": c.Get("/probe-act?locale="+loc).Must(t, http.StatusForbidden),
			"admin":    f.admin.Get("/admin/verify?locale="+loc).Must(t, http.StatusOK),
		}
		for name, r := range pages {
			if i := strings.Index(r.Body, "verify."); i >= 0 {
				t.Errorf("%s page in %s shows an untranslated id near %q", name, loc, r.Body[max(0, i-40):min(len(r.Body), i+60)])
			}
		}
	}
}
