package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scrapstore/scrapstore/models"
)

// concretePath fills path parameters with plausible values.
func concretePath(p string) string {
	p = strings.ReplaceAll(p, ":id", "1")
	p = strings.ReplaceAll(p, ":name", "cleanup")
	p = strings.ReplaceAll(p, ":photo_id", "1")
	p = strings.ReplaceAll(p, ":file", "1.pdf")
	p = strings.ReplaceAll(p, ":tag", "FN-000001")
	for strings.Contains(p, ":") {
		i := strings.Index(p, ":")
		j := strings.IndexByte(p[i:], '/')
		if j < 0 {
			j = len(p) - i
		}
		p = p[:i] + "x" + p[i+j:]
	}
	return p
}

// Every route answers 401 without a token, 403 to each role it does not allow, and
// neither to each role it allows.
func TestEveryRouteAuthorisesByRole(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for _, r := range e.srv.routes {
			e.refreshTokens() // the previous route may have been logout
			path := concretePath(r.path)
			if r.roles == nil {
				if res := e.do(r.method, path, "", nil); res.status == http.StatusUnauthorized || res.status == http.StatusForbidden {
					t.Errorf("%s %s is public but answered %d", r.method, r.path, res.status)
				}
				continue
			}
			e.do(r.method, path, "", nil).problem(http.StatusUnauthorized, "")
			e.do(r.method, path, "not-a-token", nil).problem(http.StatusUnauthorized, "")
			for _, role := range models.Roles {
				res := e.do(r.method, path, e.as(role), nil)
				allowed := slices.Contains(r.roles, role)
				switch {
				case allowed && (res.status == http.StatusUnauthorized || res.status == http.StatusForbidden):
					t.Errorf("%s %s allows %s but answered %d: %s", r.method, r.path, role, res.status, res.body)
				case !allowed && res.status != http.StatusForbidden:
					t.Errorf("%s %s does not allow %s but answered %d", r.method, r.path, role, res.status)
				}
			}
		}
	})
}

// The OpenAPI document lists exactly the registered routes and is valid OpenAPI 3.
func TestOpenAPIMatchesRouter(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		res := e.do(http.MethodGet, "/api/v1/openapi.json", "", nil).want(http.StatusOK)
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(res.body)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Fatalf("the document is not valid OpenAPI 3: %v", err)
		}
		var documented, registered []string
		// The web pages are not the API; they are listed in their own table.
		pages := map[string]bool{"GET /static/:file": true}
		for _, p := range e.srv.pageTable() {
			pages[p.method+" "+p.path] = true
		}
		for path, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				documented = append(documented, method+" "+path)
			}
		}
		for _, r := range e.srv.echo.Routes() {
			if r.Method == "echo_route_any" || pages[r.Method+" "+r.Path] {
				continue
			}
			registered = append(registered, r.Method+" "+OpenAPIPath(r.Path))
		}
		sort.Strings(documented)
		sort.Strings(registered)
		for _, r := range registered {
			if !slices.Contains(documented, r) {
				t.Errorf("route %s is registered but not in the OpenAPI document", r)
			}
		}
		for _, d := range documented {
			if !slices.Contains(registered, d) {
				t.Errorf("%s is in the OpenAPI document but not registered", d)
			}
		}
		// Request bodies are described as schemas with their fields.
		var raw map[string]any
		if err := json.Unmarshal(res.body, &raw); err != nil {
			t.Fatal(err)
		}
		login := doc.Paths.Find("/api/v1/auth/login").Post
		if login.RequestBody == nil || login.RequestBody.Value.Content.Get("application/json").Schema.Value.Properties["email"] == nil {
			t.Errorf("login's request body is not described")
		}
	})
}

// Every body-taking route survives junk: it answers a 4xx problem, never a 5xx.
func TestJunkBodiesNeverFail(t *testing.T) {
	huge := `"` + strings.Repeat("x", 100_000) + `"`
	junk := []string{
		``, `null`, `[]`, `[{}]`, `"a string"`, `12`, `{`, `{"a":`, `{}`,
		`{"id": "x", "name": 5, "email": [], "password": {}}`,
		`{"name": ` + huge + `, "email": ` + huge + `, "description": ` + huge + `, "notes": ` + huge + `}`,
		`{"quantity": 1e308, "limit": -99999999999999999999, "id": 9223372036854775808, "weight_kg": -1}`,
		`{"lines": [{"quantity": -5}], "ids": [null], "date": "2026-13-45", "from": "yesterday"}`,
		`{"lines": {}, "ids": "1,2", "roles": null}`,
		"{\"name\": \"\xff\xfe\xfd\", \"email\": \"\xc3\x28@x.y\"}",
		`{"name": null, "email": null, "password": null, "role": null, "organisation_id": null}`,
		`{"name": "", "email": "", "password": "", "role": ""}`,
	}
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for _, r := range e.srv.routes {
			if r.method != http.MethodPost && r.method != http.MethodPut && r.method != http.MethodPatch {
				continue
			}
			token := ""
			if r.roles != nil {
				token = e.as(r.roles[0])
			}
			path := concretePath(r.path)
			for _, body := range junk {
				res := e.do(r.method, path, token, body)
				if res.status >= 500 {
					t.Errorf("%s %s with %.60q: %d %s", r.method, path, body, res.status, res.body)
				}
				if res.status >= 400 && res.header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s %s with %.60q: %d is not problem+json", r.method, path, body, res.status)
				}
			}
		}
	})
}
