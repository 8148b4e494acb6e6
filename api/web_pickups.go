package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// Collections for staff: the queue of pickup requests to accept (with a donor found or
// made from the request, and a priority) or reject with a reason; and the donors, to
// search, add and change, with their opening hours as a weekly grid.

func (s *Server) pickupPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/pickup-requests", staff, s.pickupQueuePage},
		{http.MethodGet, "/pickup-requests/:id", staff, s.pickupRequestPage},
		{http.MethodPost, "/pickup-requests/:id/accept", staff, s.acceptPickupPage},
		{http.MethodPost, "/pickup-requests/:id/reject", staff, s.rejectPickupPage},
		{http.MethodGet, "/donors", staff, s.donorsPage},
		{http.MethodGet, "/donors/new", staff, s.newDonorPage},
		{http.MethodPost, "/donors", staff, s.createDonorPage},
		{http.MethodGet, "/donors/:id", staff, s.donorPage},
		{http.MethodPost, "/donors/:id", staff, s.changeDonorPage},
	}
}

// pickupStatuses are the queue's tabs, the new requests first.
var pickupStatuses = []models.PickupStatus{models.PickupNew, models.PickupAccepted, models.PickupScheduled, models.PickupMissed,
	models.PickupCollected,
	models.PickupCancelled}

type pickupQueueView struct {
	Requests []models.PickupRequest
	Statuses []models.PickupStatus
	Status   models.PickupStatus
	Next     string
}

func (s *Server) pickupQueuePage(c echo.Context) error {
	status := models.PickupStatus(c.QueryParam("status"))
	if status == "" {
		status = models.PickupNew
	}
	pv := pickupQueueView{Statuses: pickupStatuses, Status: status}
	var next string
	var err error
	if pv.Requests, next, err = s.Store.ListPickups(c.Request().Context(), models.PickupFilter{Status: string(status)},
		models.Page{Limit: 50, Cursor: c.QueryParam("cursor")}); err != nil {
		return err
	}
	if next != "" {
		pv.Next = "/pickup-requests?" + url.Values{"status": {string(status)}, "cursor": {next}}.Encode()
	}
	return s.render(c, http.StatusOK, "pickup_requests", "Collection requests", pv)
}

type pickupRequestView struct {
	R          *models.PickupRequest
	Donor      *models.Donor
	Matches    []models.Donor
	Categories map[int64]string
	Open       []openDay
	Priorities []struct{ Value, Label string }
}

// priorities are the choices of a request's priority.
var priorities = []struct{ Value, Label string }{{"1", "1 · normal"}, {"2", "2"}, {"3", "3"}, {"4", "4"}, {"5", "5 · urgent"}}

// openDay is a day of opening hours, for reading.
type openDay struct {
	Name      string
	Intervals []models.Interval
}

// openDays lists the days that have opening hours, Monday first.
func openDays(h models.OpeningHours) []openDay {
	var out []openDay
	for _, d := range weekdayNames {
		if list := h[d.Key]; len(list) > 0 {
			out = append(out, openDay{Name: d.Name, Intervals: list})
		}
	}
	return out
}

func pickupPath(id int64) string { return fmt.Sprintf("/pickup-requests/%d", id) }

func (s *Server) pickupRequestPage(c echo.Context) error {
	return s.showPickupRequest(c, http.StatusOK)
}

func (s *Server) showPickupRequest(c echo.Context, status int) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pv := pickupRequestView{Categories: map[int64]string{}, Priorities: priorities}
	if pv.R, err = s.Store.PickupRequest(ctx, id); err != nil {
		return err
	}
	pv.Open = openDays(pv.R.OpeningHours)
	if pv.R.DonorID != nil {
		if pv.Donor, err = s.Store.Donor(ctx, *pv.R.DonorID); err != nil {
			return err
		}
	}
	// Donors that may be this business: the same postcode, or the name.
	seen := map[int64]bool{}
	for _, q := range []string{pv.R.Postcode, pv.R.BusinessName} {
		list, _, err := s.Store.ListDonors(ctx, q, nil, models.Page{Limit: 10})
		if err != nil {
			return err
		}
		for _, d := range list {
			if !seen[d.ID] {
				seen[d.ID] = true
				pv.Matches = append(pv.Matches, d)
			}
		}
	}
	cats, err := allPages(func(p models.Page) ([]models.CategoryName, string, error) { return s.Store.CategoryNames(ctx, p) })
	if err != nil {
		return err
	}
	for _, cat := range cats {
		pv.Categories[cat.ID] = cat.Name
	}
	v := pageView(c)
	if !v.Form.Has("donor") {
		v.Form.Set("donor", "new")
		if len(pv.Matches) > 0 {
			v.Form.Set("donor", strconv.FormatInt(pv.Matches[0].ID, 10))
		}
		if pv.R.DonorID != nil {
			v.Form.Set("donor", strconv.FormatInt(*pv.R.DonorID, 10))
		}
		v.Form.Set("priority", strconv.Itoa(max(pv.R.Priority, 1)))
	}
	return s.render(c, status, "pickup_request", "Collection request "+pv.R.Reference, pv)
}

// acceptPickupPage accepts a request with the donor chosen: one found, one made from
// the request ("new"), or none ("none").
func (s *Server) acceptPickupPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	in := models.AcceptInput{}
	if in.Priority, err = strconv.Atoi(c.FormValue("priority")); err != nil {
		return s.formRefusal(c, models.Invalid("priority", "Choose a priority"), s.showPickupRequest)
	}
	switch choice := c.FormValue("donor"); choice {
	case "none":
	case "new":
		r, err := s.Store.PickupRequest(ctx, id)
		if err != nil {
			return err
		}
		d, err := s.Store.CreateDonor(ctx, currentUser(c), models.DonorInput{Name: &r.BusinessName, ContactName: &r.ContactName, Email: &r.Email,
			Phone: &r.Phone, Address: &r.Address, Postcode: &r.Postcode, Notes: &r.AccessNotes, OpeningHours: &r.OpeningHours,
			Latitude: r.Latitude, Longitude: r.Longitude})
		if err != nil {
			return s.formRefusal(c, renameFields(err, "name", "donor"), s.showPickupRequest)
		}
		in.DonorID = &d.ID
	default:
		n, err := strconv.ParseInt(choice, 10, 64)
		if err != nil {
			return s.formRefusal(c, models.Invalid("donor", "Choose a donor, a new one, or none"), s.showPickupRequest)
		}
		in.DonorID = &n
	}
	r, err := s.Store.AcceptPickup(ctx, currentUser(c), id, in)
	if err != nil {
		return s.formRefusal(c, renameFields(err, "donor_id", "donor"), s.showPickupRequest)
	}
	msg := "Accepted: ready to plan."
	if r.CoordinatesNeeded {
		msg = "Accepted, but its postcode could not be placed: give the donor coordinates before it can be planned."
	}
	return s.redirect(c, pickupPath(id), msg)
}

func (s *Server) rejectPickupPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.Store.RejectPickup(c.Request().Context(), currentUser(c), id, c.FormValue("reason")); err != nil {
		return s.formRefusal(c, err, s.showPickupRequest)
	}
	return s.redirect(c, "/pickup-requests", "Request rejected; the business sees the reason on its status page.")
}

type donorsView struct {
	Donors []models.Donor
	Next   string
}

func (s *Server) donorsPage(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	pageView(c).Form.Set("q", q)
	dv := donorsView{}
	var next string
	var err error
	if dv.Donors, next, err = s.Store.ListDonors(c.Request().Context(), q, nil, models.Page{Limit: 50, Cursor: c.QueryParam("cursor")}); err != nil {
		return err
	}
	if next != "" {
		dv.Next = "/donors?" + url.Values{"q": {q}, "cursor": {next}}.Encode()
	}
	return s.render(c, http.StatusOK, "donors", "Donors", dv)
}

// weekdayName is a day of the opening hours grid.
type weekdayName struct{ Key, Name string }

var weekdayNames = []weekdayName{{"mon", "Monday"}, {"tue", "Tuesday"}, {"wed", "Wednesday"}, {"thu", "Thursday"}, {"fri", "Friday"},
	{"sat", "Saturday"}, {"sun", "Sunday"}}

// intervalsPerDay is how many opening intervals the grid offers a day: open, and open
// again after a break.
const intervalsPerDay = 2

type donorView struct {
	Donor *models.Donor
	Days  []weekdayName
	Slots []int
}

func (s *Server) newDonorPage(c echo.Context) error { return s.showDonor(c, http.StatusOK) }

func (s *Server) donorPage(c echo.Context) error { return s.showDonor(c, http.StatusOK) }

// showDonor draws the donor form: empty for a new donor, else filled from the donor
// unless the form was sent back with problems.
func (s *Server) showDonor(c echo.Context, status int) error {
	dv := donorView{Days: weekdayNames}
	for i := range intervalsPerDay {
		dv.Slots = append(dv.Slots, i)
	}
	title := "Add a donor"
	v := pageView(c)
	if c.Request().Method == http.MethodPost {
		v.Form, _ = c.FormParams()
	}
	if c.Param("id") != "" {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		if dv.Donor, err = s.Store.Donor(c.Request().Context(), id); err != nil {
			return err
		}
		title = dv.Donor.Name
		if c.Request().Method == http.MethodGet {
			fillDonorForm(v.Form, dv.Donor)
		}
	}
	return s.render(c, status, "donor", title, dv)
}

// fillDonorForm writes a donor into the form's fields.
func fillDonorForm(f url.Values, d *models.Donor) {
	for k, val := range map[string]string{"name": d.Name, "contact_name": d.ContactName, "email": d.Email, "phone": d.Phone,
		"address": d.Address, "postcode": d.Postcode, "notes": d.Notes} {
		f.Set(k, val)
	}
	if d.Active {
		f.Set("active", "yes")
	}
	for day, list := range d.OpeningHours {
		for i, iv := range list {
			if i < intervalsPerDay {
				f.Set(fmt.Sprintf("oh_%s_%d_from", day, i), iv.From)
				f.Set(fmt.Sprintf("oh_%s_%d_to", day, i), iv.To)
			}
		}
	}
}

// donorInput reads the donor form: the fields, and the weekly grid of opening hours.
func donorInput(c echo.Context, editing bool) (models.DonorInput, error) {
	text := func(name string) *string { v := c.FormValue(name); return &v }
	in := models.DonorInput{Name: text("name"), ContactName: text("contact_name"), Email: text("email"), Phone: text("phone"),
		Address: text("address"), Postcode: text("postcode"), Notes: text("notes")}
	if editing {
		active := c.FormValue("active") == "yes"
		in.Active = &active
	}
	hours := models.OpeningHours{}
	var p models.Problems
	for _, day := range weekdayNames {
		for i := range intervalsPerDay {
			from := strings.TrimSpace(c.FormValue(fmt.Sprintf("oh_%s_%d_from", day.Key, i)))
			to := strings.TrimSpace(c.FormValue(fmt.Sprintf("oh_%s_%d_to", day.Key, i)))
			switch {
			case from == "" && to == "":
			case from == "" || to == "":
				p.Add(fmt.Sprintf("opening_hours.%s[%d]", day.Key, i), "%s: give the time it opens and the time it closes", day.Name)
			default:
				hours[day.Key] = append(hours[day.Key], models.Interval{From: from, To: to})
			}
		}
	}
	in.OpeningHours = &hours
	return in, p.Err()
}

func (s *Server) createDonorPage(c echo.Context) error {
	in, err := donorInput(c, false)
	var d *models.Donor
	if err == nil {
		d, err = s.Store.CreateDonor(c.Request().Context(), currentUser(c), in)
	}
	if err != nil {
		return s.formRefusal(c, err, s.showDonor)
	}
	return s.redirect(c, fmt.Sprintf("/donors/%d", d.ID), "Donor added.")
}

func (s *Server) changeDonorPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in, err := donorInput(c, true)
	if err == nil {
		_, err = s.Store.UpdateDonor(c.Request().Context(), currentUser(c), id, in)
	}
	if err != nil {
		return s.formRefusal(c, err, s.showDonor)
	}
	return s.redirect(c, fmt.Sprintf("/donors/%d", id), "Your changes are saved.")
}
