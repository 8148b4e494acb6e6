package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

type pickupReceipt struct {
	Reference string              `json:"reference"`
	Status    models.PickupStatus `json:"status"`
}

type pickupStatusView struct {
	Reference    string              `json:"reference"`
	Status       models.PickupStatus `json:"status"`
	StatusReason string              `json:"status_reason"`
	EarliestDate models.Date         `json:"earliest_date"`
	LatestDate   models.Date         `json:"latest_date"`
}

// reasonRequest is the body of a step that takes a reason (a rejection, a cancellation,
// a void, a missed stop); the rules are in models.
type reasonRequest struct {
	Reason string `json:"reason"`
}

// pickupCategories lists the categories the public form offers, by name.
func (s *Server) pickupCategories(c echo.Context) error {
	page := queryOf[paging](c).page()
	list, next, err := s.Store.CategoryNames(c.Request().Context(), page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

// requestPickup is the public form; staff signed in may use it too, for a known donor.
func (s *Server) requestPickup(c echo.Context) error {
	var actor *models.User
	if secret := bearer(c); secret != "" {
		u, err := s.Store.Authenticate(c.Request().Context(), secret)
		if err != nil {
			return err
		}
		if u.Role == models.RoleManager || u.Role == models.RoleStaff {
			actor = u
		}
	}
	var in models.PickupInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Website != "" {
		// Answer a robot as if it had succeeded, and keep nothing.
		return c.JSON(http.StatusCreated, pickupReceipt{Reference: "PR-" + newRequestID()[:8], Status: models.PickupNew})
	}
	r, err := s.Store.RequestPickup(c.Request().Context(), actor, in, c.RealIP(), s.today())
	if err != nil {
		return err
	}
	if actor != nil {
		return c.JSON(http.StatusCreated, r)
	}
	return c.JSON(http.StatusCreated, pickupReceipt{Reference: r.Reference, Status: r.Status})
}

func (s *Server) pickupStatus(c echo.Context) error {
	q := queryOf[pickupStatusQuery](c)
	ref, email := q.Reference, q.Email
	if ref == "" {
		return models.Invalid("reference", "is required")
	}
	if email == "" {
		return models.Invalid("email", "is required")
	}
	r, err := s.Store.PickupStatus(c.Request().Context(), ref, email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pickupStatusView{
		Reference: r.Reference, Status: r.Status, StatusReason: r.StatusReason,
		EarliestDate: r.EarliestDate, LatestDate: r.LatestDate,
	})
}

func (s *Server) listPickups(c echo.Context) error {
	q := queryOf[pickupsQuery](c)
	list, next, err := s.Store.ListPickups(c.Request().Context(), models.PickupFilter{Status: q.Status, On: q.Date}, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) getPickup(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.PickupRequest(ctx, id) })
}

func (s *Server) acceptPickup(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, in models.AcceptInput) (any, error) {
		return s.Store.AcceptPickup(ctx, currentUser(c), id, in)
	})
}

// pickupReason runs a triage step that takes a reason.
func (s *Server) pickupReason(do func(st *models.Store, c echo.Context, id int64, reason string) (*models.PickupRequest, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req reasonRequest
		if err := bind(c, &req); err != nil {
			return err
		}
		r, err := do(s.Store, c, id, req.Reason)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

func rejectPickup(st *models.Store, c echo.Context, id int64, reason string) (*models.PickupRequest, error) {
	return st.RejectPickup(c.Request().Context(), currentUser(c), id, reason)
}

func cancelPickup(st *models.Store, c echo.Context, id int64, reason string) (*models.PickupRequest, error) {
	return st.CancelPickup(c.Request().Context(), currentUser(c), id, reason)
}
