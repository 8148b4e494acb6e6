package api

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The drivers' pages, for a phone in a van: today's run, its stops in order, and the
// start, each stop completed or missed, and the finish. Each action is a plain form
// that posts and redirects; driver.js keeps the actions made without a signal on the
// phone and sends them, each with an Idempotency-Key, when the signal returns, so the
// actions are wrapped in the API's idempotency middleware and answer JSON to it.

func (s *Server) driverPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/driver", staffDriver, s.driverHomePage},
		{http.MethodGet, "/driver/runs/:id", staffDriver, s.driverRunPage},
		{http.MethodGet, "/driver/sw.js", nil, s.driverWorker},
		{http.MethodPost, "/driver/runs/:id/start", staffDriver, s.idempotent(s.startRunPage)},
		{http.MethodPost, "/driver/runs/:id/finish", staffDriver, s.idempotent(s.finishRunPage)},
		{http.MethodPost, "/driver/stops/:id/complete", staffDriver, s.idempotent(s.completeStopPage)},
		{http.MethodPost, "/driver/stops/:id/miss", staffDriver, s.idempotent(s.missStopPage)},
	}
}

// driverHome lists the signed-in driver's runs today and tomorrow.
type driverHome struct {
	Today, Tomorrow []models.Run
}

func (s *Server) driverHomePage(c echo.Context) error {
	var home driverHome
	today := s.today()
	for _, d := range []struct {
		day  models.Date
		runs *[]models.Run
	}{{today, &home.Today}, {today.AddDays(1), &home.Tomorrow}} {
		runs, _, err := s.Store.ListRuns(c.Request().Context(), models.RunFilter{Day: &d.day, DriverID: currentUser(c).ID}, models.Page{Limit: 10})
		if err != nil {
			return err
		}
		*d.runs = runs
	}
	return s.render(c, http.StatusOK, "driver", "Your runs", home)
}

// driverWorker serves the service worker that keeps the run page for a dead spot. It
// lives under /driver/ but looks after the whole site, so that signing out anywhere
// clears what it kept.
func (s *Server) driverWorker(c echo.Context) error {
	c.Response().Header().Set("Service-Worker-Allowed", "/")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", s.site.files[path.Base(s.site.assets["driver-sw.js"])])
}

// driverRunView is the run page: the run, its stops as the driver needs them, and what the
// completion form offers.
type driverRunView struct {
	Run        *models.Run
	Today      bool
	Stops      []driverStopView
	Categories []models.CategoryName
	Locations  []models.Location
	Left       int    // stops still to do
	Failed     string // the prefix of the form whose problems are shown
}

// driverStopView is a stop with its call and map links and its planned time.
type driverStopView struct {
	models.RunStop
	Planned string
	Tel     template.URL
	Map     string
	Open    bool // may still be completed or missed
	Next    bool // the first stop still to do
}

var notDialled = regexp.MustCompile(`[^0-9+]`)

func (s *Server) driverRunPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showRun(c, id, http.StatusOK, "")
}

// showRun draws a run's page, with the problems of a form if there are any.
func (s *Server) showRun(c echo.Context, id int64, status int, failed string) error {
	ctx := c.Request().Context()
	r, err := s.Store.GetRun(ctx, currentUser(c), id)
	if err != nil {
		return err
	}
	cats, _, err := s.Store.CategoryNames(ctx, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return err
	}
	active := true
	locs, _, err := s.Store.ListLocations(ctx, &active, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return err
	}
	rv := driverRunView{Run: r, Today: r.Day == s.today(), Categories: cats, Locations: locs, Failed: failed}
	loc := s.Config.Location
	for _, st := range r.Stops {
		sv := driverStopView{RunStop: st, Open: st.Status == models.StopPlanned && r.Status != models.RunFinished,
			Planned: st.StartAt.In(loc).Format("15:04") + " to " + st.DepartAt.In(loc).Format("15:04")}
		if d := st.Details; d != nil {
			if tel := notDialled.ReplaceAllString(d.Phone, ""); tel != "" {
				// Only digits and + are left, so the link cannot be anything but a call.
				sv.Tel = template.URL("tel:" + tel)
			}
			sv.Map = "https://www.openstreetmap.org/search?query=" + url.QueryEscape(strings.Trim(d.Address+", "+d.Postcode, ", "))
		}
		if sv.Open {
			sv.Next = rv.Left == 0
			rv.Left++
		}
		rv.Stops = append(rv.Stops, sv)
	}
	title := "Run on " + ukDay(loc, r.Day)
	if rv.Today {
		title = "Today's run"
	}
	return s.render(c, status, "driver_run", title, rv)
}

// odometer reads a form's odometer reading: none when blank, for the Store to ask for.
func odometer(c echo.Context, name string) (*float64, error) {
	raw := strings.TrimSpace(c.FormValue(name))
	if raw == "" {
		return nil, nil
	}
	km, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return nil, models.Invalid("odometer_km", "give the reading in km as a number, like 48123")
	}
	return &km, nil
}

func (s *Server) startRunPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	km, err := odometer(c, "start-odometer_km")
	if err == nil {
		var r *models.Run
		if r, err = s.Store.StartRun(c.Request().Context(), currentUser(c), id, km); err == nil {
			return s.driverDone(c, r, fmt.Sprintf("/driver/runs/%d", id), "Run started. Drive safely.")
		}
	}
	return s.driverFailed(c, id, "start", err, nil)
}

func (s *Server) finishRunPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in := models.RunFinish{ConfirmKm: c.FormValue("finish-confirm_km") != "", MissOpenStops: c.FormValue("finish-miss_open_stops") != ""}
	if in.OdometerKm, err = odometer(c, "finish-odometer_km"); err == nil {
		var r *models.Run
		if r, err = s.Store.FinishRun(c.Request().Context(), currentUser(c), id, in); err == nil {
			return s.driverDone(c, r, fmt.Sprintf("/driver/runs/%d", id), "Run finished. Thank you.")
		}
	}
	return s.driverFailed(c, id, "finish", err, nil)
}

// completeStopPage records what a stop gave: a weight in kg for each category that
// came; blank or 0 means none of it.
func (s *Server) completeStopPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	prefix := fmt.Sprintf("s%d", id)
	ctx := c.Request().Context()
	cats, _, err := s.Store.CategoryNames(ctx, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return err
	}
	var lines []models.DonationLineInput
	var fields []stopLine
	var p models.Problems
	for _, cat := range cats {
		name := fmt.Sprintf("kg_%d", cat.ID)
		raw := strings.TrimSpace(c.FormValue(prefix + "-" + name))
		if raw == "" {
			continue
		}
		w, perr := strconv.ParseFloat(raw, 64)
		switch {
		case perr != nil:
			p.Add(name, "Give the weight of %s in kg as a number, like 12.5", cat.Name)
		case w != 0:
			lines = append(lines, models.DonationLineInput{CategoryID: &cat.ID, Description: cat.Name, Quantity: w, Unit: "kg", WeightKg: &w})
			fields = append(fields, stopLine{name, cat.Name})
		}
	}
	locationID, _ := strconv.ParseInt(c.FormValue(prefix+"-location_id"), 10, 64)
	err = p.Err()
	if err == nil {
		var st *models.RunStop
		if st, err = s.Store.CompleteStop(ctx, currentUser(c), id, lines, locationID); err == nil {
			var total float64
			for _, l := range lines {
				total += *l.WeightKg
			}
			return s.driverDone(c, st, stopAddress(st), fmt.Sprintf("Stop %d done: %s collected.", st.Sequence, kg(total)))
		}
	}
	return s.driverFailed(c, s.formRun(c), prefix, err, fields)
}

func (s *Server) missStopPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	prefix := fmt.Sprintf("s%d", id)
	st, err := s.Store.MissStop(c.Request().Context(), currentUser(c), id, c.FormValue(prefix+"-reason"))
	if err != nil {
		return s.driverFailed(c, s.formRun(c), prefix, err, nil)
	}
	return s.driverDone(c, st, stopAddress(st), fmt.Sprintf("Stop %d marked as missed.", st.Sequence))
}

// formRun is the run a stop's form was on, to draw again with its problems; the Store
// checks that the driver may see it.
func (s *Server) formRun(c echo.Context) int64 {
	id, _ := strconv.ParseInt(c.FormValue("run"), 10, 64)
	return id
}

func stopAddress(st *models.RunStop) string {
	return fmt.Sprintf("/driver/runs/%d#stop-%d", st.RunID, st.ID)
}

// wantsJSON is true for driver.js sending an action it kept: it reads the result, not
// a page.
func wantsJSON(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON)
}

// driverDone ends an action: the changed object for driver.js, else a redirect.
func (s *Server) driverDone(c echo.Context, changed any, to, flash string) error {
	if wantsJSON(c) {
		return c.JSON(http.StatusOK, changed)
	}
	return s.redirect(c, to, flash)
}

// stopLine is the form field a completion's line came from, and its category's name.
type stopLine struct{ field, label string }

// driverFailed shows an action's problems on the run page, next to the fields of the
// form they belong to (named with its prefix; lines[i] is the category field of line
// i); driver.js gets them as problem+json.
func (s *Server) driverFailed(c echo.Context, runID int64, prefix string, err error, lines []stopLine) error {
	if wantsJSON(c) {
		return err
	}
	v := pageView(c)
	status := http.StatusUnprocessableEntity
	var ve *models.ValidationError
	var ce *models.ConflictError
	switch {
	case errors.As(err, &ve):
		renamed := &models.ValidationError{}
		for _, fe := range ve.Errors {
			field, msg := fe.Field, readable(fe)
			if i, rest, ok := strings.Cut(strings.TrimPrefix(field, "lines["), "]."); ok && strings.HasPrefix(field, "lines[") {
				if n, aerr := strconv.Atoi(i); aerr == nil && n < len(lines) {
					field, msg = lines[n].field, lines[n].label+": "+strings.ReplaceAll(rest, "_", " ")+" "+fe.Message
				}
			}
			fe.Field, fe.Message = prefix+"-"+field, msg
			renamed.Errors = append(renamed.Errors, fe)
		}
		if ferr := formProblems(c, renamed); ferr != nil {
			return ferr
		}
	case errors.As(err, &ce):
		status, v.Message = http.StatusConflict, ce.Detail
	default:
		return err
	}
	if runID == 0 {
		return err
	}
	return s.showRun(c, runID, status, prefix)
}
