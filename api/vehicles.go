package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// absenceRequest is the body of AddDriverAbsence, whose rules are in models.
type absenceRequest struct {
	Day    models.Date `json:"day"`
	Reason string      `json:"reason"`
}

func (s *Server) listVehicles(c echo.Context) error {
	q := queryOf[activeQuery](c)
	list, next, err := s.Store.Vehicles(c.Request().Context(), q.Active, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createVehicle(c echo.Context) error {
	var in models.VehicleInput
	if err := bind(c, &in); err != nil {
		return err
	}
	v, err := s.Store.CreateVehicle(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) updateVehicle(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, in models.VehicleInput) (any, error) {
		return s.Store.UpdateVehicle(ctx, currentUser(c), id, in)
	})
}

func (s *Server) listAbsences(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	q := queryOf[fromTodayQuery](c)
	list, next, err := s.Store.DriverAbsences(c.Request().Context(), id, s.dayOr(q.From), q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) addAbsence(c echo.Context) error {
	return answerAction(c, http.StatusCreated, false, func(ctx context.Context, id int64, req absenceRequest) (any, error) {
		return s.Store.AddDriverAbsence(ctx, currentUser(c), id, req.Day, req.Reason)
	})
}
