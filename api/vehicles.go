package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

type vehicleRequest struct {
	Name           string                     `json:"name" validate:"required,max=100"`
	Registration   string                     `json:"registration" validate:"required,max=20"`
	CapacityKg     float64                    `json:"capacity_kg" validate:"required"`
	CapacityM3     float64                    `json:"capacity_m3" validate:"required"`
	Skills         []string                   `json:"skills" validate:"max=20"`
	Shifts         map[string]models.Interval `json:"shifts"`
	CostPerKmPence int64                      `json:"cost_per_km_pence"`
	UnloadMinutes  *int                       `json:"unload_minutes"`
}

type vehiclePatch struct {
	Name           *string                     `json:"name" validate:"omitempty,max=100"`
	Registration   *string                     `json:"registration" validate:"omitempty,max=20"`
	CapacityKg     *float64                    `json:"capacity_kg"`
	CapacityM3     *float64                    `json:"capacity_m3"`
	Skills         *[]string                   `json:"skills" validate:"omitempty,max=20"`
	Shifts         *map[string]models.Interval `json:"shifts"`
	CostPerKmPence *int64                      `json:"cost_per_km_pence"`
	UnloadMinutes  *int                        `json:"unload_minutes"`
	Active         *bool                       `json:"active"`
}

type absenceRequest struct {
	Day    models.Date `json:"day" validate:"required"`
	Reason string      `json:"reason" validate:"max=500"`
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
	var req vehicleRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Skills == nil {
		req.Skills = []string{}
	}
	if req.Shifts == nil {
		req.Shifts = map[string]models.Interval{}
	}
	v, err := s.Store.CreateVehicle(c.Request().Context(), currentUser(c), models.VehicleInput{
		Name: &req.Name, Registration: &req.Registration, CapacityKg: &req.CapacityKg, CapacityM3: &req.CapacityM3,
		Skills: &req.Skills, Shifts: &req.Shifts, CostPerKmPence: &req.CostPerKmPence, UnloadMinutes: req.UnloadMinutes,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) updateVehicle(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req vehiclePatch) (any, error) {
		return s.Store.UpdateVehicle(ctx, currentUser(c), id, models.VehicleInput(req))
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
