// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/internal/instancetest"
)

// FuzzRouteBodies sends arbitrary bodies to every state-changing route of
// this binary as an organisation admin (who passes every guard), so that
// each handler's form or JSON decoding runs on them: none may answer
// with a 5xx (bad input is the client's error). Seeds: an empty form and
// an empty JSON object for each route, with the fixture's objects in the
// path. Routes that would anonymise the admin are left out.
func FuzzRouteBodies(f *testing.F) {
	in := apptest.New(f, app.Options{SpaceTypes: spaceTypes(), Modules: modules()})
	fx := instancetest.NewFixture(f, in)
	admin := instancetest.NewUser(f, in, "admin", true)
	owner := instancetest.NewUser(f, in, "owner", false)
	params := attemptObjects(f, in, fx, owner, admin)
	var routes []string
	var paths []string
	var api []bool
	for _, rt := range instancetest.StateChanging(in) {
		if rt.Path == "/account/delete" || rt.Method == http.MethodDelete && rt.Path == "/api/v1/me" {
			continue
		}
		path, _, _ := instancetest.FillPath(rt, fx, params)
		routes = append(routes, rt.Method)
		paths = append(paths, path)
		api = append(api, rt.API)
	}
	// Text that is not UTF-8, in the fields forms commonly carry (JSON
	// cannot carry it: the decoder replaces it).
	// And text longer than any column (PostgreSQL refuses what exceeds
	// a VARCHAR, SQLite keeps it).
	var latin1, long []string
	longJSON := map[string]string{}
	for _, k := range []string{"title", "subtitle", "body", "name", "nickname", "email", "description", "text", "reason", "details",
		"label", "introduction", "answer_text", "location", "image_url", "key", "slug", "batch", "config"} {
		latin1 = append(latin1, k+"=caf%E9")
		long = append(long, k+"="+strings.Repeat("a", 5000))
		longJSON[k] = strings.Repeat("a", 5000)
	}
	lj, err := json.Marshal(longJSON)
	if err != nil {
		f.Fatal(err)
	}
	for i := range routes {
		f.Add(uint16(i), "")
		f.Add(uint16(i), "{}")
		if api[i] {
			f.Add(uint16(i), string(lj))
		} else {
			f.Add(uint16(i), strings.Join(latin1, "&"))
			f.Add(uint16(i), strings.Join(long, "&"))
		}
	}
	f.Fuzz(func(t *testing.T, route uint16, body string) {
		i := int(route) % len(routes)
		// A fresh session each time: a route may have ended the last one.
		c := in.Client()
		csrf := instancetest.Session(t, in, c, admin.Acc.ID)
		req, err := http.NewRequest(routes[i], in.URL+paths[i], nil)
		if err != nil {
			t.Fatal(err)
		}
		if api[i] {
			req.Body = io.NopCloser(strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
			req.Header.Set("X-CSRF-Token", csrf)
		} else {
			form := body
			if form != "" {
				form += "&"
			}
			req.Body = io.NopCloser(strings.NewReader(form + "_csrf=" + csrf))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", routes[i], paths[i], err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s with %q: status %d\n%s", routes[i], paths[i], body, resp.StatusCode, apptest.Snippet(string(b)))
		}
	})
}
