package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

// fakePostcodes is a postcodes.io stand-in: it knows some postcodes, counts what it is
// asked about, and can be made to fail.
type fakePostcodes struct {
	mu     sync.Mutex
	known  map[string][2]float64
	asked  map[string]int
	bulk   [][]string
	broken bool
}

func newFakePostcodes(t *testing.T) (*fakePostcodes, *httptest.Server) {
	f := &fakePostcodes{known: map[string][2]float64{"B70 6AU": {52.5134, -1.9921}, "B69 4AA": {52.4987, -2.0215}}, asked: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakePostcodes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.broken {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	place := func(pc string) any {
		f.asked[pc]++
		if ll, ok := f.known[pc]; ok {
			return map[string]any{"postcode": pc, "latitude": ll[0], "longitude": ll[1]}
		}
		return nil
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/postcodes/"):
		res := place(strings.TrimPrefix(r.URL.Path, "/postcodes/"))
		if res == nil {
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]any{"status": 404, "error": "Postcode not found"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"status": 200, "result": res})
	case r.Method == http.MethodPost && r.URL.Path == "/postcodes":
		var body struct{ Postcodes []string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.bulk = append(f.bulk, body.Postcodes)
		var out []map[string]any
		for _, pc := range body.Postcodes {
			out = append(out, map[string]any{"query": pc, "result": place(pc)})
		}
		json.NewEncoder(w).Encode(map[string]any{"status": 200, "result": out})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakePostcodes) times(pc string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked[pc]
}

// eachGeocodedEnv is eachEnv with the store looking postcodes up at url.
func eachGeocodedEnv(t *testing.T, url string, timeout time.Duration, fn func(t *testing.T, e *testEnv)) {
	testdb.Each(t, func(t *testing.T, store *models.Store) {
		fn(t, newEnv(t, store.WithGeocoder(&models.PostcodesIO{URL: url, Client: &http.Client{Timeout: timeout}})))
	})
}

func at(lat, lon *float64) [2]float64 {
	if lat == nil || lon == nil {
		return [2]float64{}
	}
	return [2]float64{*lat, *lon}
}

// Donors, households and pickup requests take their coordinates from their postcodes;
// typed coordinates win; each postcode is asked about once, "not known" included.
func TestPostcodesGiveCoordinates(t *testing.T) {
	f, srv := newFakePostcodes(t)
	eachGeocodedEnv(t, srv.URL, 2*time.Second, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		clear(f.asked)
		var d models.Donor
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Albion Print", "postcode": "b70 6au"}).want(http.StatusCreated).decode(&d)
		if at(d.Latitude, d.Longitude) != f.known["B70 6AU"] || d.CoordinatesNeeded {
			t.Fatalf("donor placed at %v, coordinates needed %v", at(d.Latitude, d.Longitude), d.CoordinatesNeeded)
		}
		var typed models.Donor
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Typed", "postcode": "B70 6AU", "latitude": 52.6, "longitude": -2.1}).
			want(http.StatusCreated).decode(&typed)
		if at(typed.Latitude, typed.Longitude) != [2]float64{52.6, -2.1} {
			t.Fatalf("typed coordinates lost: %v", at(typed.Latitude, typed.Longitude))
		}
		var unknown models.Donor
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Nowhere Ltd", "postcode": "B1 1AA"}).want(http.StatusCreated).
			decode(&unknown)
		if unknown.Latitude != nil || !unknown.CoordinatesNeeded {
			t.Fatalf("unknown postcode: %+v", unknown)
		}
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Nowhere Two", "postcode": "B1 1AA"}).want(http.StatusCreated)

		// A business asks on the public form; staff accept it without typing anything.
		var receipt pickupReceipt
		e.do(http.MethodPost, "/api/v1/pickup-requests", "", e.pickupForm("albion")).want(http.StatusCreated).decode(&receipt)
		var req models.PickupRequest
		e.store.DB(t.Context()).Where("reference = ?", receipt.Reference).First(&req)
		e.do(http.MethodPost, "/api/v1/pickup-requests/"+itoa(req.ID)+"/accept", staff, map[string]any{}).want(http.StatusOK).decode(&req)
		if req.Status != "accepted" || at(req.Latitude, req.Longitude) != f.known["B70 6AU"] || req.CoordinatesNeeded {
			t.Fatalf("accepted request %+v", req)
		}

		var hh models.Recipient
		e.do(http.MethodPost, "/api/v1/recipients", staff, map[string]any{"kind": "household", "name": "Mr Evans", "address": "9 Park Lane, Oldbury",
			"postcode": "B69 4AA"}).
			want(http.StatusCreated).decode(&hh)
		if at(hh.Latitude, hh.Longitude) != f.known["B69 4AA"] || hh.CoordinatesNeeded {
			t.Fatalf("household %+v", hh)
		}
		// A donor that moves takes its new postcode's place.
		e.do(http.MethodPatch, "/api/v1/donors/"+itoa(d.ID), staff, map[string]any{"postcode": "B69 4AA"}).want(http.StatusOK).decode(&d)
		if at(d.Latitude, d.Longitude) != f.known["B69 4AA"] {
			t.Fatalf("moved donor at %v", at(d.Latitude, d.Longitude))
		}
		if f.times("B70 6AU") != 1 || f.times("B1 1AA") != 1 || f.times("B69 4AA") != 1 {
			t.Fatalf("asked %v; want each postcode once", f.asked)
		}
		// "Not known" is believed for a while, then asked again.
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Table("postcode_locations").Where("postcode = ?", "B1 1AA").Update("looked_up_at", time.Now().Add(-8*24*time.Hour))
		})
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Nowhere Three", "postcode": "B1 1AA"}).want(http.StatusCreated)
		if f.times("B1 1AA") != 2 {
			t.Fatalf("asked about B1 1AA %d times after a week", f.times("B1 1AA"))
		}
	})
}

// The donor import asks about all its postcodes in one bulk request, and says which rows
// still need coordinates.
func TestDonorImportLooksPostcodesUpInBulk(t *testing.T) {
	f, srv := newFakePostcodes(t)
	eachGeocodedEnv(t, srv.URL, 2*time.Second, func(t *testing.T, e *testEnv) {
		f.bulk = nil
		csv := "name,postcode,latitude,longitude\nAlbion Print,B70 6AU,,\nNowhere Ltd,B1 1AA,,\nTyped Ltd,B69 4AA,52.6,-2.1\n"
		var res models.ImportResult
		e.do(http.MethodPost, "/api/v1/imports/donors", e.as(models.RoleStaff), csv, "Content-Type", "text/csv").want(http.StatusOK).decode(&res)
		if res.Created != 3 || len(res.CoordinatesNeeded) != 1 || res.CoordinatesNeeded[0] != 3 {
			t.Fatalf("import %+v", res)
		}
		if len(f.bulk) != 1 || strings.Join(f.bulk[0], ",") != "B1 1AA,B70 6AU" {
			t.Fatalf("bulk requests %v", f.bulk)
		}
		var got []models.Donor
		e.store.DB(t.Context()).Order("name").Find(&got)
		want := map[string][2]float64{"Albion Print": f.known["B70 6AU"], "Nowhere Ltd": {}, "Typed Ltd": {52.6, -2.1}}
		for _, d := range got {
			if at(d.Latitude, d.Longitude) != want[d.Name] {
				t.Fatalf("%s at %v, want %v", d.Name, at(d.Latitude, d.Longitude), want[d.Name])
			}
		}
	})
}

// A geocoder that is down, slow or off never fails a request: it is kept, the answer
// says coordinates are needed, the plan says so, and accepting it again with typed
// coordinates places it.
func TestGeocoderDownSlowOrOff(t *testing.T) {
	down, downSrv := newFakePostcodes(t)
	down.broken = true
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	check := func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		var d models.Donor
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Albion Print", "postcode": "B70 6AU"}).want(http.StatusCreated).decode(&d)
		if d.Latitude != nil || !d.CoordinatesNeeded {
			t.Fatalf("donor %+v", d)
		}
		e.planVan("BV21RDE", 900, weekdays...)
		var receipt pickupReceipt
		e.do(http.MethodPost, "/api/v1/pickup-requests", "", e.pickupForm("albion")).want(http.StatusCreated).decode(&receipt)
		var req models.PickupRequest
		e.store.DB(t.Context()).Where("reference = ?", receipt.Reference).First(&req)
		e.do(http.MethodPost, "/api/v1/pickup-requests/"+itoa(req.ID)+"/accept", staff, map[string]any{}).want(http.StatusOK).decode(&req)
		if req.Status != "accepted" || !req.CoordinatesNeeded {
			t.Fatalf("accepted %+v", req)
		}
		plan := e.previewPlan(req.EarliestDate)
		if len(plan.Runs) != 0 || len(plan.Unassigned) != 1 || plan.Unassigned[0].Code != "no_coordinates" {
			t.Fatalf("plan %+v", plan)
		}
		e.do(http.MethodPost, "/api/v1/pickup-requests/"+itoa(req.ID)+"/accept", staff, map[string]any{"latitude": 52.51}).
			problem(http.StatusUnprocessableEntity, "longitude")
		e.do(http.MethodPost, "/api/v1/pickup-requests/"+itoa(req.ID)+"/accept", staff, map[string]any{"latitude": 52.51, "longitude": -1.99}).
			want(http.StatusOK).decode(&req)
		if req.CoordinatesNeeded || req.Status != "accepted" {
			t.Fatalf("accepted again %+v", req)
		}
		var n int64
		e.store.DB(t.Context()).Table("postcode_locations").Count(&n)
		if n != 0 {
			t.Fatalf("%d answers cached from a service that did not answer", n)
		}
	}
	t.Run("down", func(t *testing.T) { eachGeocodedEnv(t, downSrv.URL, 2*time.Second, check) })
	t.Run("slow", func(t *testing.T) { eachGeocodedEnv(t, slow.URL, 50*time.Millisecond, check) })
	t.Run("off", func(t *testing.T) { eachEnv(t, check) })
}
