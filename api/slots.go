package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The bodies of Store methods that take their values one by one; the rules are in
// models.

type slotRuleRequest struct {
	Weekday     int    `json:"weekday"`
	Starts      string `json:"starts"`
	Ends        string `json:"ends"`
	SlotMinutes int    `json:"slot_minutes"`
	Places      int    `json:"places"`
	Label       string `json:"label"`
}

type closedDayRequest struct {
	Day    models.Date `json:"day"`
	Reason string      `json:"reason"`
}

// listSlots shows the visit slots from one day to another (default: the next 14 days).
func (s *Server) listSlots(c echo.Context) error {
	q := queryOf[slotsQuery](c)
	from, to := q.From, q.To
	if from == nil {
		t := s.today()
		from = &t
	}
	if to == nil {
		t := from.AddDays(13)
		to = &t
	}
	slots, err := s.Store.Slots(c.Request().Context(), *from, *to, s.Config.Location)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(slots, ""))
}

func (s *Server) listSlotRules(c echo.Context) error {
	page := queryOf[paging](c).page()
	rules, next, err := s.Store.SlotRules(c.Request().Context(), page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(rules, next))
}

func (s *Server) createSlotRule(c echo.Context) error {
	var req slotRuleRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	r, err := s.Store.CreateSlotRule(c.Request().Context(), currentUser(c), models.SlotRule{
		Weekday: req.Weekday, Starts: req.Starts, Ends: req.Ends, SlotMinutes: req.SlotMinutes, Places: req.Places, Label: req.Label,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *Server) deleteSlotRule(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.Store.DeleteSlotRule(c.Request().Context(), currentUser(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listClosedDays(c echo.Context) error {
	q := queryOf[fromTodayQuery](c)
	days, next, err := s.Store.ClosedDays(c.Request().Context(), s.dayOr(q.From), q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(days, next))
}

func (s *Server) closeDay(c echo.Context) error {
	var req closedDayRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	d, err := s.Store.CloseDay(c.Request().Context(), currentUser(c), req.Day, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}
