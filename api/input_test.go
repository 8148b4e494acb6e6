package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
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
	typ  reflect.Type
	wrap func(v any) any
}

// bodyLeaves lists the fields of t (inside arrays and maps too) whose type want picks.
func bodyLeaves(t reflect.Type, prefix string, want func(reflect.Type) bool) []bodyLeaf {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if want(t) {
		return []bodyLeaf{{prefix, t, func(v any) any { return v }}}
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
				out = append(out, bodyLeaf{l.path, l.typ, func(v any) any { return map[string]any{name: l.wrap(v)} }})
			}
		}
	case reflect.Slice, reflect.Array:
		for _, l := range bodyLeaves(t.Elem(), prefix+"[0]", want) {
			out = append(out, bodyLeaf{l.path, l.typ, func(v any) any { return []any{l.wrap(v)} }})
		}
	case reflect.Map:
		for _, l := range bodyLeaves(t.Elem(), join("mon"), want) {
			out = append(out, bodyLeaf{l.path, l.typ, func(v any) any { return map[string]any{"mon": l.wrap(v)} }})
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
				for _, v := range []string{`"01/12/2026"`, `"2026-11-25T10:30"`, `"0000-01-01"`, `"9999-12-31"`, `"0000-01-01T00:00:00Z"`,
					`"9999-12-31T23:59:59Z"`, `20261125`, `"2026-02-30"`, `{"year": 2026}`, `["2026-11-25"]`, `true`} {
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
		p := e.do(http.MethodPost, "/api/v1/donations", e.as(models.RoleStaff), map[string]any{"received_at": "2026-11-25", "lines": []any{line}}).
			problem(http.StatusUnprocessableEntity, "received_at")
		if !strings.Contains(p.Errors[0].Message, "2026-11-25T10:30:00Z") {
			t.Fatalf("message %q gives no example", p.Errors[0].Message)
		}
		p = e.do(http.MethodPost, "/api/v1/volunteer-hours", e.as(models.RoleStaff), map[string]any{"volunteer_id": 1, "date": "01/12/2026", "hours": 2,
			"activity": "sorting"}).problem(http.StatusUnprocessableEntity, "date")
		if !strings.Contains(p.Errors[0].Message, "YYYY-MM-DD") {
			t.Fatalf("message %q does not say the format", p.Errors[0].Message)
		}
		e.do(http.MethodGet, "/api/v1/donations?from=01/12/2026", e.as(models.RoleStaff), nil).problem(http.StatusUnprocessableEntity, "from")
		e.do(http.MethodGet, "/api/v1/donations?to=9999-12-31", e.as(models.RoleStaff), nil).problem(http.StatusUnprocessableEntity, "to")
		// Year 0 made a 12-month trend before year 1: a 500 on PostgreSQL.
		e.do(http.MethodGet, "/api/v1/reports/figures?month=0000-01", e.as(models.RoleManager), nil).problem(http.StatusUnprocessableEntity, "month")
		e.do(http.MethodPost, "/api/v1/reports", e.as(models.RoleManager), map[string]any{"month": "0000-01"}).
			problem(http.StatusUnprocessableEntity, "month")
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
		loc := map[string]any{"code": "A1", "name": "Aisle", "kind": "bay"}
		e.do(http.MethodPost, "/api/v1/locations", staff, loc, "Idempotency-Key", "key-\xff\xfe").problem(http.StatusUnprocessableEntity, "Idempotency-Key")
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
		e.do(http.MethodPost, "/api/v1/donations", staff, line("description", strings.Repeat("d", 501))).
			problem(http.StatusUnprocessableEntity, "lines[1].description")
		e.do(http.MethodPost, "/api/v1/donations", staff, line("unit", "bo\u0000x")).problem(http.StatusUnprocessableEntity, "lines[1].unit")
		e.do(http.MethodPost, "/api/v1/locations", staff, map[string]any{"code": "A\u00001", "name": "Aisle", "kind": "bay"}).
			problem(http.StatusUnprocessableEntity, "code")
		many := make([]map[string]string, 13)
		for i := range many {
			many[i] = map[string]string{"from": fmt.Sprintf("%02d:00", i+6), "to": fmt.Sprintf("%02d:30", i+6)}
		}
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Albion", "postcode": "B70 7PA",
			"opening_hours": map[string]any{"mon": many}}).problem(http.StatusUnprocessableEntity, "opening_hours.mon")
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
				cursors = append(cursors, enc(`{"s":"not a time or a day","i":1}`), enc(`{"s":"2026-13-45","i":1}`),
					enc(`{"s":"0000-01-01T00:00:00Z","i":1}`), enc(`{"s":"0000-01-01","i":1}`))
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
			e.do(http.MethodPost, "/api/v1/closed-days", staff, map[string]any{"day": today.AddDays(i).String(), "reason": "training"}).
				want(http.StatusCreated)
			start := time.Now().Add(time.Duration(i) * 24 * time.Hour).UTC().Truncate(time.Second)
			e.do(http.MethodPost, "/api/v1/workshops", staff, map[string]any{"title": "Junk modelling", "kind": "creative_session", "starts_at": start,
				"ends_at": start.Add(time.Hour), "places": 10}).want(http.StatusCreated)
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

// rowNamed fails unless an import's problems name the field at the row.
func rowNamed(t *testing.T, p Problem, row int, field string) {
	t.Helper()
	for _, r := range p.Rows {
		if r.Row == row && r.Field == field {
			return
		}
	}
	t.Fatalf("no problem for %s at row %d: %+v", field, row, p.Rows)
}

// NaN, infinities, hex numbers and bad text in a CSV import are problems of their row
// and field, and nothing is imported (a NaN weight used to be kept as -9223372036854775808 g).
func TestCSVImportRefusesNonsense(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.newCategory("Wood", "each", map[string]float64{"each": 1.5}, 0.31)
		e.newLocation("YARD")
		staff := e.as(models.RoleStaff)
		post := func(path, body string) *result {
			return e.do(http.MethodPost, path, staff, body, "Content-Type", "text/csv")
		}
		donations := "donation_id,received_at,category,description,quantity,unit,weight_kg,location\n" +
			"a,2026-10-01T10:00:00Z,Wood,Slats,10,each,NaN,YARD\n" +
			"b,2026-10-01T10:00:00Z,Wood,Slats,10,each,Inf,YARD\n" +
			"c,2026-10-01T10:00:00Z,Wood,Slats,NaN,each,,YARD\n" +
			"d,2026-10-01T10:00:00Z,Wood,Slats,-Infinity,each,,YARD\n" +
			"e,2026-10-01T10:00:00Z,Wood,Slats,0x1p3,each,,YARD\n" +
			"f,2026-10-01T10:00:00Z,Wood,Slats,1e400,each,,YARD\n" +
			"g,2026-10-01T10:00:00Z,Wood,Slats,2,each,1e300,YARD\n" +
			"h,2026-10-01T10:00:00Z,Wood,Sla\xfft\xfes,2,each,,YARD\n" +
			"i,2026-10-01T10:00:00Z,Wood,Slats,2,ea\x00ch,,YARD\n" +
			"j,2026-11-25,Wood,Slats,2,each,,YARD\n" +
			"k,2026-10-01T10:00:00Z,Wood,Slats,1_000,each,,YARD\n"
		p := post("/api/v1/imports/donations", donations).problem(http.StatusUnprocessableEntity, "")
		for row, field := range map[int]string{2: "weight_kg", 3: "weight_kg", 4: "quantity", 5: "quantity", 6: "quantity", 7: "quantity",
			8: "weight_kg", 9: "description", 10: "unit", 11: "received_at", 12: "quantity"} {
			rowNamed(t, p, row, field)
		}
		donors := "name,postcode,latitude,longitude,email\n" +
			"Albion,B70 7PA,NaN,0,\n" +
			"Hawthorns,B71 4LF,52.5,+Inf,\n" +
			"Smiths,B66 1AA,,,\xff\xfe@example.org\n" +
			"Jones,B66 1AA,,,\ufffd@example.org\n"
		p = post("/api/v1/imports/donors", donors).problem(http.StatusUnprocessableEntity, "")
		for row, field := range map[int]string{2: "latitude", 3: "longitude", 4: "email", 5: "email"} {
			rowNamed(t, p, row, field)
		}
		for _, m := range []any{&models.Donation{}, &models.Donor{}, &models.StockItem{}} {
			var n int64
			e.store.DB(t.Context()).Model(m).Count(&n)
			if n != 0 {
				t.Fatalf("%d %T kept", n, m)
			}
		}
		if got, err := e.store.CheckRanges(t.Context()); err != nil || len(got) > 0 {
			t.Fatalf("out of range: %+v %v", got, err)
		}
	})
}

// Every email field takes only addresses mail can be sent to.
func TestEmailsMustBeAddresses(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr, staff := e.as(models.RoleManager), e.as(models.RoleStaff)
		bodies := []struct {
			path, token string
			body        map[string]any
		}{
			{"/api/v1/users", mgr, map[string]any{"name": "Pat", "role": "staff", "password": testPassword}},
			{"/api/v1/organisations", staff, map[string]any{"name": "Tipton Play Group", "kind": "early_years"}},
			{"/api/v1/donors", staff, map[string]any{"name": "Albion Joinery", "postcode": "B70 7PA"}},
			{"/api/v1/volunteers", staff, map[string]any{"name": "Sam", "kind": "volunteer"}},
			{"/api/v1/pickup-requests", "", e.pickupForm("albion")},
		}
		for _, b := range bodies {
			for _, email := range []string{"\ufffd\ufffd@example.org", "sam@localhost", "sam@-bad-.org", "sam@exa mple.org", "sam@example.",
				"sam\u200b@example.org", "@example.org"} {
				b.body["email"] = email
				e.do(http.MethodPost, b.path, b.token, b.body).problem(http.StatusUnprocessableEntity, "email")
			}
			e.do(http.MethodPost, b.path, b.token, rawBody(t, b.body, "\"\xff\xfe@example.org\"")).problem(http.StatusUnprocessableEntity, "")
			b.body["email"] = "sam.o'neill+scrap@mail.example.co.uk"
			if res := e.do(http.MethodPost, b.path, b.token, b.body); res.status != http.StatusCreated {
				t.Fatalf("%s with a good address: %d %s", b.path, res.status, res.body)
			}
		}
	})
}

// Dates out of all reason, and out of what makes sense for the field, are refused by name.
func TestDatesWithinSensibleRanges(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr, staff := e.as(models.RoleManager), e.as(models.RoleStaff)
		today := e.srv.today()
		cat := e.newCategory("Card", "kg", nil, 0.9)
		ft := e.furnitureType("Chair", 7, false, false)
		var v models.Volunteer
		e.do(http.MethodPost, "/api/v1/volunteers", staff, map[string]any{"name": "Sam", "kind": "volunteer"}).want(http.StatusCreated).decode(&v)
		van := map[string]any{"name": "Van", "registration": "AB12 CDE", "capacity_kg": 1000, "capacity_m3": 10}
		e.do(http.MethodPost, "/api/v1/vehicles", mgr, van).want(http.StatusCreated)
		far := func(years int) string { return models.Date{Time: today.AddDate(years, 0, 0)}.String() }
		at := func(years int) string { return today.AddDate(years, 0, 0).Format(time.RFC3339) }
		cases := []struct {
			path, token, field string
			body               map[string]any
		}{
			{"/api/v1/organisations", staff, "member_since", map[string]any{"name": "A", "kind": "school", "member_since": "1900-01-01"}},
			{"/api/v1/organisations", staff, "member_since", map[string]any{"name": "A", "kind": "school", "member_since": far(3)}},
			{"/api/v1/organisations", staff, "membership_expires_on", map[string]any{"name": "A", "kind": "school", "membership_expires_on": far(40)}},
			{"/api/v1/organisations/" + itoa(e.org.ID) + "/renewals", staff, "paid_on", map[string]any{"paid_pence": 100, "method": "card",
				"paid_on": far(-20)}},
			{"/api/v1/categories/" + itoa(cat.ID) + "/factors", mgr, "effective_from", map[string]any{"co2e_kg_per_kg": 1, "source": "x",
				"effective_from": far(50)}},
			{"/api/v1/categories", mgr, "factor_effective_from", map[string]any{"name": "Foam", "default_unit": "kg", "co2e_kg_per_kg": 1,
				"co2e_source": "x", "factor_effective_from": "1901-01-01"}},
			{"/api/v1/furniture", staff, "received_on", map[string]any{"type_id": ft.ID, "condition": "good", "received_on": far(-60)}},
			{"/api/v1/furniture", staff, "received_on", map[string]any{"type_id": ft.ID, "condition": "good", "received_on": far(1)}},
			{"/api/v1/workshops", staff, "starts_at", map[string]any{"title": "T", "kind": "training", "starts_at": at(60), "ends_at": at(61), "places": 5}},
			{"/api/v1/workshops", staff, "ends_at", map[string]any{"title": "T", "kind": "training", "starts_at": at(0), "ends_at": at(1), "places": 5}},
			{"/api/v1/volunteer-hours", staff, "date", map[string]any{"volunteer_id": v.ID, "date": far(-30), "hours": 2, "activity": "sorting"}},
			{"/api/v1/plans", mgr, "date", map[string]any{"date": far(3), "dry_run": true}},
			{"/api/v1/plans", mgr, "date", map[string]any{"date": far(-3), "dry_run": true}},
		}
		for _, c := range cases {
			e.do(http.MethodPost, c.path, c.token, c.body).problem(http.StatusUnprocessableEntity, c.field)
		}
		for _, m := range []any{&models.Workshop{}, &models.VolunteerHours{}, &models.FurnitureItem{}, &models.Run{}} {
			var n int64
			e.store.DB(t.Context()).Model(m).Count(&n)
			if n != 0 {
				t.Fatalf("%d %T kept", n, m)
			}
		}
	})
}

// Numbers at and beyond the edge of what JSON, int64 and the INTEGER columns hold, in
// every numeric field of every body: never a 5xx, and nothing out of range is stored.
func TestExtremeNumbersEverywhere(t *testing.T) {
	isNumber := func(t reflect.Type) bool {
		switch t.Kind() {
		case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
			return true
		}
		return false
	}
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for _, r := range e.srv.routes {
			if r.body == nil || r.consumes != "" || r.path == "/api/v1/auth/logout" || r.path == "/api/v1/me/password" {
				continue
			}
			token := ""
			if r.roles != nil {
				token = e.as(r.roles[0])
			}
			for _, l := range bodyLeaves(reflect.TypeOf(r.body), "", isNumber) {
				for _, v := range []string{"1e308", "-1e308", "1e400", "9223372036854775808", "-9223372036854775809", "2147483648", "-2147483649", "4.9e-324"} {
					res := e.do(r.method, concretePath(r.path), token, rawBody(t, l.wrap("@@"), v))
					if res.status >= 500 {
						t.Errorf("%s %s %s=%s: %d %s", r.method, r.path, l.path, v, res.status, res.body)
					}
					// Beyond what the Go field holds is a 422 naming it, like any value out of range.
					beyond := v == "1e400" || l.typ.Kind() != reflect.Float64 && strings.HasPrefix(strings.TrimPrefix(v, "-"), "922337")
					if beyond && (res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"field":"`+l.path+`"`)) {
						t.Errorf("%s %s %s=%s: %d %s", r.method, r.path, l.path, v, res.status, res.body)
					}
				}
			}
		}
		if got, err := e.store.CheckRanges(t.Context()); err != nil || len(got) > 0 {
			t.Fatalf("out of range: %+v %v", got, err)
		}
	})
}

// What checking a body before decoding it costs: a donation of 200 lines (about 24 KB)
// scanned, and decoded, each on its own.
func BenchmarkScanBody(b *testing.B) {
	lines := make([]map[string]any, 200)
	for i := range lines {
		lines[i] = map[string]any{"category_id": 1, "description": "Card tubes, assorted lengths", "quantity": 12.5, "unit": "box", "location_id": 1,
			"weight_kg": 3.25}
	}
	body, _ := json.Marshal(map[string]any{"received_at": "2026-11-25T10:30:00Z", "donor_id": 1, "channel": "drop_off",
		"notes": "left at the side gate", "lines": lines})
	typ := reflect.TypeOf(&models.DonationInput{})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if probs, err := scanBody(body, typ); err != nil || len(probs) > 0 {
				b.Fatal(probs, err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var d models.DonationInput
			if err := json.Unmarshal(body, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
}
