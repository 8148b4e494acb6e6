package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// bodyLeaf is one field of a request body, found by walking its type: its path as a
// problem names it, and a body that puts a value there.
type bodyLeaf struct {
	path string
	wrap func(v any) any
}

// bodyLeaves lists the fields of t (inside arrays and maps too) whose type want picks.
func bodyLeaves(t reflect.Type, prefix string, want func(reflect.Type) bool) []bodyLeaf {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if want(t) {
		return []bodyLeaf{{prefix, func(v any) any { return v }}}
	}
	var out []bodyLeaf
	join := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == timeType || t == dateType {
			return nil
		}
		for _, f := range reflect.VisibleFields(t) {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || f.Anonymous || name == "-" || name == "" {
				continue
			}
			for _, l := range bodyLeaves(f.Type, join(name), want) {
				out = append(out, bodyLeaf{l.path, func(v any) any { return map[string]any{name: l.wrap(v)} }})
			}
		}
	case reflect.Slice, reflect.Array:
		for _, l := range bodyLeaves(t.Elem(), prefix+"[0]", want) {
			out = append(out, bodyLeaf{l.path, func(v any) any { return []any{l.wrap(v)} }})
		}
	case reflect.Map:
		for _, l := range bodyLeaves(t.Elem(), join("mon"), want) {
			out = append(out, bodyLeaf{l.path, func(v any) any { return map[string]any{"mon": l.wrap(v)} }})
		}
	}
	return out
}

// rawBody marshals a body holding the placeholder and puts raw JSON text in its place,
// so that bytes json.Marshal would clean up reach the server as they are.
func rawBody(t *testing.T, v any, raw string) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(b, []byte(`"@@"`), []byte(raw), 1)
}

func auditCount(t *testing.T, e *testEnv) int64 {
	var n int64
	if err := e.store.DB(t.Context()).Model(&models.AuditEntry{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Every text field of every request body, top-level or inside an array or a map, refuses
// invalid UTF-8, NUL and unpaired surrogates with a 422 naming it, and nothing is written.
func TestEveryTextFieldRefusesBadText(t *testing.T) {
	bad := map[string]string{
		"bytes 0xFF 0xFE":       "\"\xff\xfe@example.org\"",
		"a cut UTF-8 letter":    "\"caf\xc3\"",
		"NUL":                   `"a\u0000b"`,
		"an unpaired surrogate": `"x\ud800y"`,
	}
	isText := func(t reflect.Type) bool { return t.Kind() == reflect.String }
	eachEnv(t, func(t *testing.T, e *testEnv) {
		before := auditCount(t, e)
		checked := 0
		for _, r := range e.srv.routes {
			if r.body == nil || r.consumes != "" || r.path == "/api/v1/auth/logout" {
				continue
			}
			token := ""
			if r.roles != nil {
				token = e.as(r.roles[0])
			}
			for _, l := range bodyLeaves(reflect.TypeOf(r.body), "", isText) {
				for name, raw := range bad {
					res := e.do(r.method, concretePath(r.path), token, rawBody(t, l.wrap("@@"), raw))
					if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"field":"`+l.path+`"`) {
						t.Errorf("%s %s with %s in %s: %d %s", r.method, r.path, name, l.path, res.status, res.body)
					}
					checked++
				}
			}
		}
		if checked < 100 {
			t.Fatalf("only %d text fields checked", checked)
		}
		if after := auditCount(t, e); after != before {
			t.Fatalf("%d audit entries written by refused requests", after-before)
		}
	})
}

// Every date and time field of every request body says which field is wrong and the
// format by example, never Go's parser, and refuses years out of all reason.
func TestEveryDateFieldNamesItselfAndTheFormat(t *testing.T) {
	isWhen := func(t reflect.Type) bool { return t == timeType || t == dateType }
	eachEnv(t, func(t *testing.T, e *testEnv) {
		checked := 0
		for _, r := range e.srv.routes {
			if r.body == nil || r.consumes != "" {
				continue
			}
			token := ""
			if r.roles != nil {
				token = e.as(r.roles[0])
			}
			for _, l := range bodyLeaves(reflect.TypeOf(r.body), "", isWhen) {
				for _, v := range []string{`"01/12/2026"`, `"2026-11-25T10:30"`, `"0000-01-01"`, `"9999-12-31"`, `"0000-01-01T00:00:00Z"`, `"9999-12-31T23:59:59Z"`, `20261125`, `"2026-02-30"`} {
					res := e.do(r.method, concretePath(r.path), token, rawBody(t, l.wrap("@@"), v))
					p := res.problem(http.StatusUnprocessableEntity, l.path)
					msg := p.Errors[0].Message
					if !strings.Contains(msg, "YYYY-MM-DD") && !strings.Contains(msg, "RFC 3339") && !strings.Contains(msg, "years") {
						t.Errorf("%s %s %s=%s: %q does not say the format", r.method, r.path, l.path, v, msg)
					}
					if bytes.Contains(res.body, []byte("parsing time")) || bytes.Contains(res.body, []byte("2006")) {
						t.Errorf("%s %s %s=%s: Go's parser reached the client: %s", r.method, r.path, l.path, v, res.body)
					}
					checked++
				}
			}
		}
		if checked < 100 {
			t.Fatalf("only %d date fields checked", checked)
		}
	})
}

// The cases of the report: a day where a time is wanted, and a day written the British way.
func TestDateMistakesAnswerPlainly(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		cat, loc := e.newCategory("Card", "box", map[string]float64{"box": 4}, 0.9), e.newLocation("B1")
		line := map[string]any{"category_id": cat.ID, "description": "Tubes", "quantity": 2, "location_id": loc.ID}
		p := e.do(http.MethodPost, "/api/v1/donations", e.as(models.RoleStaff), map[string]any{"received_at": "2026-11-25", "lines": []any{line}}).problem(http.StatusUnprocessableEntity, "received_at")
		if !strings.Contains(p.Errors[0].Message, "2026-11-25T10:30:00Z") {
			t.Fatalf("message %q gives no example", p.Errors[0].Message)
		}
		p = e.do(http.MethodPost, "/api/v1/volunteer-hours", e.as(models.RoleStaff), map[string]any{"volunteer_id": 1, "date": "01/12/2026", "hours": 2, "activity": "sorting"}).problem(http.StatusUnprocessableEntity, "date")
		if !strings.Contains(p.Errors[0].Message, "YYYY-MM-DD") {
			t.Fatalf("message %q does not say the format", p.Errors[0].Message)
		}
		e.do(http.MethodGet, "/api/v1/donations?from=01/12/2026", e.as(models.RoleStaff), nil).problem(http.StatusUnprocessableEntity, "from")
		e.do(http.MethodGet, "/api/v1/donations?to=9999-12-31", e.as(models.RoleStaff), nil).problem(http.StatusUnprocessableEntity, "to")
	})
}

// NUL and invalid UTF-8 in query parameters and path segments are a 422 naming them, on
// PostgreSQL too (where they used to reach the database and come back as a 500).
func TestQueryTextMustBeValid(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff, mgr := e.as(models.RoleStaff), e.as(models.RoleManager)
		cases := []struct{ path, token, field string }{
			{"/api/v1/stock?q=", staff, "q"},
			{"/api/v1/donors?q=", staff, "q"},
			{"/api/v1/organisations?kind=", staff, "kind"},
			{"/api/v1/organisations?q=", staff, "q"},
			{"/api/v1/reservations?status=", staff, "status"},
			{"/api/v1/pickup-requests?status=", staff, "status"},
			{"/api/v1/furniture?status=", staff, "status"},
			{"/api/v1/furniture?condition=", staff, "condition"},
			{"/api/v1/furniture?q=", staff, "q"},
			{"/api/v1/recipients?kind=", staff, "kind"},
			{"/api/v1/recipients?q=", staff, "q"},
			{"/api/v1/volunteers?kind=", staff, "kind"},
			{"/api/v1/users?role=", mgr, "role"},
			{"/api/v1/audit?entity_type=", mgr, "entity_type"},
			{"/api/v1/pickup-requests/status?reference=", "", "reference"},
			{"/api/v1/furniture/by-tag/FN-", staff, "tag"},
		}
		for _, c := range cases {
			for _, bad := range []string{"%00", "%FF%FE", "a%C3"} {
				e.do(http.MethodGet, c.path+bad, c.token, nil).problem(http.StatusUnprocessableEntity, c.field)
			}
		}
	})
}

// A donation line's unit and description and a location's code follow the rules of any
// text field, inside arrays too.
func TestTextInsideArrays(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		cat, loc := e.newCategory("Card", "box", map[string]float64{"box": 4}, 0.9), e.newLocation("B1")
		staff := e.as(models.RoleStaff)
		line := func(k string, v any) map[string]any {
			l := map[string]any{"category_id": cat.ID, "description": "Tubes", "quantity": 2, "location_id": loc.ID}
			l[k] = v
			return map[string]any{"lines": []any{map[string]any{"category_id": cat.ID, "description": "Card", "quantity": 1, "location_id": loc.ID}, l}}
		}
		e.do(http.MethodPost, "/api/v1/donations", staff, line("unit", strings.Repeat("u", 21))).problem(http.StatusUnprocessableEntity, "lines[1].unit")
		e.do(http.MethodPost, "/api/v1/donations", staff, line("unit", "crates")).problem(http.StatusUnprocessableEntity, "lines[1].unit")
		e.do(http.MethodPost, "/api/v1/donations", staff, line("description", strings.Repeat("d", 501))).problem(http.StatusUnprocessableEntity, "lines[1].description")
		e.do(http.MethodPost, "/api/v1/donations", staff, line("unit", "bo\u0000x")).problem(http.StatusUnprocessableEntity, "lines[1].unit")
		e.do(http.MethodPost, "/api/v1/locations", staff, map[string]any{"code": "A\u00001", "name": "Aisle", "kind": "bay"}).problem(http.StatusUnprocessableEntity, "code")
		var n int64
		e.store.DB(t.Context()).Model(&models.Donation{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d donations kept", n)
		}
	})
}

// Every list of request bodies whose items have rules checks them item by item.
func TestArrayItemsAreValidated(t *testing.T) {
	for _, r := range (&Server{}).routeTable() {
		if r.body == nil {
			continue
		}
		for _, f := range reflect.VisibleFields(reflect.TypeOf(r.body)) {
			ft := f.Type
			if ft.Kind() != reflect.Slice || ft.Elem().Kind() != reflect.Struct {
				continue
			}
			hasRules := false
			for _, ef := range reflect.VisibleFields(ft.Elem()) {
				hasRules = hasRules || ef.Tag.Get("validate") != ""
			}
			if hasRules && !strings.Contains(f.Tag.Get("validate"), "dive") {
				t.Errorf("%s %s: %s has items with rules but no dive", r.method, r.path, f.Name)
			}
		}
	}
}

// A forged cursor is a 422 naming it on each of the sorted lists, whatever it holds.
func TestForgedCursors(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	forged := []string{
		enc(`{"s":[1,2,3],"i":1}`), enc(`{"s":{"a":1},"i":1}`), enc(`{"s":true,"i":1}`), enc(`{"s":12,"i":1}`),
		enc(`{"s":"\u0000","i":1}`), enc("{\"s\":\"\xff\",\"i\":1}"),
		enc(`{"i":1}`), enc(`{"s":"a","i":"1"}`), enc(`{"s":"a","i":-1}`), enc(`[]`), "!!!", enc("null"),
	}
	lists := []string{
		"/api/v1/categories", "/api/v1/locations", "/api/v1/donors", "/api/v1/furniture-types", "/api/v1/volunteers",
		"/api/v1/workshops", "/api/v1/stock", "/api/v1/stock?sort=-updated_at", "/api/v1/organisations", "/api/v1/bands",
		"/api/v1/reservations", "/api/v1/donations", "/api/v1/drivers/{driver}/absences", "/api/v1/closed-days",
	}
	// Lists sorted by a time or a day refuse any other text.
	forgedWhen := map[string]bool{"/api/v1/workshops": true, "/api/v1/stock?sort=-updated_at": true, "/api/v1/reservations": true,
		"/api/v1/donations": true, "/api/v1/drivers/{driver}/absences": true, "/api/v1/closed-days": true}
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for _, l := range lists {
			cursors := forged
			if forgedWhen[l] {
				cursors = append(cursors, enc(`{"s":"not a time or a day","i":1}`), enc(`{"s":"2026-13-45","i":1}`), enc(`{"s":"0000-01-01T00:00:00Z","i":1}`), enc(`{"s":"0000-01-01","i":1}`))
			}
			sep := "?"
			if strings.Contains(l, "?") {
				sep = "&"
			}
			path := strings.Replace(l, "{driver}", itoa(e.users[models.RoleDriver].ID), 1)
			for _, c := range cursors {
				res := e.do(http.MethodGet, path+sep+"cursor="+url.QueryEscape(c), e.as(models.RoleManager), nil)
				if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"field":"cursor"`) {
					t.Errorf("%s with cursor %s: %d %s", l, c, res.status, res.body)
				}
			}
		}
	})
}

// Cursors still lead through a list sorted by a time and one sorted by a day.
func TestCursorsRoundTrip(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		today := e.srv.today()
		for i := 1; i <= 3; i++ {
			e.do(http.MethodPost, "/api/v1/closed-days", staff, map[string]any{"day": today.AddDays(i).String(), "reason": "training"}).want(http.StatusCreated)
			start := time.Now().Add(time.Duration(i) * 24 * time.Hour).UTC().Truncate(time.Second)
			e.do(http.MethodPost, "/api/v1/workshops", staff, map[string]any{"title": "Junk modelling", "kind": "creative_session", "starts_at": start, "ends_at": start.Add(time.Hour), "places": 10}).want(http.StatusCreated)
		}
		for _, path := range []string{"/api/v1/closed-days?limit=1", "/api/v1/workshops?limit=1"} {
			seen, next := 0, ""
			for {
				p := path
				if next != "" {
					p += "&cursor=" + url.QueryEscape(next)
				}
				var l List[json.RawMessage]
				e.do(http.MethodGet, p, staff, nil).want(http.StatusOK).decode(&l)
				seen += len(l.Items)
				if l.NextCursor == nil {
					break
				}
				next = *l.NextCursor
			}
			if seen != 3 {
				t.Fatalf("%s: %d items through the cursors, want 3", path, seen)
			}
		}
	})
}
