package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The managers' planning pages: choose a day and vans, preview the plan, make it; look
// at a day's runs, each drawn from its stops' places; move, add or take off stops;
// assign drivers; print a run sheet. Each calls the same Store method as the API.

func (s *Server) planningPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/plans", managers, s.plansPage},
		{http.MethodPost, "/plans", managers, s.previewPlanPage},
		{http.MethodGet, "/plans/preview/:id", managers, s.planPreviewPage},
		{http.MethodPost, "/plans/preview/:id/commit", managers, s.commitPlanPage},
		{http.MethodGet, "/plans/runs/:id", managers, s.runPlanPage},
		{http.MethodPost, "/plans/runs/:id/stops", managers, s.changeStopsPage},
		{http.MethodPost, "/plans/runs/:id/driver", managers, s.assignDriverPage},
		{http.MethodGet, "/plans/runs/:id/sheet.pdf", managers, s.runSheet},
	}
}

// runView is a run as the pages show it.
type runView struct {
	Run       models.Run
	Van       string
	CapacityG models.Grams
	PeakG     models.Grams // the most it carries at once
	Over      bool
	Driver    string
	Stops     []stopView
	Map       template.HTML // the drawing
}

// stopView is a stop with what the pages show of it.
type stopView struct {
	models.RunStop
	Arrive, Leave string
	MapURL        string
}

// fleet is what the planning pages need about the vans and drivers.
type fleet struct {
	vans    map[int64]models.Vehicle
	drivers []models.User
}

func (s *Server) fleet(ctx context.Context) (*fleet, error) {
	vans, _, err := s.Store.Vehicles(ctx, nil, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return nil, err
	}
	active := true
	drivers, _, err := s.Store.ListUsers(ctx, models.UserFilter{Role: models.RoleDriver, Active: &active}, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return nil, err
	}
	f := &fleet{vans: map[int64]models.Vehicle{}, drivers: drivers}
	for _, v := range vans {
		f.vans[v.ID] = v
	}
	return f, nil
}

// vanName names a van as the pages do: its name and registration.
func (f *fleet) vanName(id int64) string {
	v := f.vans[id]
	return v.Name + " (" + v.Registration + ")"
}

// runViews describes runs (stored or previewed) with their stops' details and drawings.
func (s *Server) runViews(ctx context.Context, f *fleet, runs []models.Run) ([]runView, error) {
	places, err := s.Store.PlaceStops(ctx, runs)
	if err != nil {
		return nil, err
	}
	depot := models.Place{Lat: s.Config.Planning.Depot.Lat, Lon: s.Config.Planning.Depot.Lon, Known: true}
	clock := func(t time.Time) string { return t.In(s.Config.Location).Format("15:04") }
	out := make([]runView, len(runs))
	for i, r := range runs {
		van := f.vans[r.VehicleID]
		rv := runView{Run: r, Van: f.vanName(r.VehicleID), CapacityG: van.CapacityG, Driver: "not assigned"}
		for _, d := range f.drivers {
			if r.DriverID != nil && d.ID == *r.DriverID {
				rv.Driver = d.Name
			}
		}
		var drawn []routeStop
		for j, st := range r.Stops {
			rv.PeakG = max(rv.PeakG, st.LoadG)
			sv := stopView{RunStop: st, Arrive: clock(st.ArriveAt), Leave: clock(st.DepartAt), MapURL: mapLink(places[i][j], st.Details)}
			rv.Stops = append(rv.Stops, sv)
			drawn = append(drawn, routeStop{At: places[i][j], Seq: st.Sequence, Trip: st.Trip})
		}
		rv.Over = rv.PeakG > van.CapacityG
		rv.Map = routeSVG(fmt.Sprintf("Plan of the run of %s on %s: the depot D and %d %s in order", rv.Van, ukDay(s.Config.Location, r.Day),
			len(r.Stops), plural(len(r.Stops), "stop", "stops")), depot, drawn)
		out[i] = rv
	}
	return out, nil
}

// mapLink opens a stop in a map on another site: at its coordinates, or else a search
// for its address.
func mapLink(p models.Place, d *models.StopDetails) string {
	if p.Known {
		return fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f#map=17/%.5f/%.5f", p.Lat, p.Lon, p.Lat, p.Lon)
	}
	if d == nil {
		return ""
	}
	return "https://www.openstreetmap.org/search?query=" + url.QueryEscape(strings.TrimSpace(d.Address+" "+d.Postcode))
}

// planDay is the planning page: the form to preview a day, and the runs the day has.
type planDay struct {
	Day  models.Date
	Vans []vanChoice
	Runs []runView
}

type vanChoice struct {
	models.Vehicle
	Checked bool
	Busy    bool // it has a run that day already, so planning leaves it out
}

func (s *Server) plansPage(c echo.Context) error {
	ctx := c.Request().Context()
	q := query{c: c}
	day := q.date("date")
	if q.err != nil {
		return q.err
	}
	if day == nil {
		next, err := s.Store.NextWorkingDay(ctx, s.today())
		if err != nil {
			return err
		}
		day = &next
	}
	pageView(c).Form.Set("date", day.String())
	return s.showPlanDay(c, http.StatusOK, *day)
}

func (s *Server) showPlanDay(c echo.Context, status int, day models.Date) error {
	ctx := c.Request().Context()
	f, err := s.fleet(ctx)
	if err != nil {
		return err
	}
	runs, _, err := s.Store.ListRuns(ctx, models.RunFilter{Day: &day, Sort: "date"}, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return err
	}
	pd := planDay{Day: day}
	if pd.Runs, err = s.runViews(ctx, f, runs); err != nil {
		return err
	}
	chosen := pageView(c).Form["vehicle_id"]
	for _, v := range f.vans {
		if v.Active {
			busy := slices.ContainsFunc(runs, func(r models.Run) bool { return r.VehicleID == v.ID })
			pd.Vans = append(pd.Vans, vanChoice{Vehicle: v, Checked: slices.Contains(chosen, strconv.FormatInt(v.ID, 10)), Busy: busy})
		}
	}
	slices.SortFunc(pd.Vans, func(a, b vanChoice) int { return cmp.Compare(a.Name, b.Name) })
	return s.render(c, status, "plans", "Plan the runs", pd)
}

// previewPlanPage previews a day's plan for the vans ticked (all that work, if none).
func (s *Server) previewPlanPage(c echo.Context) error {
	var p models.Problems
	day := formDate(&p, c, "date")
	if c.FormValue("date") == "" {
		p.Add("date", "Choose the day to plan")
	}
	form, _ := c.FormParams()
	var ids []int64
	for _, raw := range form["vehicle_id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("van %q: %w", raw, models.ErrNotFound)
		}
		ids = append(ids, id)
	}
	err := p.Err()
	if err == nil {
		var res *models.PlanResult
		res, err = s.Store.PlanDay(c.Request().Context(), currentUser(c), models.PlanRequest{Day: day, VehicleIDs: ids, DryRun: true}, s.Config.Planning)
		if err == nil {
			return s.redirect(c, "/plans/preview/"+strconv.FormatInt(res.ID, 10), "")
		}
	}
	if err := formProblems(c, err); err != nil {
		return err
	}
	if day.IsZero() {
		day = s.today()
	}
	return s.showPlanDay(c, http.StatusUnprocessableEntity, day)
}

// planPreview is a previewed (or made) plan.
type planPreview struct {
	Plan    *models.PlanResult
	Runs    []runView
	Expires string
}

func (s *Server) planPreviewPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	res, err := s.Store.PreviewedPlan(ctx, id)
	if err != nil {
		return err
	}
	f, err := s.fleet(ctx)
	if err != nil {
		return err
	}
	pv := planPreview{Plan: res, Expires: res.ExpiresAt.In(s.Config.Location).Format("15:04")}
	if pv.Runs, err = s.runViews(ctx, f, res.Runs); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "plan_preview", "Plan for "+ukDay(s.Config.Location, res.Date), pv)
}

func (s *Server) commitPlanPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	res, err := s.Store.CommitPlan(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	n := len(res.Runs)
	return s.redirect(c, "/plans?date="+res.Date.String(), fmt.Sprintf("The plan is made: %d %s on %s.", n, plural(n, "run", "runs"),
		ukDay(s.Config.Location, res.Date)))
}

// runPlan is one run's page: the run, the day's other runs to move a stop to, the
// requests that could be added, and the drivers.
type runPlan struct {
	runView
	DayRuns  []runView
	Requests []models.PickupRequest
	Drivers  []models.User
	DriverID int64 // the driver's, or 0
}

func (s *Server) runPlanPage(c echo.Context) error {
	return s.showRunPlan(c, http.StatusOK)
}

func (s *Server) showRunPlan(c echo.Context, status int) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.Store.GetRun(ctx, currentUser(c), id)
	if err != nil {
		return err
	}
	f, err := s.fleet(ctx)
	if err != nil {
		return err
	}
	views, err := s.runViews(ctx, f, []models.Run{*r})
	if err != nil {
		return err
	}
	rp := runPlan{runView: views[0], Drivers: f.drivers}
	if r.DriverID != nil {
		rp.DriverID = *r.DriverID
	}
	others, _, err := s.Store.ListRuns(ctx, models.RunFilter{Day: &r.Day, Sort: "date"}, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return err
	}
	for _, o := range others {
		rp.DayRuns = append(rp.DayRuns, runView{Run: o, Van: f.vanName(o.VehicleID)})
	}
	if rp.Requests, _, err = s.Store.ListPickups(ctx, models.PickupFilter{Status: models.PickupAccepted, On: &r.Day},
		models.Page{Limit: models.MaxLimit}); err != nil {
		return err
	}
	return s.render(c, status, "plan_run", "Run of "+rp.Van+" on "+ukDay(s.Config.Location, r.Day), rp)
}

// changeStopsPage moves a stop (to this run or another, at a position), takes one off,
// or adds a request; a change the run cannot take is refused with the reason, unless
// the manager ticks to do it anyway.
func (s *Server) changeStopsPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var p models.Problems
	num := func(name string) int64 {
		raw := strings.TrimSpace(c.FormValue(name))
		if raw == "" {
			return 0
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 {
			p.Add(name, "must be a whole number, such as 2")
		}
		return n
	}
	ch := models.StopChange{StopID: num("stop_id"), RequestID: num("request_id"), RunID: num("run_id"), Position: int(num("position")),
		Remove: c.FormValue("remove") != "", Force: c.FormValue("force") != ""}
	if ch.RunID == 0 {
		ch.RunID = id
	}
	err = p.Err()
	if err == nil {
		_, err = s.Store.ChangeStops(c.Request().Context(), currentUser(c), ch, s.Config.Planning)
	}
	var ce *models.ConflictError
	switch {
	case err == nil:
		return s.redirect(c, "/plans/runs/"+strconv.FormatInt(id, 10), stopChanged(ch))
	case errors.As(err, &ce):
		pageView(c).Message = "Not changed: " + strings.TrimSuffix(ce.Detail, "; send force to do it anyway") +
			". To do it anyway, tick \u201cDo it even if the run breaks a rule\u201d and send it again."
		return s.showRunPlan(c, http.StatusConflict)
	}
	if err := formProblems(c, err); err != nil {
		return err
	}
	return s.showRunPlan(c, http.StatusUnprocessableEntity)
}

// stopChanged says what a change did, for the flash message.
func stopChanged(ch models.StopChange) string {
	msg := "The stop is moved."
	switch {
	case ch.Remove:
		msg = "The stop is taken off the run; its request waits for another run."
	case ch.RequestID != 0:
		msg = "The request is added to the run."
	}
	if ch.Force {
		msg += " It breaks a rule of the run: check the times before the van goes."
	}
	return msg
}

func (s *Server) assignDriverPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	driver, perr := strconv.ParseInt(c.FormValue("driver_id"), 10, 64)
	if perr != nil {
		err = models.Invalid("driver_id", "Choose a driver")
	} else {
		var r *models.Run
		if r, err = s.Store.AssignDriver(c.Request().Context(), currentUser(c), id, driver); err == nil {
			return s.redirect(c, "/plans/runs/"+strconv.FormatInt(r.ID, 10), "The driver is assigned.")
		}
	}
	var ce *models.ConflictError
	if errors.As(err, &ce) {
		pageView(c).Message = "Not assigned: " + ce.Detail + "."
		return s.showRunPlan(c, http.StatusConflict)
	}
	if err := formProblems(c, err); err != nil {
		return err
	}
	return s.showRunPlan(c, http.StatusUnprocessableEntity)
}
