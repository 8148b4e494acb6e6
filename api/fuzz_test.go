package api

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// fuzzEnv is a server with one of each thing a body may point at, all with id 1: a
// category, a location, a donor, a furniture type, a volunteer and a van. It runs over
// PostgreSQL when the tests have one (where NUL and bad UTF-8 used to be 500s), else SQLite.
func fuzzEnv(f *testing.F) *testEnv {
	store := testdb.SQLite(f, nil)
	if os.Getenv(testdb.EnvURL) != "" {
		store = testdb.Postgres(f, nil)
	}
	e := newEnv(f, store)
	e.newCategory("Card", "box", map[string]float64{"box": 4, "sheet": 0.02}, 0.9)
	e.newLocation("B1")
	e.furnitureType("Chair", 7, false, false)
	staff, mgr := e.as(models.RoleStaff), e.as(models.RoleManager)
	e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Albion Joinery", "postcode": "B70 7PA", "latitude": 52.5,
		"longitude": -2}).want(http.StatusCreated)
	e.do(http.MethodPost, "/api/v1/volunteers", staff, map[string]any{"name": "Sam", "kind": "volunteer"}).want(http.StatusCreated)
	e.do(http.MethodPost, "/api/v1/vehicles", mgr, map[string]any{"name": "Van", "registration": "AB12 CDE", "capacity_kg": 1000,
		"capacity_m3": 10}).want(http.StatusCreated)
	return e
}

// checkAnswer is the property every fuzzed request must keep: never a 5xx, errors as
// problem+json, and an accepted request neither stores nonsense nor turns bad bytes into
// U+FFFD that the client did not send.
func checkAnswer(t *testing.T, e *testEnv, req []byte, res *result) {
	t.Helper()
	switch {
	case res.status >= 500:
		t.Fatalf("%d for %q: %s", res.status, req, res.body)
	case res.status >= 400:
		if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("%d as %q for %q", res.status, ct, req)
		}
		return
	}
	ct := res.header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "text/csv") {
		return // a PDF or a photo
	}
	if !utf8.Valid(res.body) {
		t.Fatalf("an answer that is not UTF-8 for %q: %.300q", req, res.body)
	}
	sentFFFD := bytes.Contains(req, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(req), []byte(`\ufffd`))
	if !sentFFFD && (bytes.Contains(res.body, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(res.body), []byte(`\ufffd`))) {
		t.Fatalf("U+FFFD stored from %q: %.300s", req, res.body)
	}
	if got, err := e.store.CheckRanges(t.Context()); err != nil || len(got) > 0 {
		t.Fatalf("out of range after %q: %+v %v", req, got, err)
	}
	if bad, _, err := e.store.CheckLedger(t.Context()); err != nil || len(bad) > 0 {
		t.Fatalf("the ledger disagrees after %q: %+v %v", req, bad, err)
	}
}

// bodySeeds are bodies worth starting from: junk, the hostile input of the hardening
// report, and bodies that nearly pass, for the routes they fit.
var bodySeeds = []string{
	``, `null`, `[]`, `{}`, `{"a":`, `"x"`, `12`,
	`{"name": "x\u0000y", "email": "a@b.org"}`, "{\"name\": \"\xff\xfe\", \"email\": \"\xff\xfe@example.org\"}", `{"name": "\ud800"}`,
	`{"quantity": NaN, "weight_kg": Infinity}`, `{"quantity": 1e308, "weight_kg": 1e400, "people_served": 2147483648, "width_cm": 9223372036854775808}`,
	`{"received_at": "2026-11-25", "date": "01/12/2026", "day": "0000-01-01", "starts_at": "9999-12-31T23:59:59Z"}`,
	`{"lines": [{"category_id": 1, "description": "Tubes", "quantity": 2, "unit": "bo\u0000x", "location_id": 1}]}`,
	`{"lines": [{"category_id": 1, "description": "Tubes", "quantity": 2, "location_id": 1, "weight_kg": 3.5}], "channel": "drop_off"}`,
	`{"received_at": "2026-11-20T10:30:00Z", "donor_id": 1, ` +
		`"lines": [{"category_id": 1, "description": "Card", "quantity": 3, "unit": "box", "location_id": 1}]}`,
	`{"name": "Tipton Play Group", "kind": "early_years", "postcode": "DY4 8AA", "email": "play@tipton.example", ` +
		`"people_served": 40, "member_since": "2020-01-01"}`,
	`{"name": "Albion", "postcode": "b70 7pa", "opening_hours": {"mon": [{"from": "09:00", "to": "12:30"}]}, "latitude": 52.5, "longitude": -1.9}`,
	`{"code": "A1", "name": "Aisle 1", "kind": "bay"}`,
	`{"type_id": 1, "condition": "good", "weight_kg": 12.5, "width_cm": 60, "received_on": "2026-11-01", "charge_pence": 500}`,
	`{"volunteer_id": 1, "date": "2026-11-20", "hours": 2.5, "activity": "sorting"}`,
	`{"title": "Junk modelling", "kind": "creative_session", "starts_at": "2026-12-01T10:00:00Z", "ends_at": "2026-12-01T12:00:00Z", "places": 12}`,
	`{"email": "pat@example.org", "name": "Pat", "role": "staff", "password": "a long enough password"}`,
	`{"co2e_kg_per_kg": 1.2, "source": "DEFRA", "effective_from": "2026-01-01"}`,
	`{"date": "2026-11-27", "dry_run": true}`,
	`{"business_name": "Albion", "contact_name": "Jas", "email": "jas@albion.example", "postcode": "B70 6AU", ` +
		`"address": "Spon Lane", "description": "tubes", "approx_kg": 50, "approx_m3": 1, ` +
		`"earliest_date": "2026-11-27", "latest_date": "2026-12-05"}`,
}

// Every route's JSON body, fuzzed: the route is picked from the route table by number.
func FuzzRequestBodies(f *testing.F) {
	e := fuzzEnv(f)
	var routes []route
	for _, r := range e.srv.routes {
		// Logging out or changing the password would sign the fuzzer out.
		if r.body != nil && r.consumes == "" && r.path != "/api/v1/auth/logout" && r.path != "/api/v1/me/password" {
			routes = append(routes, r)
		}
	}
	for i := range routes {
		for _, s := range bodySeeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		e.t = t
		r := routes[int(which)%len(routes)]
		token := ""
		if r.roles != nil {
			token = e.as(r.roles[0])
		}
		checkAnswer(t, e, body, e.do(r.method, concretePath(r.path), token, body))
	})
}

// The CSV imports (0: donations, 1: donors), fuzzed with their rows kept when accepted.
func FuzzCSVImports(f *testing.F) {
	e := fuzzEnv(f)
	donations := "donation_id,received_at,donor_id,channel,category,description,quantity,unit,weight_kg,location\n"
	donors := "name,contact_name,email,phone,address,postcode,latitude,longitude,notes,active\n"
	for _, s := range []string{
		donations + "a,2026-10-01T10:00:00Z,,drop_off,Card,Tubes,10,box,,B1\n",
		donations + "a,2026-10-01T10:00:00Z,1,collection,Card,Tubes,10,box,12.5,B1\na,2026-10-01T10:00:00Z,1,collection,Card,Sheets,100,sheet,,B1\n",
		donations + "a,2026-10-01T10:00:00Z,,drop_off,Card,Tubes,10,box,NaN,B1\n",
		donations + "a,2026-10-01T10:00:00Z,,drop_off,Card,Tubes,Inf,box,,B1\n",
		donations + "a,2026-10-01T10:00:00Z,,drop_off,Card,Tubes,0x1p3,box,1e400,B1\n",
		donations + "a,2026-11-25,,drop_off,Card,Tu\xffbes,1,bo\x00x,,B1\n",
		donations + "a,0000-01-01T00:00:00Z,,drop_off,Card,\"Tubes, long\",1,box,,B1\n",
		donors + "Albion,Jas,jas@albion.example,0121 555 0199,Spon Lane,B70 6AU,52.5,-1.9,,true\n",
		donors + "Albion,Jas,\xff\xfe@albion.example,,,B70 6AU,NaN,-Inf,,maybe\n",
		"\ufeff" + donors + "\"Smith & Sons, Joiners\",,,,,b66 1aa,,,,\n",
		"", "name\n", "\"broken", "a,b\n\x00,\xff\n",
	} {
		f.Add(uint8(0), s)
		f.Add(uint8(1), s)
	}
	paths := []string{"/api/v1/imports/donations", "/api/v1/imports/donors"}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		e.t = t
		res := e.do(http.MethodPost, paths[int(which)%len(paths)], e.as(models.RoleStaff), body, "Content-Type", "text/csv")
		checkAnswer(t, e, []byte(body), res)
	})
}

// Every GET route's query string, fuzzed: filters, dates, limits and cursors are text
// from the client too.
func FuzzQueries(f *testing.F) {
	e := fuzzEnv(f)
	var routes []route
	for _, r := range e.srv.routes {
		if r.method == http.MethodGet {
			routes = append(routes, r)
		}
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	seeds := []string{
		"", "q=tubes", "q=%00", "q=%FF%FE", "status=%C3", "kind=a%00b", "condition=good", "role=staff", "entity_type=user&entity_id=1",
		"from=01/12/2026", "from=0000-01-01&to=9999-12-31", "date=2026-11-25", "month=2026-10", "month=0000-01", "year=99999999999",
		"limit=0", "limit=999999999999", "limit=-1", "active=maybe", "sort=-updated_at", "sort=bogus", "thumb=true",
		"cursor=" + enc(`{"s":[1,2,3],"i":1}`), "cursor=" + enc(`{"s":"x","i":1}`), "cursor=" + enc(`{"s":"2026-11-25T10:30:00Z","i":1}`),
		"cursor=" + enc("{\"s\":\"\xff\",\"i\":1}"), "cursor=!!!", "reference=SCR-000&email=a@b.org", "%zz=1&a=%", ";;&&==",
	}
	for i := range routes {
		for _, q := range seeds {
			f.Add(uint8(i), q)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, rawQuery string) {
		e.t = t
		r := routes[int(which)%len(routes)]
		if strings.ContainsAny(rawQuery, "# ") || strings.ContainsFunc(rawQuery, func(c rune) bool { return c < 0x21 || c == 0x7f }) {
			return // not something an HTTP request line can carry
		}
		req := httptest.NewRequest(r.method, concretePath(r.path), nil)
		req.URL.RawQuery = rawQuery
		if r.roles != nil {
			req.Header.Set("Authorization", "Bearer "+e.as(r.roles[0]))
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		checkAnswer(t, e, []byte(rawQuery), &result{t: t, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()})
	})
}
