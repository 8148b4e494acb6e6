package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

type donationLineRequest struct {
	StockItemID *int64   `json:"stock_item_id"`
	CategoryID  *int64   `json:"category_id"`
	Description string   `json:"description" validate:"max=500"`
	LocationID  *int64   `json:"location_id"`
	Quantity    float64  `json:"quantity"`
	Unit        string   `json:"unit" validate:"max=20"`
	WeightKg    *float64 `json:"weight_kg"`
}

type donationRequest struct {
	DonorID    *int64                `json:"donor_id"`
	ReceivedAt *time.Time            `json:"received_at"`
	Channel    string                `json:"channel" validate:"max=20"`
	Notes      string                `json:"notes" validate:"max=2000"`
	Lines      []donationLineRequest `json:"lines" validate:"required,dive"`
}

type stockPatch struct {
	Description *string  `json:"description" validate:"omitempty,max=500"`
	KgPerUnit   *float64 `json:"kg_per_unit"`
}

type adjustmentRequest struct {
	Delta  float64 `json:"delta"`
	Reason string  `json:"reason" validate:"required"`
	Note   string  `json:"note" validate:"max=2000"`
}

type moveRequest struct {
	LocationID int64 `json:"location_id" validate:"required"`
}

func (s *Server) createDonation(c echo.Context) error {
	var req donationRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	in := models.DonationInput{DonorID: req.DonorID, Channel: req.Channel, Notes: req.Notes}
	if req.ReceivedAt != nil {
		in.ReceivedAt = *req.ReceivedAt
	}
	for _, l := range req.Lines {
		in.Lines = append(in.Lines, models.DonationLineInput(l))
	}
	d, err := s.Store.ReceiveDonation(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) getDonation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.Store.Donation(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Server) listDonations(c echo.Context) error {
	q := query{c: c}
	f := models.DonationFilter{DonorID: q.int64("donor_id"), Sort: q.str("sort")}
	if d := q.date("from"); d != nil {
		t := d.Start(s.Config.Location)
		f.From = &t
	}
	if d := q.date("to"); d != nil {
		t := d.AddDays(1).Start(s.Config.Location)
		f.To = &t
	}
	page := q.page()
	if q.err != nil {
		return q.err
	}
	list, next, err := s.Store.ListDonations(c.Request().Context(), f, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) voidDonation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req reasonRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	d, err := s.Store.VoidDonation(c.Request().Context(), currentUser(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// stockFilter reads the stock list's filters (stockFilterParams).
func stockFilter(q *query) models.StockFilter {
	f := models.StockFilter{CategoryID: q.int64("category_id"), LocationID: q.int64("location_id"), Q: q.str("q")}
	if b := q.boolPtr("available_only"); b != nil {
		f.AvailableOnly = *b
	}
	return f
}

func (s *Server) listStock(c echo.Context) error {
	q := query{c: c}
	f := stockFilter(&q)
	f.Sort = q.str("sort")
	page := q.page()
	if q.err != nil {
		return q.err
	}
	list, next, err := s.Store.ListStock(c.Request().Context(), f, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) getStockItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	it, err := s.Store.StockItem(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, it)
}

func (s *Server) updateStockItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req stockPatch
	if err := bind(c, &req); err != nil {
		return err
	}
	it, err := s.Store.UpdateStockItem(c.Request().Context(), currentUser(c), id, req.Description, req.KgPerUnit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, it)
}

func (s *Server) listMovements(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	q := query{c: c}
	page := q.page()
	if q.err != nil {
		return q.err
	}
	list, next, err := s.Store.Movements(c.Request().Context(), id, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) adjustStock(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req adjustmentRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	it, err := s.Store.AdjustStock(c.Request().Context(), currentUser(c), id, req.Delta, req.Reason, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, it)
}

func (s *Server) moveStock(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req moveRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	it, err := s.Store.MoveStock(c.Request().Context(), currentUser(c), id, req.LocationID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, it)
}

func (s *Server) wantedList(c echo.Context) error {
	list, err := s.Store.WantedList(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, ""))
}

// ledgerCheck is the stock ledger check: how many items were checked and every one
// whose figures disagree with its movements (none when all is well).
type ledgerCheck struct {
	Checked       int64                `json:"checked"`
	Disagreements []ledgerDisagreement `json:"disagreements"`
}

type ledgerDisagreement struct {
	StockItemID       int64   `json:"stock_item_id"`
	OnHand            float64 `json:"on_hand"`
	MovementsOnHand   float64 `json:"movements_on_hand"`
	Reserved          float64 `json:"reserved"`
	MovementsReserved float64 `json:"movements_reserved"`
}

func (s *Server) checkLedger(c echo.Context) error {
	bad, n, err := s.Store.CheckLedger(c.Request().Context())
	if err != nil {
		return err
	}
	out := ledgerCheck{Checked: n, Disagreements: make([]ledgerDisagreement, len(bad))}
	for i, b := range bad {
		out.Disagreements[i] = ledgerDisagreement{
			StockItemID: b.StockItemID,
			OnHand:      float64(b.OnHand) / 1000, MovementsOnHand: float64(b.SumOnHand) / 1000,
			Reserved: float64(b.Reserved) / 1000, MovementsReserved: float64(b.SumReserv) / 1000,
		}
	}
	return c.JSON(http.StatusOK, out)
}
