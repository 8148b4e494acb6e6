package api

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

var everyDay = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// planningDay is a day to plan with two vans that work every day, four requests that
// fit and one too heavy for any van.
type planningDay struct {
	day   models.Date
	vans  []models.Vehicle
	reqs  []models.PickupRequest
	heavy models.PickupRequest
}

func (e *testEnv) planningDay() planningDay {
	e.t.Helper()
	pd := planningDay{day: e.srv.today().AddDays(1)}
	pd.vans = []models.Vehicle{e.planVan("BV21RDE", 400, everyDay...), e.planVan("BX70KLM", 400, everyDay...)}
	for i, name := range []string{"albion", "brickhouse", "carters", "dudley"} {
		pd.reqs = append(pd.reqs, e.acceptedRequest(name, 52.49+float64(i)*0.01, -2.03+float64(i%2)*0.03, 60, pd.day, pd.day.AddDays(7), 1))
	}
	pd.heavy = e.acceptedRequest("heavy", 52.5, -2.0, 2000, pd.day, pd.day.AddDays(7), 1)
	return pd
}

// previewID previews the day through the page and answers the preview's id.
func (v *visitor) previewID(t *testing.T, form url.Values) int64 {
	t.Helper()
	res := v.post("/plans", form).want(http.StatusSeeOther)
	id, err := strconv.ParseInt(strings.TrimPrefix(res.header.Get("Location"), "/plans/preview/"), 10, 64)
	if err != nil {
		t.Fatalf("preview redirects to %q", res.header.Get("Location"))
	}
	return id
}

func (e *testEnv) countRuns() int64 {
	var n int64
	if err := e.store.DB(e.t.(*testing.T).Context()).Model(&models.Run{}).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

// A manager chooses the next day, previews it (the runs with their stops, times, loads
// against capacity, km and drawings; the heavy request left out with the planner's
// reason), makes it once, and finds the day's runs.
func TestPlanPreviewAndMakePages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		pd := e.planningDay()
		v := e.signedIn(models.RoleManager)
		v.get("/plans").want(http.StatusOK).has(t, `href="/plans" aria-current="page"`, `href="/reports"`, `value="`+pd.day.String()+`"`,
			"BV21RDE", "BX70KLM", "Preview the plan", "No runs are made for that day yet")

		id := v.previewID(t, url.Values{"date": {pd.day.String()}, "vehicle_id": {itoa(pd.vans[0].ID)}})
		if n := e.countRuns(); n != 0 {
			t.Fatalf("a preview made %d runs", n)
		}
		plan, err := e.store.PreviewedPlan(t.Context(), id)
		if err != nil || len(plan.Runs) != 1 || len(plan.Runs[0].Stops) != 4 || len(plan.Unassigned) != 1 {
			t.Fatalf("preview %+v, %v", plan, err)
		}
		page := v.get("/plans/preview/" + itoa(id)).want(http.StatusOK)
		page.has(t, "This is a preview", "Make this plan", "BV21RDE", "<svg", `role="img"`, "Open in a map", "https://www.openstreetmap.org/?mlat=",
			"of 400 kg", html.EscapeString(plan.Unassigned[0].Reason), pd.heavy.Reference, "Left for another day")
		first := plan.Runs[0].Stops[0]
		page.has(t, first.ArriveAt.In(london).Format("15:04"), fmtKm(plan.Runs[0].PlannedM.Km()))
		for _, r := range pd.reqs {
			page.has(t, r.Reference, html.EscapeString(r.BusinessName))
		}
		page.hasNot(t, "BX70KLM")

		v.post("/plans/preview/"+itoa(id)+"/commit", url.Values{}).redirectsTo(t, "/plans?date="+pd.day.String())
		day := v.get("/plans?date=" + pd.day.String()).want(http.StatusOK)
		day.has(t, "The plan is made: 1 run on "+ukDay(london, pd.day), "/plans/runs/", "BV21RDE), 400 kg · has a run that day already")
		if n := e.countRuns(); n != 1 {
			t.Fatalf("%d runs made", n)
		}
		v.get("/plans/preview/"+itoa(id)).want(http.StatusOK).has(t, "This plan is made").hasNot(t, "Make this plan")
		v.post("/plans/preview/"+itoa(id)+"/commit", url.Values{}).want(http.StatusConflict).has(t, "made already")
		v.get("/plans/preview/999999").want(http.StatusNotFound)
	})
}

// A day that cannot be planned says why, next to the day.
func TestPlanFormProblems(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.planVan("BV21RDE", 400, everyDay...)
		v := e.signedIn(models.RoleManager)
		v.post("/plans", url.Values{"date": {""}}).want(http.StatusUnprocessableEntity).
			has(t, "Choose the day to plan", `aria-describedby="e-date"`, `href="#f-date"`)
		past := models.Date{Time: e.srv.today().AddDate(-2, 0, 0)}.String()
		v.post("/plans", url.Values{"date": {past}}).want(http.StatusUnprocessableEntity).has(t, `id="e-date"`, `value="`+past+`"`)
		v.post("/plans", url.Values{"date": {"26/11/2026"}}).want(http.StatusUnprocessableEntity).has(t, "must be a date")
		v.get("/plans?date=tomorrow").want(http.StatusUnprocessableEntity)
	})
}

// On a made run's page a manager assigns a driver, moves a stop, is told why adding
// the heavy request is refused, adds it anyway, takes a stop off, and prints the sheet.
func TestRunPlanPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		pd := e.planningDay()
		v := e.signedIn(models.RoleManager)
		v.post("/plans/preview/"+itoa(v.previewID(t, url.Values{"date": {pd.day.String()}, "vehicle_id": {itoa(pd.vans[0].ID)}}))+"/commit",
			url.Values{}).want(http.StatusSeeOther)
		runs, _, err := e.store.ListRuns(t.Context(), models.RunFilter{Day: &pd.day}, models.Page{Limit: 10})
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs %v %v", runs, err)
		}
		run := runs[0]
		path := "/plans/runs/" + itoa(run.ID)
		page := v.get(path).want(http.StatusOK)
		page.has(t, "Print the run sheet (PDF)", path+"/sheet.pdf", "<svg", "Move or take off stop 4", "Open in a map", pd.heavy.Reference,
			"Choose a driver", e.users[models.RoleDriver].Name)

		sheet := v.get(path + "/sheet.pdf").want(http.StatusOK)
		if !strings.HasPrefix(string(sheet.body), "%PDF-") || sheet.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("sheet: %q %.20q", sheet.header.Get("Content-Type"), sheet.body)
		}

		driver := e.users[models.RoleDriver]
		v.post(path+"/driver", url.Values{"driver_id": {itoa(driver.ID)}}).redirectsTo(t, path)
		v.get(path).want(http.StatusOK).has(t, "The driver is assigned", `<option value="`+itoa(driver.ID)+`" selected>`)
		v.post(path+"/driver", url.Values{"driver_id": {itoa(e.users[models.RoleMember].ID)}}).want(http.StatusUnprocessableEntity).
			has(t, "no active driver", `aria-describedby="e-driver_id"`)
		v.post(path+"/driver", url.Values{"driver_id": {""}}).want(http.StatusUnprocessableEntity).has(t, "Choose a driver")

		firstStop := run.Stops[0].ID
		v.post(path+"/stops", url.Values{"stop_id": {itoa(firstStop)}, "run_id": {itoa(run.ID)}, "position": {"4"}}).redirectsTo(t, path)
		if got := e.run(run.ID); got.Stops[3].ID != firstStop {
			t.Fatalf("stop %d not moved last: %+v", firstStop, got.Stops)
		}
		v.get(path).has(t, "The stop is moved.")

		add := url.Values{"request_id": {itoa(pd.heavy.ID)}, "position": {""}}
		v.post(path+"/stops", add).want(http.StatusConflict).has(t, "Not changed: ", "Do it even if the run breaks a rule").
			hasNot(t, "send force")
		if got := e.run(run.ID); len(got.Stops) != 4 {
			t.Fatalf("a refused change changed the run: %d stops", len(got.Stops))
		}
		add.Set("force", "1")
		v.post(path+"/stops", add).redirectsTo(t, path)
		v.get(path).has(t, "The request is added to the run. It breaks a rule", "over capacity")
		if got := e.run(run.ID); len(got.Stops) != 5 {
			t.Fatalf("forced add: %d stops", len(got.Stops))
		}

		// The run breaks a rule now, so even taking a stop off needs the manager's say-so.
		remove := url.Values{"stop_id": {itoa(firstStop)}, "remove": {"1"}}
		v.post(path+"/stops", remove).want(http.StatusConflict).has(t, "over capacity")
		remove.Set("force", "1")
		v.post(path+"/stops", remove).redirectsTo(t, path)
		v.get(path).has(t, "The stop is taken off the run")
		var status string
		e.store.DB(t.Context()).Model(&models.PickupRequest{}).Where("id = ?", *run.Stops[0].RequestID).Pluck("status", &status)
		if status != models.PickupAccepted {
			t.Fatalf("the request taken off is %s", status)
		}
		v.post(path+"/stops", url.Values{"position": {"x"}}).want(http.StatusUnprocessableEntity).has(t, "must be a whole number")
		v.get("/plans/runs/999999").want(http.StatusNotFound)
	})
}

// The planning pages are the managers': staff, drivers and members are refused, a
// signed-out visitor is sent to sign in, and a form without the CSRF token changes
// nothing.
func TestPlanningPagesRolesAndCSRF(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		pd := e.planningDay()
		mgr := e.signedIn(models.RoleManager)
		id := mgr.previewID(t, url.Values{"date": {pd.day.String()}})
		made := e.previewPlan(pd.day)
		var res models.PlanResult
		e.do(http.MethodPost, "/api/v1/plans/"+itoa(made.ID)+"/commit", e.as(models.RoleManager), nil).want(http.StatusCreated).decode(&res)
		run := res.Runs[0]
		gets := []string{"/plans", "/plans/preview/" + itoa(id), "/plans/runs/" + itoa(run.ID), "/plans/runs/" + itoa(run.ID) + "/sheet.pdf"}
		posts := map[string]url.Values{
			"/plans":                                  {"date": {pd.day.String()}},
			"/plans/preview/" + itoa(id) + "/commit":  {},
			"/plans/runs/" + itoa(run.ID) + "/stops":  {"stop_id": {itoa(run.Stops[0].ID)}, "remove": {"1"}},
			"/plans/runs/" + itoa(run.ID) + "/driver": {"driver_id": {itoa(e.users[models.RoleDriver].ID)}},
		}
		for _, role := range []models.Role{models.RoleStaff, models.RoleDriver, models.RoleMember} {
			v := e.visitor()
			v.signIn(e.users[role])
			v.get("/stock").hasNot(t, `href="/plans"`, `href="/reports"`)
			for _, p := range gets {
				v.get(p).want(http.StatusForbidden).has(t, "this page is for managers")
			}
			for p, form := range posts {
				v.post(p, form).want(http.StatusForbidden)
			}
		}
		for _, p := range gets {
			e.visitor().get(p).redirectsTo(t, "/sign-in?next="+url.QueryEscape(p))
		}
		for p, form := range posts {
			mgr.postBare(p, form).want(http.StatusForbidden).has(t, "did not come from this site")
		}
		if got := e.run(run.ID); got.DriverID != nil || len(got.Stops) != len(run.Stops) {
			t.Fatalf("a refused form changed the run: %+v", got)
		}
		if n := e.countRuns(); n != int64(len(res.Runs)) {
			t.Fatalf("%d runs", n)
		}
	})
}

func fmtKm(km models.Km) string { return strconv.FormatFloat(float64(km), 'f', 1, 64) }
