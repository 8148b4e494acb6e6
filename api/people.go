package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The bodies of Store methods that take their values one by one; the rules are in
// models.

type hoursRequest struct {
	VolunteerID int64       `json:"volunteer_id"`
	Date        models.Date `json:"date"`
	Hours       float64     `json:"hours"`
	Activity    string      `json:"activity"`
}

type hoursCorrection struct {
	Hours    float64 `json:"hours"`
	Activity string  `json:"activity"`
}

type transferRequest struct {
	FromAccount int64   `json:"from_account"`
	ToAccount   int64   `json:"to_account"`
	Credits     float64 `json:"credits"`
	Note        string  `json:"note"`
}

type workshopRequest struct {
	Title    string    `json:"title"`
	Kind     string    `json:"kind"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Leader   string    `json:"leader"`
	Places   int       `json:"places"`
}

type attendeeRequest struct {
	Name           string `json:"name"`
	OrganisationID *int64 `json:"organisation_id"`
}

func (s *Server) listVolunteers(c echo.Context) error {
	q := queryOf[volunteersQuery](c)
	list, next, err := s.Store.ListVolunteers(c.Request().Context(), q.Kind, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createVolunteer(c echo.Context) error {
	var in models.VolunteerInput
	if err := bind(c, &in); err != nil {
		return err
	}
	v, err := s.Store.CreateVolunteer(c.Request().Context(), currentUser(c), in, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) getVolunteer(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.GetVolunteer(ctx, id) })
}

func (s *Server) volunteerTimebank(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	page := queryOf[paging](c).page()
	tb, err := s.Store.VolunteerTimebank(c.Request().Context(), id, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tb)
}

func (s *Server) logHours(c echo.Context) error {
	var req hoursRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	h, err := s.Store.LogHours(c.Request().Context(), currentUser(c), req.VolunteerID, req.Date, req.Hours, req.Activity, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, h)
}

func (s *Server) correctHours(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req hoursCorrection) (any, error) {
		return s.Store.CorrectHours(ctx, currentUser(c), id, req.Hours, req.Activity)
	})
}

func (s *Server) listHours(c echo.Context) error {
	q := queryOf[hoursQuery](c)
	f := models.HoursFilter{VolunteerID: q.VolunteerID, From: q.From, To: q.To}
	list, next, err := s.Store.ListHours(c.Request().Context(), f, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) transferCredits(c echo.Context) error {
	var req transferRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	t, err := s.Store.TransferCredits(c.Request().Context(), currentUser(c), req.FromAccount, req.ToAccount, req.Credits, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) listWorkshops(c echo.Context) error {
	q := queryOf[workshopsQuery](c)
	list, next, err := s.Store.ListWorkshops(c.Request().Context(), s.dayStart(q.From, 0), q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createWorkshop(c echo.Context) error {
	var req workshopRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	w, err := s.Store.CreateWorkshop(c.Request().Context(), currentUser(c), models.Workshop{
		Title: req.Title, Kind: req.Kind, StartsAt: req.StartsAt.UTC(), EndsAt: req.EndsAt.UTC(),
		Leader: req.Leader, Places: req.Places,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, w)
}

func (s *Server) addAttendee(c echo.Context) error {
	return answerAction(c, http.StatusCreated, false, func(ctx context.Context, id int64, req attendeeRequest) (any, error) {
		return s.Store.AddAttendee(ctx, currentUser(c), id, req.Name, req.OrganisationID)
	})
}
