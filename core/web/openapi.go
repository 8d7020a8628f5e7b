// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
)

// OpenAPIPath is where the API describes itself.
const OpenAPIPath = "/api/v1/openapi.json"

// OpenAPI is an OpenAPI 3.1 document, kept as plain maps: it is produced
// for clients, never read back.
type OpenAPI map[string]any

// paramPattern finds echo's path parameters (":space").
var paramPattern = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// OpenAPIPathOf turns an echo path into an OpenAPI one
// ("/api/v1/processes/:space" → "/api/v1/processes/{space}").
func OpenAPIPathOf(echoPath string) string {
	return paramPattern.ReplaceAllString(echoPath, "{$1}")
}

// errorCodes are the values of APIError.Error.
var errorCodes = []string{string(perr.CodeInvalid), string(perr.CodeBadRequest), string(perr.CodeNotFound), string(perr.CodeForbidden),
	string(perr.CodeUnauthorised), string(perr.CodeConflict), string(perr.CodeTooMany), string(perr.CodeTooLarge), string(perr.CodeInternal)}

// OpenAPIDocument describes every API route registered so far: the
// document is built from the route table, so a route registered through
// a Router is documented and nothing else is.
func (s *Server) OpenAPIDocument() OpenAPI {
	paths := map[string]map[string]any{}
	for _, rt := range s.Routes.All() {
		if !rt.API {
			continue
		}
		p := OpenAPIPathOf(rt.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = operation(rt)
	}
	pathsAny := make(map[string]any, len(paths))
	for p, ops := range paths {
		pathsAny[p] = ops
	}
	errRef := map[string]any{"$ref": "#/components/schemas/Error"}
	errResponse := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
	}
	return OpenAPI{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Polder API",
			"version":     s.Version,
			"description": "JSON API of a Polder instance. Authenticate scripts with a personal access token (Authorization: Bearer pld_…); browser sessions also work and must send the session's CSRF token in X-CSRF-Token on state-changing requests. Every error has the Error schema. See docs/api.md.",
			"license":     map[string]any{"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
		},
		"paths": pathsAny,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "A personal access token created on the account page."},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": s.sessionCookieName(),
					"description": "The browser session; state-changing requests also need the X-CSRF-Token header."},
			},
			"schemas": map[string]any{
				"Error": map[string]any{
					"type":     "object",
					"required": []string{"error", "message"},
					"properties": map[string]any{
						"error":   map[string]any{"type": "string", "enum": errorCodes, "description": "Machine-readable code."},
						"message": map[string]any{"type": "string", "description": "Translated, human-readable message (Accept-Language or ?locale=)."},
						"fields": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"},
							"description": "Per-field messages of an invalid request body."},
					},
				},
			},
			"responses": map[string]any{
				"BadRequest":   errResponse("Malformed request or wrong content type."),
				"Unauthorised": errResponse("Authentication required."),
				"Forbidden":    errResponse("The requester lacks the permission, a required verification, or a valid CSRF token."),
				"NotFound":     errResponse("No such resource (or not visible to the requester)."),
				"Invalid":      errResponse("Some fields are invalid; nothing was changed."),
				"Error":        errResponse("Any other error (conflict, too many requests, body too large, internal)."),
			},
		},
		"security": []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}},
	}
}

func (s *Server) sessionCookieName() string {
	if s.Sessions != nil {
		return s.Sessions.Cookie.Name
	}
	return "polder_session"
}

func operation(rt Route) map[string]any {
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/responses/" + name} }
	desc := rt.Op.Response
	if desc == "" {
		desc = "Success."
	}
	responses := map[string]any{
		"2XX":     map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{}}}},
		"400":     ref("BadRequest"),
		"404":     ref("NotFound"),
		"default": ref("Error"),
	}
	op := map[string]any{
		"operationId": operationID(rt),
		"summary":     rt.Op.Summary,
		"tags":        []string{rt.Scope},
		"responses":   responses,
	}
	switch rt.Need.Kind {
	case Public:
		// Anyone may call it; a token or session only changes what is
		// visible.
		op["security"] = []any{map[string]any{}, map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
	case LoggedIn:
		responses["401"] = ref("Unauthorised")
	case Permitted:
		responses["401"] = ref("Unauthorised")
		responses["403"] = ref("Forbidden")
		op["x-polder-permission"] = rt.Need.Permission
	}
	if rt.Method != http.MethodGet && rt.Method != http.MethodHead {
		if _, ok := responses["403"]; !ok {
			// Session clients without a CSRF token are refused.
			responses["403"] = ref("Forbidden")
		}
	}
	var params []any
	for _, m := range paramPattern.FindAllStringSubmatch(rt.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": paramSchema(m[1])})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if len(rt.Op.Body) > 0 {
		names := make([]string, 0, len(rt.Op.Body))
		for n := range rt.Op.Body {
			names = append(names, n)
		}
		sort.Strings(names)
		props := map[string]any{}
		for _, n := range names {
			props[n] = map[string]any{"type": rt.Op.Body[n]}
		}
		schema := map[string]any{"type": "object", "properties": props}
		if len(rt.Op.Required) > 0 {
			schema["required"] = rt.Op.Required
		}
		op["requestBody"] = map[string]any{"required": len(rt.Op.Required) > 0,
			"content": map[string]any{"application/json": map[string]any{"schema": schema}}}
		responses["422"] = ref("Invalid")
	}
	return op
}

// paramSchema types a path parameter: component ids are integers (the
// router parses them so), everything else a string (slugs, keys).
func paramSchema(name string) map[string]any {
	if name == "component" || name == "cid" || name == "id" || strings.HasSuffix(name, "_id") {
		return map[string]any{"type": "integer", "format": "int64"}
	}
	return map[string]any{"type": "string"}
}

// operationID names an operation uniquely from its method and path
// ("get_processes_space_c_component_notes").
func operationID(rt Route) string {
	p := strings.TrimPrefix(rt.Path, "/api/v1")
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '.' || r == '-' }) {
		b.WriteByte('_')
		b.WriteString(strings.TrimPrefix(part, ":"))
	}
	return b.String()
}

// mountOpenAPI serves the document; it documents itself.
func (s *Server) mountOpenAPI(r *Router) {
	r.API(http.MethodGet, strings.TrimPrefix(OpenAPIPath, "/api/v1"), NeedPublic,
		Operation{Summary: "This OpenAPI 3.1 document", Response: "The OpenAPI document."}, func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", "no-cache")
			return c.JSON(http.StatusOK, s.OpenAPIDocument())
		})
}
