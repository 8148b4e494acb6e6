package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// A small van that fills after one collection goes back to the depot to unload and out
// again: one van serves in three trips what one trip cannot, the stops say which trip
// they are on, and the second trip starts after the van's unloading time.
func TestSecondTripsOnARun(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr, staff := e.as(models.RoleManager), e.as(models.RoleStaff)
		van := e.addVan(testVan{name: "Little van", reg: "FD68XMA", kg: 100, m3: 8, days: models.Weekdays, until: "17:00", unloadMinutes: 25})
		if van.UnloadMinutes != 25 {
			t.Fatalf("unload_minutes %d", van.UnloadMinutes)
		}
		e.do(http.MethodPatch, "/api/v1/vehicles/"+itoa(van.ID), mgr, map[string]any{"unload_minutes": -5}).
			problem(http.StatusUnprocessableEntity, "unload_minutes")
		for i, name := range []string{"albion", "tame", "soho"} {
			form := e.pickupForm(name)
			form["approx_kg"] = 60
			var receipt pickupReceipt
			e.do(http.MethodPost, "/api/v1/pickup-requests", "", form).want(http.StatusCreated).decode(&receipt)
			var req models.PickupRequest
			e.store.DB(t.Context()).Where("reference = ?", receipt.Reference).First(&req)
			e.do(http.MethodPost, "/api/v1/pickup-requests/"+itoa(req.ID)+"/accept", staff, map[string]any{"latitude": 52.50 + float64(i)/100,
				"longitude": -1.98}).want(http.StatusOK)
		}
		var plan models.PlanResult
		e.do(http.MethodPost, "/api/v1/plans", mgr, map[string]any{"date": e.srv.today().AddDays(1).String()}).want(http.StatusCreated).decode(&plan)
		if len(plan.Runs) != 1 || len(plan.Unassigned) != 0 {
			t.Fatalf("plan: %d runs, unassigned %+v", len(plan.Runs), plan.Unassigned)
		}
		var run models.Run
		e.do(http.MethodGet, "/api/v1/runs/"+itoa(plan.Runs[0].ID), staff, nil).want(http.StatusOK).decode(&run)
		if len(run.Stops) != 3 {
			t.Fatalf("%d stops", len(run.Stops))
		}
		for i, st := range run.Stops {
			if st.Trip != i+1 || st.LoadG.Kg() != 60 {
				t.Fatalf("stop %d: trip %d, load %.0f kg; want trip %d with 60 kg", i+1, st.Trip, st.LoadG.Kg(), i+1)
			}
			if i > 0 && st.ArriveAt.Sub(run.Stops[i-1].DepartAt) < 25*time.Minute {
				t.Fatalf("trip %d arrives %v after the last stop, less than the 25 minutes' unloading", st.Trip, st.ArriveAt.Sub(run.Stops[i-1].DepartAt))
			}
		}
		e.do(http.MethodGet, "/api/v1/runs/"+itoa(run.ID)+"/sheet.pdf", staff, nil).want(http.StatusOK)
		// Taking the middle stop off leaves two trips, renumbered.
		var changed List[models.Run]
		e.do(http.MethodDelete, "/api/v1/stops/"+itoa(run.Stops[1].ID), staff, nil).want(http.StatusOK).decode(&changed)
		if st := changed.Items[0].Stops; len(st) != 2 || st[0].Trip != 1 || st[1].Trip != 2 {
			t.Fatalf("after removing the middle stop: %+v", st)
		}
	})
}
