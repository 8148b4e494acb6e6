package api

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// newVan is a builder for a van that works every day 08:00-17:00.
func (e *testEnv) newVan(name, reg string) models.Vehicle {
	e.t.Helper()
	return e.addVan(testVan{name: name, reg: reg, kg: 900, m3: 8, days: models.Weekdays, until: "17:00"})
}

// donorRequest is a builder for a request from the public form, accepted for a donor
// with the given opening hours near the depot, collectable from tomorrow for ten days.
func (e *testEnv) donorRequest(name string, hours map[string]any) models.PickupRequest {
	e.t.Helper()
	staff := e.as(models.RoleStaff)
	var donor models.Donor
	e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": name, "address": "1 High Street", "postcode": "B70 6AU",
		"latitude": 52.51, "longitude": -1.99, "opening_hours": hours}).want(http.StatusCreated).decode(&donor)
	var receipt pickupReceipt
	e.do(http.MethodPost, "/api/v1/pickup-requests", "", e.pickupForm(name)).want(http.StatusCreated).decode(&receipt)
	var req models.PickupRequest
	if err := e.store.DB(context.Background()).Where("reference = ?", receipt.Reference).First(&req).Error; err != nil {
		e.t.Fatal(err)
	}
	e.do(http.MethodPost, "/api/v1/pickup-requests/"+itoa(req.ID)+"/accept", staff, map[string]any{"donor_id": donor.ID}).want(http.StatusOK).
		decode(&req)
	return req
}

// plan makes the plan for a day on the vans given and returns its runs.
func (e *testEnv) plan(day models.Date, vans ...models.Vehicle) []models.Run {
	e.t.Helper()
	ids := []int64{}
	for _, v := range vans {
		ids = append(ids, v.ID)
	}
	var res models.PlanResult
	e.do(http.MethodPost, "/api/v1/plans", e.as(models.RoleManager), map[string]any{"date": day.String(), "vehicle_ids": ids}).
		want(http.StatusCreated).decode(&res)
	return res.Runs
}

// waitingDelivery is a builder for a wardrobe handed over to a household, to be
// delivered on day.
func (e *testEnv) waitingDelivery(day models.Date) models.Handover {
	e.t.Helper()
	staff := e.as(models.RoleStaff)
	wardrobe := e.register(e.furnitureType("Double wardrobe", 55, false, false).ID)
	e.moveTo(wardrobe.ID, "checking").want(http.StatusOK)
	e.moveTo(wardrobe.ID, "available").want(http.StatusOK)
	var hh models.Recipient
	e.do(http.MethodPost, "/api/v1/recipients", staff, map[string]any{"kind": "household", "name": "Mr Evans", "contact": "07700 900123",
		"address": "9 Park Lane, Oldbury", "postcode": "B69 4AA", "latitude": 52.50, "longitude": -2.02}).want(http.StatusCreated).decode(&hh)
	e.do(http.MethodPost, "/api/v1/furniture/"+itoa(wardrobe.ID)+"/reserve", staff, map[string]any{"recipient_id": hh.ID}).want(http.StatusOK)
	var ho models.Handover
	e.do(http.MethodPost, "/api/v1/furniture/"+itoa(wardrobe.ID)+"/handover", staff, map[string]any{"method": "delivered", "on": day.String()}).
		want(http.StatusCreated).decode(&ho)
	return ho
}

// startedRun plans tomorrow's run for one van with the given requests (and any
// delivery waiting) and starts it at 48,000 km.
func (e *testEnv) startedRun(names ...string) models.Run {
	e.t.Helper()
	for _, n := range names {
		e.donorRequest(n, nil)
	}
	runs := e.plan(e.srv.today().AddDays(1), e.newVan("Transit", "BV21RDE"))
	if len(runs) != 1 || len(runs[0].Stops) < len(names) {
		e.t.Fatalf("planned %+v", runs)
	}
	var r models.Run
	e.do(http.MethodPost, "/api/v1/runs/"+itoa(runs[0].ID)+"/start", e.as(models.RoleStaff), map[string]any{"odometer_km": 48000}).
		want(http.StatusOK).decode(&r)
	return r
}

func (e *testEnv) run(id int64) models.Run {
	e.t.Helper()
	var r models.Run
	if err := e.store.DB(context.Background()).Preload("Stops").First(&r, id).Error; err != nil {
		e.t.Fatal(err)
	}
	return r
}

// A start or finish without an odometer reading is refused, naming it, instead of being
// taken as 0 km; so is a finish below the start, and a day beyond the km limit unless
// confirmed.
func TestRunOdometer(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		e.donorRequest("albion", nil)
		runs := e.plan(e.srv.today().AddDays(1), e.newVan("Transit", "BV21RDE"))
		id := itoa(runs[0].ID)
		e.do(http.MethodPost, "/api/v1/runs/"+id+"/start", staff, map[string]any{}).problem(http.StatusUnprocessableEntity, "odometer_km")
		e.do(http.MethodPost, "/api/v1/runs/"+id+"/start", staff, map[string]any{"odometer_km": nil}).problem(http.StatusUnprocessableEntity, "odometer_km")
		if r := e.run(runs[0].ID); r.Status != "planned" || r.StartOdometerKm != nil {
			t.Fatalf("a refused start left %s at %v", r.Status, r.StartOdometerKm)
		}
		e.do(http.MethodPost, "/api/v1/runs/"+id+"/start", staff, map[string]any{"odometer_km": 48000}).want(http.StatusOK)
		e.do(http.MethodPost, "/api/v1/runs/"+id+"/start", staff, map[string]any{"odometer_km": 48000}).problem(http.StatusConflict, "")

		finish := func(body map[string]any) *result {
			body["miss_open_stops"] = true
			return e.do(http.MethodPost, "/api/v1/runs/"+id+"/finish", staff, body)
		}
		finish(map[string]any{}).problem(http.StatusUnprocessableEntity, "odometer_km")
		finish(map[string]any{"odometer_km": 47990}).problem(http.StatusUnprocessableEntity, "odometer_km")
		p := finish(map[string]any{"odometer_km": 48700}).problem(http.StatusUnprocessableEntity, "odometer_km")
		if !strings.Contains(p.Errors[0].Message, "confirm_km") {
			t.Fatalf("a day beyond the limit does not say how to confirm it: %+v", p.Errors)
		}
		if r := e.run(runs[0].ID); r.Status != "started" || r.FinishOdometerKm != nil || r.Stops[0].Status != "planned" {
			t.Fatalf("a refused finish left %s at %v, stop %s", r.Status, r.FinishOdometerKm, r.Stops[0].Status)
		}
		var done models.Run
		finish(map[string]any{"odometer_km": 48700, "confirm_km": true}).want(http.StatusOK).decode(&done)
		if done.Status != "finished" || *done.FinishOdometerKm != 48700 || !done.KmConfirmed {
			t.Fatalf("finished %+v", done)
		}
		day := e.srv.today().AddDays(1).String()
		var f models.Figures
		e.do(http.MethodGet, "/api/v1/reports/figures?from="+day+"&to="+day, e.as(models.RoleManager), nil).want(http.StatusOK).decode(&f)
		if f.Logistics.Km != 700 {
			t.Fatalf("a confirmed 700 km day counts %v km", f.Logistics.Km)
		}
	})
}

// Runs finished before the odometer rules (no start reading taken as 0, a finish below
// the start) count their planned km in the figures, never their odometer's, and check
// lists them.
func TestBadOdometerRowsAreExcluded(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		van := e.newVan("Transit", "BV21RDE")
		day := models.NewDate(e.srv.Now().AddDate(0, -1, 0))
		add := func(start, finish models.Km, plannedM models.Metres, confirmed bool) models.Run {
			r := models.Run{Day: day, VehicleID: van.ID, Status: "finished", PlannedM: plannedM, StartOdometerKm: &start, FinishOdometerKm: &finish,
				KmConfirmed: confirmed, CreatedAt: e.srv.Now()}
			testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Create(&r) })
			day = day.AddDays(1)
			return r
		}
		missing := add(0, 48250, 35_200, false)
		backwards := add(48300, 48100, 20_000, false)
		add(48100, 48142.5, 40_000, false)
		add(50000, 50600, 40_000, true)
		var f models.Figures
		from, to := day.AddDays(-4).String(), day.String()
		e.do(http.MethodGet, "/api/v1/reports/figures?from="+from+"&to="+to, e.as(models.RoleManager), nil).want(http.StatusOK).decode(&f)
		if want := 35.2 + 20 + 42.5 + 600; f.Logistics.Runs != 4 || math.Abs(float64(f.Logistics.Km)-want) > 0.05 || f.CO2e.VanKg < 0 {
			t.Fatalf("figures count %v km over %d runs (van %v kg), want %v", f.Logistics.Km, f.Logistics.Runs, f.CO2e.VanKg, want)
		}
		bad, err := e.store.CheckRuns(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := []int64{}
		for _, b := range bad {
			if b.What == "run" {
				got = append(got, b.ID)
			}
		}
		if diff := cmp.Diff([]int64{missing.ID, backwards.ID}, got); diff != "" || !strings.Contains(bad[0].Detail,
			"48250.0 km, more than the 500 km limit") {
			t.Fatalf("check lists (-want +got):\n%s%+v", diff, bad)
		}
	})
}

// Finishing a run with open stops is refused, listing them, unless asked to mark them
// missed: then each request goes back to accepted and the delivery back to waiting, and
// a later plan takes them.
func TestFinishRunWithOpenStops(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		tomorrow := e.srv.today().AddDays(1)
		ho := e.waitingDelivery(tomorrow)
		run := e.startedRun("albion", "borough")
		if len(run.Stops) != 3 {
			t.Fatalf("run stops %+v", run.Stops)
		}
		var pickups []models.RunStop
		for _, st := range run.Stops {
			if st.Kind == "pickup" {
				pickups = append(pickups, st)
			}
		}
		e.do(http.MethodPost, "/api/v1/stops/"+itoa(pickups[0].ID)+"/miss", staff, map[string]any{"reason": "closed"}).want(http.StatusOK)
		id := itoa(run.ID)
		p := e.do(http.MethodPost, "/api/v1/runs/"+id+"/finish", staff, map[string]any{"odometer_km": 48030}).problem(http.StatusConflict, "")
		for _, st := range run.Stops {
			if listed := strings.Contains(p.Detail, itoa(st.ID)+" (stop"); listed != (st.ID != pickups[0].ID) {
				t.Fatalf("409 %q lists stop %d: %v", p.Detail, st.ID, listed)
			}
		}
		if r := e.run(run.ID); r.Status != "started" {
			t.Fatalf("a refused finish left the run %s", r.Status)
		}
		if bad, err := e.store.CheckRuns(context.Background()); err != nil || len(bad) != 0 {
			t.Fatalf("check: %+v %v", bad, err)
		}

		e.do(http.MethodPost, "/api/v1/runs/"+id+"/finish", staff, map[string]any{"odometer_km": 48030, "miss_open_stops": true}).want(http.StatusOK)
		for _, st := range e.run(run.ID).Stops {
			if st.Status != "missed" || (st.ID != pickups[0].ID && st.Reason != "run finished") {
				t.Fatalf("stop %d is %s (%s)", st.ID, st.Status, st.Reason)
			}
		}
		var reqs []models.PickupRequest
		e.store.DB(context.Background()).Order("id").Find(&reqs)
		for _, r := range reqs {
			if r.Status != "accepted" {
				t.Fatalf("request %s is %s", r.Reference, r.Status)
			}
		}
		var h models.Handover
		e.store.DB(context.Background()).First(&h, ho.ID)
		if h.DeliveryStatus != "waiting" {
			t.Fatalf("delivery is %s", h.DeliveryStatus)
		}
		if bad, err := e.store.CheckRuns(context.Background()); err != nil || len(bad) != 0 {
			t.Fatalf("check: %+v %v", bad, err)
		}
		// The requests are planned again the day after.
		later := e.plan(tomorrow.AddDays(1))
		if len(later) != 1 || len(later[0].Stops) != 2 {
			t.Fatalf("the day after plans %+v", later)
		}
	})
}

// A request or delivery scheduled without an open stop, as finishing used to leave
// them, is what check finds; migration 0014 frees them as finishing now does.
func TestStrandedRequests(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		ho := e.waitingDelivery(e.srv.today().AddDays(1))
		run := e.startedRun("albion")
		// As finishing did before: the run finished, its stops left planned.
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&models.Run{}).Where("id = ?", run.ID).Updates(map[string]any{"status": "finished", "finished_at": e.srv.Now()})
		})
		bad, err := e.store.CheckRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var req models.PickupRequest
		e.store.DB(ctx).First(&req)
		want := []models.RunProblem{{What: "request", ID: req.ID, Detail: req.Reference + " is scheduled but on no open stop of a run"},
			{What: "delivery", ID: ho.ID, Detail: "is planned but on no open stop of a run"}}
		if diff := cmp.Diff(want, bad); diff != "" {
			t.Fatalf("check (-want +got):\n%s", diff)
		}

		// Apply migration 0014 again, to the database as it was before it.
		db := e.store.DB(ctx)
		if err := db.Exec("ALTER TABLE collection_runs DROP COLUMN km_confirmed").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("DELETE FROM schema_migrations WHERE version = 14").Error; err != nil {
			t.Fatal(err)
		}
		if applied, err := e.store.Migrate(ctx); err != nil || len(applied) != 1 {
			t.Fatalf("migrate: %v %v", applied, err)
		}
		for _, st := range e.run(run.ID).Stops {
			if st.Status != "missed" || st.Reason != "run finished" || st.CompletedAt == nil {
				t.Fatalf("after the migration stop %d is %s (%s)", st.ID, st.Status, st.Reason)
			}
		}
		var h models.Handover
		e.store.DB(ctx).First(&req, req.ID)
		e.store.DB(ctx).First(&h, ho.ID)
		if req.Status != "accepted" || h.DeliveryStatus != "waiting" {
			t.Fatalf("after the migration the request is %s, the delivery %s", req.Status, h.DeliveryStatus)
		}
		if bad, err := e.store.CheckRuns(ctx); err != nil || len(bad) != 0 {
			t.Fatalf("check after the migration: %+v %v", bad, err)
		}
	})
}

// A driver's own run says, for each stop, where to go, whom to ask, when they are open
// and what to collect or deliver; another driver's run is not found.
func TestDriverSeesTheirRun(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		tomorrow := e.srv.today().AddDays(1)
		wd := models.Weekdays[(int(tomorrow.Weekday())+6)%7]
		albion := e.donorRequest("albion", map[string]any{wd: []map[string]string{{"from": "08:30", "to": "12:00"}, {"from": "13:00", "to": "17:00"}}})
		ho := e.waitingDelivery(tomorrow)
		mine := e.plan(tomorrow, e.newVan("Transit", "BV21RDE"))[0]
		e.donorRequest("borough", nil)
		theirs := e.plan(tomorrow, e.newVan("Little van", "FD68XMA"))[0]
		other, otherTok := e.newUser(models.RoleDriver, nil)
		e.do(http.MethodPatch, "/api/v1/runs/"+itoa(mine.ID), staff, map[string]any{"driver_id": e.users[models.RoleDriver].ID}).want(http.StatusOK)
		e.do(http.MethodPatch, "/api/v1/runs/"+itoa(theirs.ID), staff, map[string]any{"driver_id": other.ID}).want(http.StatusOK)

		driver := e.as(models.RoleDriver)
		var list List[models.Run]
		e.do(http.MethodGet, "/api/v1/runs/mine?date="+tomorrow.String(), driver, nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != mine.ID {
			t.Fatalf("the driver sees %+v", list.Items)
		}
		var got models.Run
		e.do(http.MethodGet, "/api/v1/runs/"+itoa(mine.ID), driver, nil).want(http.StatusOK).decode(&got)
		details := map[string]models.StopDetails{}
		for _, st := range got.Stops {
			details[st.Kind] = *st.Details
		}
		want := map[string]models.StopDetails{
			"pickup": {Name: "albion", Address: "12 Spon Lane, West Bromwich", Postcode: "B70 6AU", ContactName: "Jas Bains", Phone: "0121 555 0199",
				AccessNotes: "ring the bell at the side gate", OpeningHours: []models.Interval{{From: "08:30", To: "12:00"}, {From: "13:00", To: "17:00"}},
				Reference: albion.Reference, What: "card tubes and offcuts", ApproxG: 120_500, ApproxM3: 1.5},
			"delivery": {Name: "Mr Evans", Address: "9 Park Lane, Oldbury", Postcode: "B69 4AA", ContactName: "Mr Evans", Phone: "07700 900123",
				OpeningHours: []models.Interval{{From: "09:00", To: "17:00"}}, Reference: "FN-000001", What: "Double wardrobe", ApproxG: 55_000, ApproxM3: 1.2},
		}
		if diff := cmp.Diff(want, details); diff != "" {
			t.Fatalf("stop details (-want +got):\n%s", diff)
		}
		if *got.Stops[0].HandoverID != ho.ID && *got.Stops[1].HandoverID != ho.ID {
			t.Fatalf("no stop delivers hand-over %d", ho.ID)
		}
		// Nothing of another driver's run.
		e.do(http.MethodGet, "/api/v1/runs/"+itoa(theirs.ID), driver, nil).problem(http.StatusNotFound, "")
		e.do(http.MethodGet, "/api/v1/runs/"+itoa(theirs.ID)+"/sheet.pdf", driver, nil).problem(http.StatusNotFound, "")
		e.do(http.MethodPost, "/api/v1/runs/"+itoa(theirs.ID)+"/start", driver, map[string]any{"odometer_km": 100}).problem(http.StatusNotFound, "")
		e.do(http.MethodGet, "/api/v1/runs/mine?date="+tomorrow.String(), otherTok, nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != theirs.ID || list.Items[0].Stops[0].Details.Name != "borough" {
			t.Fatalf("the other driver sees %+v", list.Items)
		}
	})
}
