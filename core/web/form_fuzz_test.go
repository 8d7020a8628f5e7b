// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
)

// post is an echo context of a POST with a body and content type.
func post(body, contentType string) echo.Context {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set(echo.HeaderContentType, contentType)
	return echo.New().NewContext(req, httptest.NewRecorder())
}

// badRequest fails unless err is a 400 the error handler translates.
func badRequest(t *testing.T, what string, err error) {
	t.Helper()
	if pe, ok := perr.As(err); !ok || pe.Code != perr.CodeBadRequest {
		t.Fatalf("%s refused with %v, want a bad-request error", what, err)
	}
}

// FuzzAccountForm feeds the form decoder behind the account pages (and
// the settings and admin forms that use FormMap) arbitrary bodies, seeded
// with the forms the pages post. It must not panic; it refuses other
// content types and malformed bodies with a 400; what it accepts is the
// first value of each posted field but the CSRF token.
func FuzzAccountForm(f *testing.F) {
	for _, form := range []url.Values{
		{"_csrf": {"tok"}, "email": {"ana@example.org"}, "name": {"Ana Lima"}, "nickname": {"ana"}, "password": {"correct horse battery"}, "kind": {"person"}},
		{"_csrf": {"tok"}, "token": {"Zm9vYmFy"}, "password": {"staple tuna violin"}},
		{"email": {"a@b", "c@d"}, "locale": {"fr"}},
	} {
		f.Add(form.Encode(), echo.MIMEApplicationForm)
	}
	f.Add("a=%zz&b", echo.MIMEApplicationForm+"; charset=utf-8")
	f.Add(`{"email":"a@b"}`, echo.MIMEApplicationJSON)
	f.Fuzz(func(t *testing.T, body, contentType string) {
		got, err := accountForm(post(body, contentType))
		if err != nil {
			badRequest(t, "form", err)
			return
		}
		want, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("accepted a body that does not parse: %q", body)
		}
		if _, ok := got["_csrf"]; ok {
			t.Fatal("the CSRF token reached the handler's fields")
		}
		for k, v := range want {
			if k != "_csrf" && got[k] != v[0] {
				t.Fatalf("field %q: got %q, want %q", k, got[k], v[0])
			}
		}
	})
}

// FuzzAccountJSON feeds the account API's JSON decoder arbitrary bodies,
// seeded with the API's request bodies. It must not panic; it refuses
// other content types, unknown fields and trailing data with a 400; what
// it accepts decodes the same with the standard decoder.
func FuzzAccountJSON(f *testing.F) {
	f.Add(`{"email":"pia@example.org","name":"Pia","nickname":"pia","password":"correct horse battery","locale":"nl","kind":"person"}`, echo.MIMEApplicationJSON)
	f.Add(`{"email":"pia@example.org"} {"x":1}`, echo.MIMEApplicationJSON)
	f.Add(`{"email":"pia@example.org","admin":true}`, echo.MIMEApplicationJSON+"; charset=utf-8")
	f.Add(`email=pia`, echo.MIMEApplicationForm)
	f.Fuzz(func(t *testing.T, body, contentType string) {
		var got registerRequest
		if err := bindAccountJSON(post(body, contentType), &got); err != nil {
			badRequest(t, "JSON", err)
			return
		}
		var want registerRequest
		if err := json.Unmarshal([]byte(body), &want); err != nil || got != want {
			t.Fatalf("accepted %q as %+v; the standard decoder says %+v (%v)", body, got, want, err)
		}
	})
}
