// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/modules/opinionmap"
	"github.com/polder-civic/polder/spaces/process"
)

// env is a running instance with the fixture process and its opinion-map
// component.
type env struct {
	t    testing.TB
	in   *apptest.Instance
	fx   *instancetest.Fixture
	comp *registry.Component
	base string
	mod  *opinionmap.Module
}

func newEnv(t testing.TB) *env {
	t.Helper()
	mod := opinionmap.New()
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: []registry.Module{mod}})
	fx := instancetest.NewFixture(t, in)
	return &env{t: t, in: in, fx: fx, comp: fx.Components[opinionmap.ID], base: fx.ComponentURL(opinionmap.ID), mod: mod}
}

func (e *env) svc() *opinionmap.Service { return e.mod.Service() }

func (e *env) set(values map[string]any) {
	e.t.Helper()
	errs, err := e.in.App.Components.SetValues(context.Background(), e.comp, values, nil)
	if err != nil || len(errs) > 0 {
		e.t.Fatalf("settings: %v %v", err, errs)
	}
}

// seed adds organiser statements and returns their ids.
func (e *env) seed(bodies ...string) []int64 {
	e.t.Helper()
	var ids []int64
	for _, b := range bodies {
		st, err := e.svc().Submit(context.Background(), e.comp, nil, b, true)
		if err != nil {
			e.t.Fatalf("seeding %q: %v", b, err)
		}
		ids = append(ids, st.ID)
	}
	return ids
}

// runJobs runs the due jobs of the queue synchronously and returns how
// many ran.
func (e *env) runJobs() int {
	e.t.Helper()
	// Close the debounce windows: their enqueues happen in the background.
	e.svc().Flush()
	return e.in.RunJobs()
}

// countVotes counts the vote rows of a statement (or all when 0).
func (e *env) countVotes(statementID int64) int64 {
	e.t.Helper()
	q := e.in.App.DB.Table("opinion_votes").Where("component_id = ?", e.comp.ID)
	if statementID != 0 {
		q = q.Where("statement_id = ?", statementID)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

var statementField = regexp.MustCompile(`name="statement_id" value="(\d+)"`)

// shownStatement reads the statement id offered on the vote page.
func shownStatement(t testing.TB, body string) string {
	t.Helper()
	m := statementField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no statement on the vote page:\n%s", apptest.Snippet(body))
	}
	return m[1]
}

func vote(c *apptest.Client, base, statement, v string) *apptest.Response {
	return c.PostForm(base+"/vote", url.Values{"statement_id": {statement}, "vote": {v}})
}

func decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decoding %s: %v", apptest.Snippet(body), err)
	}
}

func itoa(i int64) string { return fmt.Sprint(i) }
