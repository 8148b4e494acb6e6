package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

type pickupRequest struct {
	DonorID      *int64      `json:"donor_id"`
	BusinessName string      `json:"business_name" validate:"max=200"`
	ContactName  string      `json:"contact_name" validate:"max=200"`
	Email        string      `json:"email" validate:"max=254"`
	Phone        string      `json:"phone" validate:"max=40"`
	Address      string      `json:"address" validate:"max=500"`
	Postcode     string      `json:"postcode" validate:"max=10"`
	Description  string      `json:"description" validate:"max=2000"`
	CategoryIDs  []int64     `json:"category_ids"`
	ApproxKg     float64     `json:"approx_kg"`
	ApproxM3     float64     `json:"approx_m3"`
	EarliestDate models.Date `json:"earliest_date"`
	LatestDate   models.Date `json:"latest_date"`
	AccessNotes  string      `json:"access_notes" validate:"max=2000"`
	Priority     int         `json:"priority"`
	// Website is a honeypot: the public form hides it, so only a robot fills it in.
	Website string `json:"website"`
}

type pickupReceipt struct {
	Reference string `json:"reference"`
	Status    string `json:"status"`
}

type pickupStatusView struct {
	Reference    string      `json:"reference"`
	Status       string      `json:"status"`
	StatusReason string      `json:"status_reason"`
	EarliestDate models.Date `json:"earliest_date"`
	LatestDate   models.Date `json:"latest_date"`
}

type acceptRequest struct {
	DonorID   *int64   `json:"donor_id"`
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
	Priority  int      `json:"priority"`
}

type reasonRequest struct {
	Reason string `json:"reason" validate:"max=2000"`
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
	var req pickupRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Website != "" {
		// Answer a robot as if it had succeeded, and keep nothing.
		return c.JSON(http.StatusCreated, pickupReceipt{Reference: "PR-" + newRequestID()[:8], Status: models.PickupNew})
	}
	r, err := s.Store.RequestPickup(c.Request().Context(), actor, models.PickupInput{
		DonorID: req.DonorID, BusinessName: req.BusinessName, ContactName: req.ContactName, Email: req.Email, Phone: req.Phone,
		Address: req.Address, Postcode: req.Postcode, Description: req.Description, CategoryIDs: req.CategoryIDs,
		ApproxKg: req.ApproxKg, ApproxM3: req.ApproxM3, EarliestDate: req.EarliestDate, LatestDate: req.LatestDate,
		AccessNotes: req.AccessNotes, Priority: req.Priority,
	}, c.RealIP(), s.today())
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
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req acceptRequest) (any, error) {
		return s.Store.AcceptPickup(ctx, currentUser(c), id, models.AcceptInput(req))
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
