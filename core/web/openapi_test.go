// SPDX-License-Identifier: AGPL-3.0-or-later

package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/web"
)

type openAPIDoc struct {
	OpenAPI    string                               `json:"openapi"`
	Info       map[string]any                       `json:"info"`
	Paths      map[string]map[string]openAPIOp      `json:"paths"`
	Components map[string]map[string]map[string]any `json:"components"`
	Security   []map[string][]string                `json:"security"`
}

type openAPIOp struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary"`
	Security    []map[string][]string `json:"security"`
	Permission  string                `json:"x-polder-permission"`
	Parameters  []struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
	} `json:"parameters"`
	RequestBody *struct {
		Required bool `json:"required"`
		Content  map[string]struct {
			Schema struct {
				Type       string                       `json:"type"`
				Properties map[string]map[string]string `json:"properties"`
				Required   []string                     `json:"required"`
			} `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]map[string]any `json:"responses"`
}

func TestOpenAPIPathOf(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/processes":                           "/api/v1/processes",
		"/api/v1/processes/:space":                    "/api/v1/processes/{space}",
		"/api/v1/processes/:space/c/:component/x/:id": "/api/v1/processes/{space}/c/{component}/x/{id}",
	} {
		if got := web.OpenAPIPathOf(in); got != want {
			t.Errorf("OpenAPIPathOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOpenAPIDocument checks the served document's shape on core's own
// routes, and that it matches echo's API routes exactly.
func TestOpenAPIDocument(t *testing.T) {
	in := apptest.New(t, app.Options{})
	s := in.App.Server
	probe := s.Root()
	probe.API(http.MethodPost, "/probe/:thing_id/act", web.NeedPermission("org.admin"), web.Operation{Summary: "Probe",
		Body: map[string]string{"name": "string", "count": "integer"}, Required: []string{"name"}}, func(c echo.Context) error { return nil })

	r := in.Client().Get(web.OpenAPIPath).Must(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
	var doc openAPIDoc
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Info["version"] != s.Version {
		t.Fatalf("openapi %q version %v", doc.OpenAPI, doc.Info["version"])
	}
	for _, k := range []string{"bearer", "cookie"} {
		if doc.Components["securitySchemes"][k] == nil {
			t.Errorf("security scheme %s missing", k)
		}
	}
	errSchema := doc.Components["schemas"]["Error"]
	if errSchema == nil || !strings.Contains(mustJSON(t, errSchema), `"required":["error","message"]`) {
		t.Fatalf("Error schema: %v", errSchema)
	}

	self := doc.Paths["/api/v1/openapi.json"]["get"]
	if self.Summary == "" || len(self.Security) == 0 || len(self.Security[0]) != 0 {
		t.Errorf("the document's own route is not documented as public: %+v", self)
	}
	op, ok := doc.Paths["/api/v1/probe/{thing_id}/act"]["post"]
	if !ok {
		t.Fatalf("a route registered after start-up is missing; paths: %v", keys(doc.Paths))
	}
	if op.Permission != "org.admin" || op.Responses["403"] == nil || op.Responses["401"] == nil || op.Responses["422"] == nil {
		t.Errorf("probe operation: %+v", op)
	}
	if len(op.Parameters) != 1 || op.Parameters[0].Name != "thing_id" || op.Parameters[0].In != "path" || !op.Parameters[0].Required {
		t.Errorf("probe parameters: %+v", op.Parameters)
	}
	body := op.RequestBody.Content["application/json"].Schema
	if !op.RequestBody.Required || body.Properties["count"]["type"] != "integer" || len(body.Required) != 1 || body.Required[0] != "name" {
		t.Errorf("probe body: %+v", body)
	}

	ids := map[string]string{}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m, o := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
			if prev, dup := ids[o.OperationID]; dup || o.OperationID == "" {
				t.Errorf("operationId %q of %s %s repeats %s", o.OperationID, m, p, prev)
			}
			ids[o.OperationID] = m + " " + p
			if o.Summary == "" {
				t.Errorf("%s %s has no summary", m, p)
			}
		}
	}
	for _, k := range mismatches(s, documented) {
		t.Error(k)
	}
	// The comparison sees a route mounted around the Router.
	s.Echo.GET("/api/v1/rogue", func(c echo.Context) error { return nil })
	if m := mismatches(s, documented); len(m) != 1 || !strings.Contains(m[0], "GET /api/v1/rogue is served but not documented") {
		t.Errorf("rogue route not caught: %v", m)
	}
}

// mismatches compares echo's API routes with the documented ones.
func mismatches(s *web.Server, documentedIn map[string]bool) []string {
	documented := map[string]bool{}
	for k := range documentedIn {
		documented[k] = true
	}
	var out []string
	for _, rt := range s.Echo.Routes() {
		if rt.Method == echo.RouteNotFound || !strings.HasPrefix(rt.Path, "/api/v1/") {
			continue
		}
		k := rt.Method + " " + web.OpenAPIPathOf(rt.Path)
		if !documented[k] {
			out = append(out, k+" is served but not documented")
		}
		delete(documented, k)
	}
	for k := range documented {
		out = append(out, k+" is documented but not served")
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
