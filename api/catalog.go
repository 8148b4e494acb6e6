package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

type categoryRequest struct {
	Name          string             `json:"name" validate:"required,max=100"`
	DefaultUnit   string             `json:"default_unit" validate:"required"`
	UnitWeightsKg map[string]float64 `json:"unit_weights_kg"`
	CO2eKgPerKg   *float64           `json:"co2e_kg_per_kg" validate:"required"`
	CO2eSource    *string            `json:"co2e_source" validate:"required"`
	FactorFrom    *models.Date       `json:"factor_effective_from"`
	Diverted      *bool              `json:"diverted"`
	MinStockKg    *float64           `json:"min_stock_kg"`
}

type categoryPatch struct {
	Name          *string            `json:"name" validate:"omitempty,max=100"`
	DefaultUnit   *string            `json:"default_unit"`
	UnitWeightsKg map[string]float64 `json:"unit_weights_kg"`
	Diverted      *bool              `json:"diverted"`
	MinStockKg    *float64           `json:"min_stock_kg"`
}

type factorRequest struct {
	CO2eKgPerKg   float64     `json:"co2e_kg_per_kg"`
	Source        string      `json:"source" validate:"required,max=500"`
	EffectiveFrom models.Date `json:"effective_from" validate:"required"`
}

type locationRequest struct {
	Code   *string `json:"code" validate:"omitempty,max=20"`
	Name   *string `json:"name" validate:"omitempty,max=100"`
	Kind   *string `json:"kind"`
	Active *bool   `json:"active"`
}

type donorRequest struct {
	Name         *string              `json:"name" validate:"omitempty,max=200"`
	ContactName  *string              `json:"contact_name" validate:"omitempty,max=200"`
	Email        *string              `json:"email" validate:"omitempty,max=254"`
	Phone        *string              `json:"phone" validate:"omitempty,max=40"`
	Address      *string              `json:"address" validate:"omitempty,max=500"`
	Postcode     *string              `json:"postcode" validate:"omitempty,max=10"`
	Latitude     *float64             `json:"latitude"`
	Longitude    *float64             `json:"longitude"`
	OpeningHours *models.OpeningHours `json:"opening_hours"`
	Notes        *string              `json:"notes" validate:"omitempty,max=2000"`
	Active       *bool                `json:"active"`
}

func (r donorRequest) input() models.DonorInput {
	return models.DonorInput{Name: r.Name, ContactName: r.ContactName, Email: r.Email, Phone: r.Phone, Address: r.Address, Postcode: r.Postcode,
		Notes: r.Notes, Latitude: r.Latitude, Longitude: r.Longitude, OpeningHours: r.OpeningHours, Active: r.Active}
}

func (s *Server) listCategories(c echo.Context) error {
	page := queryOf[paging](c).page()
	list, next, err := s.Store.ListCategories(c.Request().Context(), page, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createCategory(c echo.Context) error {
	var req categoryRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	v, err := s.Store.CreateCategory(c.Request().Context(), currentUser(c), models.CategoryInput{
		Name: &req.Name, DefaultUnit: &req.DefaultUnit, UnitWeightsKg: req.UnitWeightsKg, Diverted: req.Diverted, MinStockKg: req.MinStockKg,
		CO2eKgPerKg: req.CO2eKgPerKg, CO2eSource: req.CO2eSource, FactorFrom: req.FactorFrom,
	}, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) getCategory(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.GetCategory(ctx, id, s.today()) })
}

func (s *Server) updateCategory(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req categoryPatch
	if err := bind(c, &req); err != nil {
		return err
	}
	v, err := s.Store.UpdateCategory(c.Request().Context(), currentUser(c), id, models.CategoryInput{
		Name: req.Name, DefaultUnit: req.DefaultUnit, UnitWeightsKg: req.UnitWeightsKg, Diverted: req.Diverted, MinStockKg: req.MinStockKg,
	}, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) addFactor(c echo.Context) error {
	return answerAction(c, http.StatusCreated, false, func(ctx context.Context, id int64, req factorRequest) (any, error) {
		return s.Store.AddFactor(ctx, currentUser(c), id, req.CO2eKgPerKg, req.Source, req.EffectiveFrom, s.today())
	})
}

func (s *Server) listLocations(c echo.Context) error {
	q := queryOf[activeQuery](c)
	list, next, err := s.Store.ListLocations(c.Request().Context(), q.Active, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createLocation(c echo.Context) error {
	var req locationRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	l, err := s.Store.CreateLocation(c.Request().Context(), currentUser(c), models.LocationInput{Code: req.Code, Name: req.Name, Kind: req.Kind})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, l)
}

func (s *Server) updateLocation(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req locationRequest) (any, error) {
		return s.Store.UpdateLocation(ctx, currentUser(c), id, models.LocationInput(req))
	})
}

func (s *Server) listDonors(c echo.Context) error {
	q := queryOf[donorsQuery](c)
	list, next, err := s.Store.ListDonors(c.Request().Context(), q.Q, q.Active, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createDonor(c echo.Context) error {
	var req donorRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return models.Invalid("name", "is required")
	}
	d, err := s.Store.CreateDonor(c.Request().Context(), currentUser(c), req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) getDonor(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.Donor(ctx, id) })
}

func (s *Server) updateDonor(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req donorRequest) (any, error) {
		return s.Store.UpdateDonor(ctx, currentUser(c), id, req.input())
	})
}

func (s *Server) donorImpact(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	year := queryOf[yearQuery](c).Year
	if year == 0 {
		year = s.today().Year()
	}
	imp, err := s.Store.DonorImpact(c.Request().Context(), id, year, s.Config.Location)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, imp)
}
