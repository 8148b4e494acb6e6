package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The bodies of Store methods that take their values one by one; the rules are in
// models.

type stockPatch struct {
	Description *string  `json:"description"`
	KgPerUnit   *float64 `json:"kg_per_unit"`
}

type adjustmentRequest struct {
	Delta  float64 `json:"delta"`
	Reason string  `json:"reason"`
	Note   string  `json:"note"`
}

type moveRequest struct {
	LocationID int64 `json:"location_id"`
}

func (s *Server) createDonation(c echo.Context) error {
	var in models.DonationInput
	if err := bind(c, &in); err != nil {
		return err
	}
	d, err := s.Store.ReceiveDonation(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) getDonation(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.Donation(ctx, id) })
}

func (s *Server) listDonations(c echo.Context) error {
	q := queryOf[donationsQuery](c)
	f := models.DonationFilter{DonorID: q.DonorID, Sort: q.Sort, From: s.dayStart(q.From, 0), To: s.dayStart(q.To, 1)}
	list, next, err := s.Store.ListDonations(c.Request().Context(), f, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) voidDonation(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req reasonRequest) (any, error) {
		return s.Store.VoidDonation(ctx, currentUser(c), id, req.Reason)
	})
}

func (s *Server) listStock(c echo.Context) error {
	q := queryOf[stockQuery](c)
	f := q.filter()
	f.Sort = q.Sort
	list, next, err := s.Store.ListStock(c.Request().Context(), f, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) getStockItem(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.StockItem(ctx, id) })
}

func (s *Server) updateStockItem(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req stockPatch) (any, error) {
		return s.Store.UpdateStockItem(ctx, currentUser(c), id, req.Description, req.KgPerUnit)
	})
}

func (s *Server) listMovements(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	page := queryOf[paging](c).page()
	list, next, err := s.Store.Movements(c.Request().Context(), id, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) adjustStock(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req adjustmentRequest) (any, error) {
		return s.Store.AdjustStock(ctx, currentUser(c), id, req.Delta, req.Reason, req.Note)
	})
}

func (s *Server) moveStock(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req moveRequest) (any, error) {
		return s.Store.MoveStock(ctx, currentUser(c), id, req.LocationID)
	})
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
	StockItemID       int64        `json:"stock_item_id"`
	OnHand            models.Milli `json:"on_hand"`
	MovementsOnHand   models.Milli `json:"movements_on_hand"`
	Reserved          models.Milli `json:"reserved"`
	MovementsReserved models.Milli `json:"movements_reserved"`
}

func (s *Server) checkLedger(c echo.Context) error {
	bad, n, err := s.Store.CheckLedger(c.Request().Context())
	if err != nil {
		return err
	}
	out := ledgerCheck{Checked: n, Disagreements: make([]ledgerDisagreement, len(bad))}
	for i, b := range bad {
		out.Disagreements[i] = ledgerDisagreement{
			StockItemID: b.StockItemID, OnHand: b.OnHand, MovementsOnHand: b.SumOnHand, Reserved: b.Reserved, MovementsReserved: b.SumReserv,
		}
	}
	return c.JSON(http.StatusOK, out)
}
