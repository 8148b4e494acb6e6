package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// Volunteers' time. A signed-in user logs their own hours on the volunteer record that
// has their email (Store.VolunteerOf); staff see everyone's hours and correct them.

func (s *Server) hoursPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/hours", staffDriver, s.ownHoursPage},
		{http.MethodPost, "/hours", staffDriver, s.logOwnHours},
		{http.MethodGet, "/volunteer-hours", staff, s.volunteerHoursPage},
		{http.MethodGet, "/volunteer-hours/:id", staff, s.hoursEntryPage},
		{http.MethodPost, "/volunteer-hours/:id", staff, s.correctHoursPage},
	}
}

type ownHoursView struct {
	Volunteer  *models.Volunteer
	Hours      []models.VolunteerHours
	Credits    float64
	Activities []string
	Next       string
}

func (s *Server) ownHoursPage(c echo.Context) error { return s.showOwnHours(c, http.StatusOK) }

func (s *Server) showOwnHours(c echo.Context, status int) error {
	ctx := c.Request().Context()
	v := pageView(c)
	hv := ownHoursView{Activities: models.Activities}
	vol, err := s.Store.VolunteerOf(ctx, currentUser(c))
	if errors.Is(err, models.ErrNotFound) {
		return s.render(c, status, "hours", "Your hours", hv)
	}
	if err != nil {
		return err
	}
	hv.Volunteer = vol
	var next string
	if hv.Hours, next, err = s.Store.ListHours(ctx, models.HoursFilter{VolunteerID: vol.ID}, models.Page{Limit: 25,
		Cursor: c.QueryParam("cursor")}); err != nil {
		return err
	}
	if next != "" {
		hv.Next = "/hours?cursor=" + url.QueryEscape(next)
	}
	tb, err := s.Store.VolunteerTimebank(ctx, vol.ID, models.Page{Limit: 1})
	if err != nil {
		return err
	}
	hv.Credits = tb.Account.BalanceQuarters.Hours()
	if !v.Form.Has("date") {
		v.Form.Set("date", s.today().String())
	}
	return s.render(c, status, "hours", "Your hours", hv)
}

// formHours reads the hours and activity typed on a form.
func formHours(c echo.Context) (float64, string, error) {
	hours, err := strconv.ParseFloat(strings.TrimSpace(c.FormValue("hours")), 64)
	if err != nil {
		return 0, "", models.Invalid("hours", "Enter the hours as a number, such as 3 or 2.5")
	}
	return hours, c.FormValue("activity"), nil
}

func (s *Server) logOwnHours(c echo.Context) error {
	ctx := c.Request().Context()
	vol, err := s.Store.VolunteerOf(ctx, currentUser(c))
	if err != nil {
		return err
	}
	hours, activity, err := formHours(c)
	if err == nil {
		var day models.Date
		if day, err = models.ParseDate(c.FormValue("date")); err != nil {
			err = models.Invalid("date", "Enter the day, such as 2026-11-26")
		} else {
			_, err = s.Store.LogHours(ctx, currentUser(c), vol.ID, day, hours, activity, s.today())
		}
	}
	if err != nil {
		return s.formRefusal(c, err, s.showOwnHours)
	}
	return s.redirect(c, "/hours", fmt.Sprintf("Thank you: %s hours logged.", quantity(hours)))
}

type volunteerHoursView struct {
	Hours      []models.VolunteerHours
	Volunteers []models.Volunteer
	Names      map[int64]string
	Next       string
}

func (s *Server) volunteerHoursPage(c echo.Context) error {
	ctx := c.Request().Context()
	v := pageView(c)
	q := query{c: c}
	f := models.HoursFilter{VolunteerID: q.int64("volunteer_id"), From: q.date("from"), To: q.date("to")}
	kept := url.Values{}
	for _, k := range []string{"volunteer_id", "from", "to"} {
		if val := c.QueryParam(k); val != "" {
			kept.Set(k, val)
		}
	}
	v.Form = kept
	if q.err != nil {
		return q.err
	}
	hv := volunteerHoursView{Names: map[int64]string{}}
	var err error
	if hv.Volunteers, err = allPages(func(p models.Page) ([]models.Volunteer, string, error) { return s.Store.ListVolunteers(ctx, "", p) }); err != nil {
		return err
	}
	for _, vol := range hv.Volunteers {
		hv.Names[vol.ID] = vol.Name
	}
	var next string
	if hv.Hours, next, err = s.Store.ListHours(ctx, f, models.Page{Limit: 50, Cursor: c.QueryParam("cursor")}); err != nil {
		return err
	}
	if next != "" {
		kept.Set("cursor", next)
		hv.Next = "/volunteer-hours?" + kept.Encode()
	}
	return s.render(c, http.StatusOK, "volunteer_hours", "Volunteers' hours", hv)
}

type hoursEntryView struct {
	Entry      *models.VolunteerHours
	Volunteer  *models.Volunteer
	Activities []string
}

func (s *Server) hoursEntryPage(c echo.Context) error { return s.showHoursEntry(c, http.StatusOK) }

func (s *Server) showHoursEntry(c echo.Context, status int) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	hv := hoursEntryView{Activities: models.Activities}
	if hv.Entry, err = s.Store.Hours(ctx, id); err != nil {
		return err
	}
	if hv.Volunteer, err = s.Store.GetVolunteer(ctx, hv.Entry.VolunteerID); err != nil {
		return err
	}
	v := pageView(c)
	if !v.Form.Has("hours") {
		v.Form.Set("hours", hv.Entry.Quarters.String())
		v.Form.Set("activity", hv.Entry.Activity)
	}
	return s.render(c, status, "hours_entry", "Correct hours", hv)
}

func (s *Server) correctHoursPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	hours, activity, err := formHours(c)
	var h *models.VolunteerHours
	if err == nil {
		h, err = s.Store.CorrectHours(c.Request().Context(), currentUser(c), id, hours, activity)
	}
	if err != nil {
		return s.formRefusal(c, err, s.showHoursEntry)
	}
	return s.redirect(c, fmt.Sprintf("/volunteer-hours?volunteer_id=%d", h.VolunteerID), "The hours are corrected.")
}

// allPages reads every page of a list.
func allPages[T any](list func(models.Page) ([]T, string, error)) ([]T, error) {
	var all []T
	page := models.Page{Limit: models.MaxLimit}
	for {
		items, next, err := list(page)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		page.Cursor = next
	}
}
