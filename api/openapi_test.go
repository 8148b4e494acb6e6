package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scrapstore/scrapstore/models"
)

// openAPI is the served document, decoded loosely: what a client's script would read.
func (e *testEnv) openAPI() map[string]any {
	e.t.Helper()
	var doc map[string]any
	e.do(http.MethodGet, "/api/v1/openapi.json", "", nil).want(http.StatusOK).decode(&doc)
	return doc
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// resolve follows a $ref (directly, or as the one entry of an allOf) to its schema.
func resolve(doc, s map[string]any) map[string]any {
	if all, ok := s["allOf"].([]any); ok && len(all) > 0 {
		s = obj(all[0])
	}
	if ref, ok := s["$ref"].(string); ok {
		return obj(obj(obj(doc["components"])["schemas"])[strings.TrimPrefix(ref, "#/components/schemas/")])
	}
	return s
}

// Every schema property, operation and query parameter says what it is; the failure
// lists exactly what is missing, by schema and property.
func TestOpenAPIDescribesEverything(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		doc := e.openAPI()
		var missing []string
		for name, schema := range obj(obj(doc["components"])["schemas"]) {
			for prop, p := range obj(obj(schema)["properties"]) {
				if d, _ := obj(p)["description"].(string); d == "" {
					missing = append(missing, name+"."+prop)
				}
			}
		}
		for path, item := range obj(doc["paths"]) {
			for method, op := range obj(item) {
				if s, _ := obj(op)["summary"].(string); s == "" {
					missing = append(missing, "summary of "+method+" "+path)
				}
				params, _ := obj(op)["parameters"].([]any)
				for _, p := range params {
					if d, _ := obj(p)["description"].(string); d == "" {
						missing = append(missing, fmt.Sprintf("parameter %s of %s %s", obj(p)["name"], method, path))
					}
				}
			}
		}
		if missing != nil {
			sort.Strings(missing)
			t.Errorf("%d have no description (add them to propertyDocs in api/openapi_docs.go, or the route table):\n%s", len(missing),
				strings.Join(missing, "\n"))
		}
	})
}

// enumField is a closed set the document declares on a request body: the JSON path of
// the field in an error, and a body that sets it.
type enumField struct {
	schema, field string
	values        []string
	body          func(v string) map[string]any
}

// requestEnums lists the enum properties of a route's body, top level and in arrays of
// objects (lines[0].unit), each with a body that is the schema's example (when it has
// one) with the field set, so that the rest of the body is valid.
func requestEnums(doc map[string]any, body map[string]any) []enumField {
	var out []enumField
	ref, _ := body["$ref"].(string)
	if all, ok := body["allOf"].([]any); ok {
		ref, _ = obj(all[0])["$ref"].(string)
	}
	schemaName := strings.TrimPrefix(ref, "#/components/schemas/")
	schema := resolve(doc, body)
	example := func() map[string]any {
		out := map[string]any{}
		if ex, ok := schema["example"]; ok {
			b, _ := json.Marshal(ex)
			_ = json.Unmarshal(b, &out)
		}
		return out
	}
	for prop, p := range obj(schema["properties"]) {
		p := obj(p)
		if values := enumOf(resolve(doc, p)); values != nil {
			out = append(out, enumField{schemaName + "." + prop, prop, values, func(v string) map[string]any {
				b := example()
				b[prop] = v
				return b
			}})
		}
		items := resolve(doc, obj(p["items"]))
		for inner, ip := range obj(items["properties"]) {
			if values := enumOf(resolve(doc, obj(ip))); values != nil {
				out = append(out, enumField{schemaName + "." + prop + "[]." + inner, prop + "[0]." + inner, values, func(v string) map[string]any {
					b := example()
					lines, _ := b[prop].([]any)
					line := map[string]any{}
					if len(lines) > 0 {
						line = obj(lines[0])
					}
					line[inner] = v
					b[prop] = []any{line}
					return b
				}})
			}
		}
	}
	return out
}

func enumOf(s map[string]any) []string {
	list, ok := s["enum"].([]any)
	if !ok {
		return nil
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// fieldMessage is what a 422 says of a field, and whether it says anything.
func fieldMessage(res *result, field string) (string, bool) {
	if res.status != http.StatusUnprocessableEntity {
		return "", false
	}
	var p Problem
	if json.Unmarshal(res.body, &p) != nil {
		return "", false
	}
	for _, fe := range p.Errors {
		if fe.Field == field {
			return fe.Message, true
		}
	}
	return "", false
}

// Every enum in the document is the set the API accepts: a value outside it is a 422 at
// that field listing exactly the enum, and no value inside it is refused for being
// outside. Checked through the real router on every route whose body or query has one.
func TestOpenAPIEnumsAgreeWithValidation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.seedOneOfEach()
		doc := e.openAPI()
		checked := map[string]bool{}
		var wrong []string
		for _, r := range e.srv.routes {
			token := ""
			if r.roles != nil {
				token = e.as(r.roles[0])
			}
			path := concretePath(r.path)
			op := obj(obj(obj(doc["paths"])[OpenAPIPath(r.path)])[strings.ToLower(r.method)])
			body := obj(obj(obj(obj(op["requestBody"])["content"])["application/json"])["schema"])
			for _, f := range requestEnums(doc, body) {
				if _, seen := checked[f.schema]; !seen {
					checked[f.schema] = false
				}
				res := e.do(r.method, path, token, f.body("not-a-value"))
				msg, ok := fieldMessage(res, f.field)
				if !ok {
					continue // this route could not reach the field (no such object, say)
				}
				checked[f.schema] = true
				if want := "must be one of " + strings.Join(f.values, ", "); msg != want {
					wrong = append(wrong, fmt.Sprintf("%s %s %s: the document says %q but the API says %q", r.method, r.path, f.field, want, msg))
				}
				for _, v := range f.values {
					if msg, refused := fieldMessage(e.do(r.method, path, token, f.body(v)), f.field); refused && strings.HasPrefix(msg, "must be one of") {
						wrong = append(wrong, fmt.Sprintf("%s %s %s: %q is in the document's enum but the API says %q", r.method, r.path, f.field, v, msg))
					}
				}
			}
			for name, values := range r.oneOf {
				checked[r.path+"?"+name] = true
				msg, _ := fieldMessage(e.do(r.method, path+"?"+name+"=not-a-value", token, nil), name)
				if want := "must be one of " + strings.Join(values, ", "); msg != want {
					wrong = append(wrong, fmt.Sprintf("%s %s?%s=not-a-value: want %q, got %q", r.method, r.path, name, want, msg))
				}
				for _, v := range values {
					if res := e.do(r.method, path+"?"+name+"="+url.QueryEscape(v), token, nil); res.status >= 400 {
						wrong = append(wrong, fmt.Sprintf("%s %s?%s=%s: %d %s", r.method, r.path, name, v, res.status, res.body))
					}
				}
			}
		}
		for f, ok := range checked {
			if !ok {
				wrong = append(wrong, f+": no route answered a value outside the enum with a 422 at the field")
			}
		}
		sort.Strings(wrong)
		for _, w := range wrong {
			t.Error(w)
		}
		// The closed sets a newcomer had to guess are declared.
		for _, want := range []string{"DonationInput.channel", "DonationInput.lines[].unit", "OrganisationInput.kind", "LocationInput.kind",
			"statusRequest.status", "completeRequest.lines[].unit"} {
			if _, ok := checked[want]; !ok {
				t.Errorf("%s has no enum in the document", want)
			}
		}
	})
}

// seedOneOfEach makes sure that id 1 of the objects whose actions take an enum exists
// (a category, a stock item, a furniture item, a planned stop), so that those routes
// reach their validation.
func (e *testEnv) seedOneOfEach() {
	e.t.Helper()
	staff, mgr := e.as(models.RoleStaff), e.as(models.RoleManager)
	e.newStock("Card tubes", 10, 0.2)
	e.do(http.MethodPost, "/api/v1/volunteers", staff, map[string]any{"name": "Priya Patel", "kind": "volunteer"}).want(http.StatusCreated)
	e.register(e.furnitureType("Sofa", 40, true, false).ID)
	shifts := map[string]any{}
	for _, d := range models.Weekdays {
		shifts[d] = map[string]string{"from": "08:00", "to": "17:00"}
	}
	e.do(http.MethodPost, "/api/v1/vehicles", mgr, map[string]any{"name": "Transit", "registration": "BV21RDE", "capacity_kg": 900, "capacity_m3": 8,
		"shifts": shifts}).want(http.StatusCreated)
	e.do(http.MethodPost, "/api/v1/pickup-requests", "", e.pickupForm("albion")).want(http.StatusCreated)
	e.do(http.MethodPost, "/api/v1/pickup-requests/1/accept", staff, map[string]any{"latitude": 52.505, "longitude": -1.98}).want(http.StatusOK)
	var plan models.PlanResult
	e.do(http.MethodPost, "/api/v1/plans", mgr, map[string]any{"date": e.srv.today().AddDays(1).String()}).want(http.StatusCreated).decode(&plan)
	if len(plan.Runs) != 1 || !slices.ContainsFunc(plan.Runs[0].Stops, func(s models.RunStop) bool { return s.ID == 1 }) {
		e.t.Fatalf("no stop 1 planned: %+v", plan)
	}
}

// Every field that an empty body is refused for lacking is marked required in the
// document.
func TestOpenAPIMarksRequiredFields(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.seedOneOfEach()
		doc := e.openAPI()
		var unmarked []string
		for _, r := range e.srv.routes {
			op := obj(obj(obj(doc["paths"])[OpenAPIPath(r.path)])[strings.ToLower(r.method)])
			body := obj(obj(obj(obj(op["requestBody"])["content"])["application/json"])["schema"])
			if body == nil {
				continue
			}
			token := ""
			if r.roles != nil {
				token = e.as(r.roles[0])
			}
			res := e.do(r.method, concretePath(r.path), token, map[string]any{})
			if res.status != http.StatusUnprocessableEntity {
				continue
			}
			var p Problem
			res.decode(&p)
			required, _ := resolve(doc, body)["required"].([]any)
			all, _ := body["allOf"].([]any)
			for _, part := range all {
				more, _ := resolve(doc, obj(part))["required"].([]any)
				required = append(required, more...)
			}
			for _, fe := range p.Errors {
				if strings.HasPrefix(fe.Message, "is required") && !strings.ContainsAny(fe.Field, ".[") && !slices.Contains(required, any(fe.Field)) {
					unmarked = append(unmarked, fmt.Sprintf("%s %s: %s", r.method, r.path, fe.Field))
				}
			}
		}
		if unmarked != nil {
			t.Errorf("required by the API but not marked in the document (add to requiredFields in api/openapi_docs.go):\n%s", strings.Join(unmarked, "\n"))
		}
	})
}

// Every answer of every GET route, over a database with one of each object, is what the
// document says: types, nullability, enums.
func TestAnswersMatchTheDocument(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.seedOneOfEach()
		staff := e.as(models.RoleStaff)
		e.openEveryDay(3)
		e.reserve(e.as(models.RoleMember), line(1, 1)).want(http.StatusCreated)
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Albion Packaging Ltd", "postcode": "B70 6AU"}).want(http.StatusCreated)
		e.do(http.MethodPost, "/api/v1/recipients", staff, map[string]any{"kind": "household", "name": "Mr Evans", "agency": "Sandwell Council housing",
			"reference": "SC-1"}).want(http.StatusCreated)
		e.do(http.MethodPost, "/api/v1/stocktakes", staff, map[string]any{"location_id": 1}).want(http.StatusCreated)

		res := e.do(http.MethodGet, "/api/v1/openapi.json", "", nil).want(http.StatusOK)
		doc, err := openapi3.NewLoader().LoadFromData(res.body)
		if err != nil {
			t.Fatal(err)
		}
		if err := doc.Validate(t.Context()); err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, r := range e.srv.routes {
			if r.method != http.MethodGet || r.resp == nil {
				continue
			}
			token := ""
			if r.roles != nil {
				token = e.as(r.roles[0])
			}
			got := e.do(r.method, concretePath(r.path), token, nil)
			if got.status != http.StatusOK {
				continue // the seed has no such object (a driver's absences, say)
			}
			checked++
			schema := doc.Paths.Find(OpenAPIPath(r.path)).Get.Responses.Status(http.StatusOK).Value.Content.Get("application/json").Schema.Value
			var answer any
			got.decode(&answer)
			if err := schema.VisitJSON(answer, openapi3.MultiErrors()); err != nil {
				t.Errorf("GET %s answers what the document does not allow:\n%v", r.path, err)
			}
		}
		t.Logf("%d GET answers checked", checked)
		if checked < 40 {
			t.Errorf("only %d GET routes answered 200 over the seed", checked)
		}
	})
}
