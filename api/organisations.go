package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

type organisationRequest struct {
	Name                string       `json:"name" validate:"required,max=200"`
	Kind                string       `json:"kind" validate:"required"`
	Address             string       `json:"address" validate:"max=500"`
	Postcode            string       `json:"postcode" validate:"max=10"`
	ContactName         string       `json:"contact_name" validate:"max=200"`
	Email               string       `json:"email" validate:"max=254"`
	Phone               string       `json:"phone" validate:"max=40"`
	PeopleServed        int          `json:"people_served"`
	BandID              *int64       `json:"band_id"`
	MemberSince         *models.Date `json:"member_since"`
	MembershipExpiresOn *models.Date `json:"membership_expires_on"`
}

type organisationPatch struct {
	Name                *string      `json:"name" validate:"omitempty,max=200"`
	Kind                *string      `json:"kind"`
	Address             *string      `json:"address" validate:"omitempty,max=500"`
	Postcode            *string      `json:"postcode" validate:"omitempty,max=10"`
	ContactName         *string      `json:"contact_name" validate:"omitempty,max=200"`
	Email               *string      `json:"email" validate:"omitempty,max=254"`
	Phone               *string      `json:"phone" validate:"omitempty,max=40"`
	PeopleServed        *int         `json:"people_served"`
	BandID              *int64       `json:"band_id"`
	MemberSince         *models.Date `json:"member_since"`
	MembershipExpiresOn *models.Date `json:"membership_expires_on"`
}

type renewalRequest struct {
	PaidPence int64       `json:"paid_pence"`
	Method    string      `json:"method" validate:"required"`
	PaidOn    models.Date `json:"paid_on" validate:"required"`
}

type renewalResponse struct {
	Renewal      *models.Renewal      `json:"renewal"`
	Organisation *models.Organisation `json:"organisation"`
}

type bandRequest struct {
	Name           string  `json:"name" validate:"required,max=100"`
	AnnualFeePence int64   `json:"annual_fee_pence"`
	AllowanceKg    float64 `json:"allowance_kg" validate:"required"`
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
	var req organisationRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	o, err := s.Store.CreateOrganisation(c.Request().Context(), currentUser(c), models.OrganisationInput{
		Name: &req.Name, Kind: &req.Kind, Address: &req.Address, Postcode: &req.Postcode, ContactName: &req.ContactName,
		Email: &req.Email, Phone: &req.Phone, PeopleServed: &req.PeopleServed, BandID: req.BandID,
		MemberSince: req.MemberSince, MembershipExpiresOn: req.MembershipExpiresOn,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, o)
}

func (s *Server) getOrganisation(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.Organisation(ctx, currentUser(c), id) })
}

func (s *Server) updateOrganisation(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req organisationPatch) (any, error) {
		return s.Store.UpdateOrganisation(ctx, currentUser(c), id, models.OrganisationInput(req))
	})
}

func (s *Server) renewMembership(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req renewalRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	r, o, err := s.Store.RenewMembership(c.Request().Context(), currentUser(c), id, models.RenewalInput(req), s.today())
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
