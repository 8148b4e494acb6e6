package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// factorRequest is the body of AddFactor, whose rules are in models.
type factorRequest struct {
	CO2eKgPerKg   float64     `json:"co2e_kg_per_kg"`
	Source        string      `json:"source"`
	EffectiveFrom models.Date `json:"effective_from"`
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
	var in models.CategoryInput
	if err := bind(c, &in); err != nil {
		return err
	}
	v, err := s.Store.CreateCategory(c.Request().Context(), currentUser(c), in, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) getCategory(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.GetCategory(ctx, id, s.today()) })
}

func (s *Server) updateCategory(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, in models.CategoryInput) (any, error) {
		return s.Store.UpdateCategory(ctx, currentUser(c), id, in, s.today())
	})
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
	var in models.LocationInput
	if err := bind(c, &in); err != nil {
		return err
	}
	l, err := s.Store.CreateLocation(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, l)
}

func (s *Server) updateLocation(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, in models.LocationInput) (any, error) {
		return s.Store.UpdateLocation(ctx, currentUser(c), id, in)
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
	var in models.DonorInput
	if err := bind(c, &in); err != nil {
		return err
	}
	d, err := s.Store.CreateDonor(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) getDonor(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.Donor(ctx, id) })
}

func (s *Server) updateDonor(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, in models.DonorInput) (any, error) {
		return s.Store.UpdateDonor(ctx, currentUser(c), id, in)
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
