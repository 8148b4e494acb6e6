package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

type renewalResponse struct {
	Renewal      *models.Renewal      `json:"renewal"`
	Organisation *models.Organisation `json:"organisation"`
}

// bandRequest is the body of CreateBand, whose rules are in models.
type bandRequest struct {
	Name           string  `json:"name"`
	AnnualFeePence int64   `json:"annual_fee_pence"`
	AllowanceKg    float64 `json:"allowance_kg"`
}

func (s *Server) listOrganisations(c echo.Context) error {
	q := queryOf[organisationsQuery](c)
	f := models.OrganisationFilter{Kind: q.Kind, Q: q.Q, Lapsed: q.Lapsed, Today: s.today()}
	list, next, err := s.Store.ListOrganisations(c.Request().Context(), currentUser(c), f, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createOrganisation(c echo.Context) error {
	var in models.OrganisationInput
	if err := bind(c, &in); err != nil {
		return err
	}
	o, err := s.Store.CreateOrganisation(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, o)
}

func (s *Server) getOrganisation(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.Organisation(ctx, currentUser(c), id) })
}

func (s *Server) updateOrganisation(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, in models.OrganisationInput) (any, error) {
		return s.Store.UpdateOrganisation(ctx, currentUser(c), id, in)
	})
}

func (s *Server) renewMembership(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in models.RenewalInput
	if err := bind(c, &in); err != nil {
		return err
	}
	r, o, err := s.Store.RenewMembership(c.Request().Context(), currentUser(c), id, in, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, renewalResponse{Renewal: r, Organisation: o})
}

func (s *Server) listBands(c echo.Context) error {
	page := queryOf[paging](c).page()
	list, next, err := s.Store.Bands(c.Request().Context(), page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createBand(c echo.Context) error {
	var req bandRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	b, err := s.Store.CreateBand(c.Request().Context(), currentUser(c), req.Name, req.AnnualFeePence, req.AllowanceKg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, b)
}
