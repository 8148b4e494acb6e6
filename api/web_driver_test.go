package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// driverDay is a run tomorrow for the test driver with two collections, and what the
// completion form offers.
type driverDay struct {
	run          models.Run
	paper, cloth *models.CategoryView
	bay          *models.Location
}

func (e *testEnv) driverDay() driverDay {
	e.t.Helper()
	d := driverDay{paper: e.newCategory("Paper and card", "kg", map[string]float64{"kg": 1}, 1),
		cloth: e.newCategory("Fabric", "kg", map[string]float64{"kg": 1}, 2), bay: e.newLocation("BAY1")}
	e.donorRequest("albion", nil)
	e.donorRequest("borough", nil)
	runs := e.plan(e.srv.today().AddDays(1), e.newVan("Transit", "BV21RDE"))
	if len(runs) != 1 || len(runs[0].Stops) != 2 {
		e.t.Fatalf("planned %+v", runs)
	}
	e.do(http.MethodPatch, "/api/v1/runs/"+itoa(runs[0].ID), e.as(models.RoleStaff), map[string]any{"driver_id": e.users[models.RoleDriver].ID}).
		want(http.StatusOK).decode(&d.run)
	return d
}

// driver signs a new visitor in as the test driver.
func (e *testEnv) driver() *visitor {
	v := e.visitor()
	v.signIn(e.users[models.RoleDriver])
	return v
}

// stopField is the name of a stop's form field.
func stopField(st models.RunStop, name string) string { return fmt.Sprintf("s%d-%s", st.ID, name) }

func (d driverDay) kgField(st models.RunStop, cat *models.CategoryView) string {
	return stopField(st, fmt.Sprintf("kg_%d", cat.ID))
}

// The driver's day without JavaScript: the run with its stops in order and what each
// needs, the start, a stop completed with weights by category, another missed, and
// the finish; the problems of each form are shown next to its fields.
func TestDriverRunPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		d := e.driverDay()
		v := e.driver()
		runURL := "/driver/runs/" + itoa(d.run.ID)
		v.get("/driver").want(http.StatusOK).has(t, "Tomorrow", `href="`+runURL+`"`, "2 stops", `href="/driver" aria-current="page"`)
		first, second := d.run.Stops[0], d.run.Stops[1]
		page := v.get(runURL).want(http.StatusOK)
		page.has(t, "Run on "+ukDay(london, d.run.Day), "planned", "2 to do", "1. "+first.Details.Name, "2. "+second.Details.Name,
			"12 Spon Lane, West Bromwich, B70 6AU", "Ask for Jas Bains", "ring the bell at the side gate", "card tubes and offcuts (about 120.5 kg)",
			`href="tel:01215550199"`, `href="https://www.openstreetmap.org/search?query=12&#43;Spon&#43;Lane%2C&#43;West&#43;Bromwich%2C&#43;B70&#43;6AU"`,
			first.StartAt.In(london).Format("15:04")+" to "+first.DepartAt.In(london).Format("15:04"),
			`name="`+d.kgField(first, d.paper)+`"`, `name="`+d.kgField(first, d.cloth)+`"`, "BAY1", "Start the run", "driver.")
		if strings.Index(page.html, first.Details.Name) > strings.Index(page.html, "2. "+second.Details.Name) {
			t.Fatal("the stops are not in order")
		}

		v.post(runURL+"/start", url.Values{}).want(http.StatusUnprocessableEntity).has(t, "Odometer km is required", `id="e-start-odometer_km"`)
		v.post(runURL+"/start", url.Values{"start-odometer_km": {"48000"}}).redirectsTo(t, runURL)
		v.get(runURL).want(http.StatusOK).has(t, "Run started.", "Odometer at the start: 48000 km", "Back at the depot")

		complete := "/driver/stops/" + itoa(first.ID) + "/complete"
		v.post(complete, url.Values{"run": {itoa(d.run.ID)}, stopField(first, "location_id"): {itoa(d.bay.ID)}}).
			want(http.StatusUnprocessableEntity).has(t, "Lines must have at least 1 item")
		v.post(complete, url.Values{"run": {itoa(d.run.ID)}, d.kgField(first, d.paper): {"-3"}, stopField(first, "location_id"): {itoa(d.bay.ID)}}).
			want(http.StatusUnprocessableEntity).has(t, "Paper and card: quantity must be more than 0", `value="-3"`)
		v.post(complete, url.Values{"run": {itoa(d.run.ID)}, d.kgField(first, d.paper): {"12.5"}, d.kgField(first, d.cloth): {"4"},
			stopField(first, "location_id"): {itoa(d.bay.ID)}}).redirectsTo(t, fmt.Sprintf("%s#stop-%d", runURL, first.ID))
		v.get(runURL).want(http.StatusOK).has(t, "Stop 1 done: 16.5 kg collected.", "Paper and card: 12.5 kg", "Fabric: 4 kg", "1 to do")
		if n := e.donationCount(); n != 1 {
			t.Fatalf("%d donations", n)
		}

		miss := "/driver/stops/" + itoa(second.ID) + "/miss"
		v.post(miss, url.Values{"run": {itoa(d.run.ID)}}).want(http.StatusUnprocessableEntity).has(t, "Reason is required", "<details open>")
		v.post(miss, url.Values{"run": {itoa(d.run.ID)}, stopField(second, "reason"): {"gate locked"}}).
			redirectsTo(t, fmt.Sprintf("%s#stop-%d", runURL, second.ID))
		v.get(runURL).want(http.StatusOK).has(t, "Stop 2 marked as missed.", "Missed: gate locked", "0 to do")

		v.post(runURL+"/finish", url.Values{"finish-odometer_km": {"47000"}}).want(http.StatusUnprocessableEntity).
			has(t, "less than at the start", "The reading is right")
		v.post(runURL+"/finish", url.Values{"finish-odometer_km": {"48061.5"}}).redirectsTo(t, runURL)
		v.get(runURL).want(http.StatusOK).has(t, "Run finished.", "finished", "Odometer at the finish: 48061.5 km").hasNot(t, "Complete this stop")
		if r := e.run(d.run.ID); r.Status != "finished" || r.Stops[0].DonationID == nil {
			t.Fatalf("run after the day: %+v", r)
		}
		// A finished run refuses another stop, saying why on the page.
		v.post(miss, url.Values{"run": {itoa(d.run.ID)}, stopField(second, "reason"): {"again"}}).want(http.StatusConflict).has(t, "missed already")
	})
}

// Finishing with stops not done asks first, then marks them missed when told to.
func TestDriverFinishesWithOpenStops(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		d := e.driverDay()
		v := e.driver()
		runURL := "/driver/runs/" + itoa(d.run.ID)
		v.post(runURL+"/start", url.Values{"start-odometer_km": {"1000"}}).redirectsTo(t, runURL)
		v.get(runURL).want(http.StatusOK).has(t, "Mark the 2 stops not done as missed")
		v.post(runURL+"/finish", url.Values{"finish-odometer_km": {"1020"}}).want(http.StatusConflict).has(t, "has 2 open stops")
		v.post(runURL+"/finish", url.Values{"finish-odometer_km": {"1020"}, "finish-miss_open_stops": {"1"}}).redirectsTo(t, runURL)
		v.get(runURL).want(http.StatusOK).has(t, "Missed: run finished")
	})
}

// A driver sees only their own run: another driver's run or stop is not found; members
// may not use the drivers' pages; staff may, as in the API.
func TestDriverPagesRoles(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		d := e.driverDay()
		other, _ := e.newUser(models.RoleDriver, nil)
		ov := e.visitor()
		ov.signIn(other)
		runURL := "/driver/runs/" + itoa(d.run.ID)
		ov.get(runURL).want(http.StatusNotFound).has(t, "Page not found").hasNot(t, "albion")
		ov.get("/driver").want(http.StatusOK).has(t, "No run for you").hasNot(t, runURL)
		st := d.run.Stops[0]
		ov.post(runURL+"/start", url.Values{"start-odometer_km": {"10"}}).want(http.StatusNotFound)
		ov.post("/driver/stops/"+itoa(st.ID)+"/miss", url.Values{"run": {itoa(d.run.ID)}, stopField(st, "reason"): {"x"}}).want(http.StatusNotFound)
		ov.post("/driver/stops/"+itoa(st.ID)+"/complete", url.Values{"run": {itoa(d.run.ID)}, d.kgField(st, d.paper): {"1"},
			stopField(st, "location_id"): {itoa(d.bay.ID)}}).want(http.StatusNotFound)
		if r := e.run(d.run.ID); r.Status != "planned" || r.Stops[0].Status != "planned" {
			t.Fatalf("another driver changed the run: %+v", r)
		}
		e.member().get(runURL).want(http.StatusForbidden).has(t, "this page is for managers or staff or drivers")
		e.member().get("/driver").want(http.StatusForbidden)
		e.visitor().get(runURL).redirectsTo(t, "/sign-in?next="+url.QueryEscape(runURL))
		staff := e.visitor()
		staff.signIn(e.users[models.RoleStaff])
		staff.get(runURL).want(http.StatusOK).has(t, "albion").hasNot(t, `<a href="/driver">Your runs</a>`)
		e.driver().get("/stock").want(http.StatusOK).has(t, `<a href="/driver">Your runs</a>`)
	})
}

// Every action of the drivers' pages refuses a post without the page's token and
// changes nothing.
func TestDriverFormsNeedTheCSRFToken(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		d := e.driverDay()
		v := e.driver()
		v.get("/driver").want(http.StatusOK)
		runURL := "/driver/runs/" + itoa(d.run.ID)
		st := d.run.Stops[0]
		for path, form := range map[string]url.Values{
			runURL + "/start":  {"start-odometer_km": {"10"}},
			runURL + "/finish": {"finish-odometer_km": {"10"}},
			"/driver/stops/" + itoa(st.ID) + "/complete": {"run": {itoa(d.run.ID)}, d.kgField(st, d.paper): {"1"},
				stopField(st, "location_id"): {itoa(d.bay.ID)}},
			"/driver/stops/" + itoa(st.ID) + "/miss": {"run": {itoa(d.run.ID)}, stopField(st, "reason"): {"x"}},
		} {
			v.postBare(path, form).want(http.StatusForbidden).has(t, "did not come from this site")
		}
		if r := e.run(d.run.ID); r.Status != "planned" || r.Stops[0].Status != "planned" || e.donationCount() != 0 {
			t.Fatalf("a post without the token changed the run: %+v", r)
		}
	})
}

// driverScript posts an action as driver.js does: the token in a header, an
// Idempotency-Key, asking for JSON.
func (v *visitor) driverScript(path, key string, form url.Values) *pageResult {
	v.e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set(csrfHeader, v.cookies[csrfCookie].Value)
	return v.send(req)
}

// The service worker is served from the drivers' part of the site and may look after
// all of it, so that signing out anywhere clears the pages it kept.
func TestDriverServiceWorker(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		res := e.visitor().get("/driver/sw.js").want(http.StatusOK).has(t, `caches.delete(CACHE)`, `"/sign-out"`)
		if res.header.Get("Service-Worker-Allowed") != "/" || !strings.HasPrefix(res.header.Get("Content-Type"), "text/javascript") ||
			res.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("headers %v", res.header)
		}
	})
}

// A completion sent again with its key (the phone never heard the answer) gets the
// first answer back and makes no second donation; sent with another key it is refused
// as done already. Problems come back as problem+json for the script to show.
func TestDriverScriptSendsOnceWithItsKey(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		d := e.driverDay()
		v := e.driver()
		v.get("/driver").want(http.StatusOK)
		st := d.run.Stops[0]
		path := "/driver/stops/" + itoa(st.ID) + "/complete"
		form := url.Values{"run": {itoa(d.run.ID)}, d.kgField(st, d.paper): {"7"}, stopField(st, "location_id"): {itoa(d.bay.ID)}}
		var first, again models.RunStop
		res := v.driverScript(path, "key-1", form).want(http.StatusOK)
		res.decode(&first)
		res = v.driverScript(path, "key-1", form).want(http.StatusOK)
		res.decode(&again)
		if res.header.Get("Idempotent-Replayed") != "true" || first.DonationID == nil || *again.DonationID != *first.DonationID {
			t.Fatalf("the retry was not the first answer: %+v then %+v (%v)", first, again, res.header)
		}
		v.driverScript(path, "key-2", form).problem(http.StatusConflict, "")
		if n := e.donationCount(); n != 1 {
			t.Fatalf("%d donations for one stop", n)
		}
		bad := url.Values{"run": {itoa(d.run.ID)}, stopField(d.run.Stops[1], "reason"): {""}}
		p := v.driverScript("/driver/stops/"+itoa(d.run.Stops[1].ID)+"/miss", "key-3", bad).problem(http.StatusUnprocessableEntity, "reason")
		if b, _ := json.Marshal(p); !strings.Contains(string(b), "required") {
			t.Fatalf("problem %s", b)
		}
	})
}
