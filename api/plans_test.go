package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// testVan is a van a test adds: it works the given days from 08:00 to until. A zero
// unloadMinutes is left out of the request, so the van gets the server's default.
type testVan struct {
	name, reg     string
	kg, m3        float64
	days          []string
	until         string
	unloadMinutes int
}

// addVan is the one way tests add a van, as the manager.
func (e *testEnv) addVan(v testVan) models.Vehicle {
	e.t.Helper()
	shifts := map[string]any{}
	for _, d := range v.days {
		shifts[d] = map[string]string{"from": "08:00", "to": v.until}
	}
	body := map[string]any{"name": v.name, "registration": v.reg, "capacity_kg": v.kg, "capacity_m3": v.m3, "shifts": shifts}
	if v.unloadMinutes != 0 {
		body["unload_minutes"] = v.unloadMinutes
	}
	var van models.Vehicle
	e.do(http.MethodPost, "/api/v1/vehicles", e.as(models.RoleManager), body).want(http.StatusCreated).decode(&van)
	return van
}

// planVan adds a van that works the given weekdays (mon..sun), 08:00-17:00.
func (e *testEnv) planVan(reg string, kg float64, days ...string) models.Vehicle {
	e.t.Helper()
	return e.addVan(testVan{name: reg, reg: reg, kg: kg, m3: 20, days: days, until: "17:00", unloadMinutes: 20})
}

// oneTripVan adds a van that works mornings only and takes four hours to unload, so that
// it never makes a second trip: what it cannot carry at once waits.
func (e *testEnv) oneTripVan(reg string, kg float64, days ...string) models.Vehicle {
	e.t.Helper()
	return e.addVan(testVan{name: reg, reg: reg, kg: kg, m3: 20, days: days, until: "12:00", unloadMinutes: 240})
}

// previewPlan is the dry-run plan for day, which changes nothing.
func (e *testEnv) previewPlan(day models.Date) models.PlanResult {
	e.t.Helper()
	var res models.PlanResult
	e.do(http.MethodPost, "/api/v1/plans", e.as(models.RoleManager), map[string]any{"date": day.String(), "dry_run": true}).
		want(http.StatusOK).decode(&res)
	return res
}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri"}

// acceptedRequest is a request made by staff and accepted at a place, with its dates,
// weight and staff priority.
func (e *testEnv) acceptedRequest(name string, lat, lon, kg float64, earliest, latest models.Date, priority int) models.PickupRequest {
	e.t.Helper()
	form := e.pickupForm(name)
	form["approx_kg"], form["approx_m3"] = kg, 0.5
	form["earliest_date"], form["latest_date"] = earliest.String(), latest.String()
	var r models.PickupRequest
	e.do(http.MethodPost, "/api/v1/pickup-requests", e.as(models.RoleStaff), form).want(http.StatusCreated).decode(&r)
	e.do(http.MethodPost, "/api/v1/pickup-requests/"+itoa(r.ID)+"/accept", e.as(models.RoleStaff), map[string]any{"latitude": lat, "longitude": lon,
		"priority": priority}).
		want(http.StatusOK).decode(&r)
	return r
}

// nextWeekday is the first day after today that falls on wd.
func (e *testEnv) nextWeekday(wd time.Weekday) models.Date {
	d := e.srv.today().AddDays(1)
	for d.Weekday() != wd {
		d = d.AddDays(1)
	}
	return d
}

// A preview answers a plan id; making the plan with it creates exactly the runs and stops
// previewed (times, order, km), once.
func TestPreviewThenCommit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		e.planVan("BV21RDE", 400, weekdays...)
		e.planVan("BX70KLM", 400, weekdays...)
		day := e.srv.today().AddDays(1)
		for i, name := range []string{"albion", "brickhouse", "carters", "dudley", "ettingshall", "friar", "greets", "hill-top"} {
			e.acceptedRequest(name, 52.48+float64(i)*0.01, -2.06+float64(i%3)*0.03, 90, day, day.AddDays(7), 1)
		}
		preview := e.previewPlan(day)
		if preview.ID == 0 || preview.ExpiresAt == nil || len(preview.Runs) == 0 {
			t.Fatalf("preview %+v", preview)
		}
		var n int64
		e.store.DB(t.Context()).Model(&models.Run{}).Count(&n)
		if n != 0 {
			t.Fatal("a preview made runs")
		}

		var made models.PlanResult
		e.do(http.MethodPost, "/api/v1/plans/"+itoa(preview.ID)+"/commit", mgr, nil).want(http.StatusCreated).decode(&made)
		ignore := cmp.Options{cmpopts.IgnoreFields(models.Run{}, "ID", "CreatedAt"), cmpopts.IgnoreFields(models.RunStop{}, "ID", "RunID"),
			cmpopts.IgnoreFields(models.PlanResult{}, "DryRun", "ExpiresAt")}
		if d := cmp.Diff(preview, made, ignore); d != "" {
			t.Fatalf("made plan differs from the preview (-preview +made):\n%s", d)
		}
		var runs List[models.Run]
		e.do(http.MethodGet, "/api/v1/runs?sort=date&date="+day.String(), mgr, nil).want(http.StatusOK).decode(&runs)
		// Stored runs read back with each stop's details for drivers; the plan is the same.
		if d := cmp.Diff(preview.Runs, runs.Items, ignore, cmpopts.IgnoreFields(models.RunStop{}, "Details")); d != "" {
			t.Fatalf("stored runs differ from the preview (-preview +stored):\n%s", d)
		}
		var scheduled int64
		e.store.DB(t.Context()).Model(&models.PickupRequest{}).Where("status = ?", models.PickupScheduled).Count(&scheduled)
		stops := 0
		for _, r := range preview.Runs {
			stops += len(r.Stops)
		}
		if int(scheduled) != stops {
			t.Fatalf("%d requests scheduled, %d stops previewed", scheduled, stops)
		}

		p := e.do(http.MethodPost, "/api/v1/plans/"+itoa(preview.ID)+"/commit", mgr, nil).problem(http.StatusConflict, "")
		if !strings.Contains(p.Detail, "made already") {
			t.Fatalf("second commit: %q", p.Detail)
		}
		e.store.DB(t.Context()).Model(&models.Run{}).Count(&n)
		if int(n) != len(preview.Runs) {
			t.Fatalf("%d runs after a second commit, want %d", n, len(preview.Runs))
		}
		e.do(http.MethodPost, "/api/v1/plans/999999/commit", mgr, nil).problem(http.StatusNotFound, "")
		e.do(http.MethodPost, "/api/v1/plans/"+itoa(preview.ID)+"/commit", e.as(models.RoleStaff), nil).problem(http.StatusForbidden, "")
	})
}

// Making a preview after the day changed is a 409 that says what changed, and makes
// nothing: a request cancelled, a request accepted since, a van taken, or the preview
// expired.
func TestCommitRefusedWhenTheDayChanged(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr, staff := e.as(models.RoleManager), e.as(models.RoleStaff)
		day := e.srv.today().AddDays(1)
		van := e.planVan("BV21RDE", 900, weekdays...)
		other := e.planVan("BX70KLM", 900, weekdays...)
		a := e.acceptedRequest("albion", 52.50, -2.00, 50, day, day.AddDays(7), 1)
		e.acceptedRequest("brickhouse", 52.51, -2.01, 50, day, day.AddDays(7), 1)
		preview := func(vans ...int64) int64 {
			var res models.PlanResult
			e.do(http.MethodPost, "/api/v1/plans", mgr, map[string]any{"date": day.String(), "dry_run": true, "vehicle_ids": vans}).want(http.StatusOK).
				decode(&res)
			return res.ID
		}
		refused := func(id int64, want string) {
			t.Helper()
			p := e.do(http.MethodPost, "/api/v1/plans/"+itoa(id)+"/commit", mgr, nil).problem(http.StatusConflict, "")
			if !strings.Contains(p.Detail, want) {
				t.Fatalf("409 says %q, want it to say %q", p.Detail, want)
			}
			var runs int64
			e.store.DB(t.Context()).Model(&models.Run{}).Where("vehicle_id = ?", van.ID).Count(&runs)
			if runs != 0 {
				t.Fatal("a refused commit made a run")
			}
		}

		id := preview(van.ID)
		e.do(http.MethodPost, "/api/v1/pickup-requests/"+itoa(a.ID)+"/cancel", staff, map[string]any{"reason": "moved out"}).want(http.StatusOK)
		refused(id, "request "+a.Reference+" is cancelled now")

		id = preview(van.ID)
		c := e.acceptedRequest("carters", 52.52, -2.02, 50, day, day.AddDays(7), 1)
		refused(id, "request "+c.Reference+" is new")

		id = preview(van.ID)
		e.do(http.MethodPatch, "/api/v1/vehicles/"+itoa(van.ID), mgr, map[string]any{"capacity_kg": 300}).want(http.StatusOK)
		refused(id, "van BV21RDE was changed")

		id = preview(van.ID)
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&models.Plan{}).Where("id = ?", id).Update("expires_at", time.Now().Add(-time.Minute))
		})
		refused(id, "expired")

		// Both vans previewed; then the other one is planned on its own: it is taken.
		id = preview()
		e.do(http.MethodPost, "/api/v1/plans", mgr, map[string]any{"date": day.String(), "vehicle_ids": []int64{other.ID}}).want(http.StatusCreated)
		refused(id, "van BX70KLM was taken")
	})
}

// A request on its last working day comes before requests that can wait, even urgent
// ones nearer the depot; when it cannot be served the plan says it misses its deadline.
func TestLastWorkingDayComesFirst(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.oneTripVan("BV21RDE", 100, weekdays...)
		friday := e.nextWeekday(time.Friday)
		// Due on Sunday, so Friday is its last working day; far from the depot.
		due := e.acceptedRequest("sunday", 52.56, -2.10, 80, friday, friday.AddDays(2), 1)
		// Urgent by staff's priority, near the depot, but due next week.
		wait := e.acceptedRequest("nextweek", 52.52, -1.99, 80, friday, friday.AddDays(7), 5)
		res := e.previewPlan(friday)
		if len(res.Runs) != 1 || len(res.Runs[0].Stops) != 1 || *res.Runs[0].Stops[0].RequestID != due.ID {
			t.Fatalf("the van should take the request due on Sunday: %+v", res.Runs)
		}
		if len(res.Unassigned) != 1 || res.Unassigned[0].RequestID != wait.ID || res.Unassigned[0].MissesDeadline {
			t.Fatalf("unassigned %+v", res.Unassigned)
		}

		// Two due the same day and room for one: the one left out misses its deadline.
		due2 := e.acceptedRequest("sunday2", 52.53, -2.00, 80, friday, friday.AddDays(1), 1)
		res = e.previewPlan(friday)
		missed := map[int64]models.PlanUnassigned{}
		for _, u := range res.Unassigned {
			missed[u.RequestID] = u
		}
		left := missed[due.ID]
		if _, ok := missed[due2.ID]; ok {
			left = missed[due2.ID]
		}
		if len(res.Unassigned) != 2 || !left.MissesDeadline || left.LatestDate == nil || !strings.Contains(left.Reason, "misses its deadline") ||
			missed[wait.ID].MissesDeadline {
			t.Fatalf("unassigned %+v", res.Unassigned)
		}
	})
}

// Working days are the store's: the weekdays its vans work, less its closed days.
func TestWorkingDaysFollowTheStore(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.oneTripVan("BV21RDE", 100, weekdays...)
		monday := e.nextWeekday(time.Monday)
		due := e.acceptedRequest("tuesday", 52.56, -2.10, 80, monday, monday.AddDays(1), 1)
		wait := e.acceptedRequest("urgent", 52.52, -1.99, 80, monday, monday.AddDays(1), 5)
		// Both can wait for Tuesday, so staff's priority decides Monday.
		res := e.previewPlan(monday)
		if len(res.Runs) != 1 || *res.Runs[0].Stops[0].RequestID != wait.ID {
			t.Fatalf("before closing Tuesday: %+v", res.Runs)
		}
		// Tuesday closed: Monday is the last working day for both; the urgent one still
		// wins, and the other misses its deadline.
		if _, err := e.store.CloseDay(t.Context(), e.users[models.RoleManager], monday.AddDays(1), "staff training"); err != nil {
			t.Fatal(err)
		}
		res = e.previewPlan(monday)
		if len(res.Unassigned) != 1 || res.Unassigned[0].RequestID != due.ID || !res.Unassigned[0].MissesDeadline {
			t.Fatalf("with Tuesday closed: %+v", res.Unassigned)
		}

		// The nightly job plans the next working day: Tuesday is closed, so after Monday
		// comes Wednesday; after Friday, Monday, unless a van works Saturdays.
		next, err := e.store.NextWorkingDay(t.Context(), monday)
		if err != nil || next.String() != monday.AddDays(2).String() {
			t.Fatalf("after %s: %s %v", monday, next, err)
		}
		friday := monday.AddDays(4)
		if next, _ := e.store.NextWorkingDay(t.Context(), friday); next.String() != friday.AddDays(3).String() {
			t.Fatalf("after Friday: %s", next)
		}
		e.oneTripVan("BX70KLM", 100, "sat")
		if next, _ := e.store.NextWorkingDay(t.Context(), friday); next.String() != friday.AddDays(1).String() {
			t.Fatalf("after Friday with a Saturday van: %s", next)
		}
	})
}

// Between requests that can both wait, the one whose latest date is nearer wins a place,
// even farther from the depot: the priority rises as the deadline nears.
func TestNearerDeadlineWins(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.oneTripVan("BV21RDE", 100, weekdays...)
		monday := e.nextWeekday(time.Monday)
		soon := e.acceptedRequest("wednesday", 52.56, -2.10, 80, monday, monday.AddDays(2), 1)
		e.acceptedRequest("later", 52.52, -1.99, 80, monday, monday.AddDays(14), 1)
		res := e.previewPlan(monday)
		if len(res.Runs) != 1 || *res.Runs[0].Stops[0].RequestID != soon.ID || len(res.Unassigned) != 1 || res.Unassigned[0].MissesDeadline {
			t.Fatalf("runs %+v, unassigned %+v", res.Runs, res.Unassigned)
		}
	})
}
