package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// collectRequest lists what was taken of each line; lines not listed are released.
type collectRequest struct {
	Lines []models.LineInput `json:"lines"`
}

// walkInRequest is the body of IssueWalkIn, whose rules are in models.
type walkInRequest struct {
	OrganisationID int64              `json:"organisation_id"`
	Lines          []models.LineInput `json:"lines"`
	OverrideReason string             `json:"override_reason"`
}

func (s *Server) reservationRules() models.ReservationRules {
	return models.ReservationRules{Location: s.Config.Location, AutoConfirm: s.Config.AutoConfirm}
}

func (s *Server) listReservations(c echo.Context) error {
	q := queryOf[reservationsQuery](c)
	f := models.ReservationFilter{OrganisationID: q.OrganisationID, Status: q.Status, Sort: q.Sort, From: s.dayStart(q.From, 0), To: s.dayStart(q.To, 1)}
	list, next, err := s.Store.ListReservations(c.Request().Context(), currentUser(c), f, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createReservation(c echo.Context) error {
	var in models.ReservationInput
	if err := bind(c, &in); err != nil {
		return err
	}
	r, err := s.Store.CreateReservation(c.Request().Context(), currentUser(c), in, s.reservationRules())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *Server) getReservation(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.Reservation(ctx, currentUser(c), id) })
}

func (s *Server) updateReservation(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, in models.ReservationInput) (any, error) {
		return s.Store.UpdateReservation(ctx, currentUser(c), id, in, s.reservationRules())
	})
}

// reservationAction runs a status change whose body may be left out.
func (s *Server) reservationAction(do func(s *Server, c echo.Context, id int64) (*models.Reservation, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		r, err := do(s, c, id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

func confirmReservation(s *Server, c echo.Context, id int64) (*models.Reservation, error) {
	return s.Store.ConfirmReservation(c.Request().Context(), currentUser(c), id)
}

func cancelReservation(s *Server, c echo.Context, id int64) (*models.Reservation, error) {
	var req reasonRequest
	if err := bindOptional(c, &req); err != nil {
		return nil, err
	}
	return s.Store.CancelReservation(c.Request().Context(), currentUser(c), id, req.Reason)
}

func collectReservation(s *Server, c echo.Context, id int64) (*models.Reservation, error) {
	var req collectRequest
	if err := bindOptional(c, &req); err != nil {
		return nil, err
	}
	return s.Store.CollectReservation(c.Request().Context(), currentUser(c), id, req.Lines, s.Config.Location)
}

func (s *Server) issueWalkIn(c echo.Context) error {
	var req walkInRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	r, err := s.Store.IssueWalkIn(c.Request().Context(), currentUser(c), req.OrganisationID,
		req.Lines, req.OverrideReason, s.Config.Location)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *Server) organisationSummary(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) {
		return s.Store.OrganisationSummary(ctx, currentUser(c), id, s.today(), s.Config.Location)
	})
}

func (s *Server) listOutbox(c echo.Context) error {
	q := queryOf[outboxQuery](c)
	list, next, err := s.Store.Outbox(c.Request().Context(), q.Unsent, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}
