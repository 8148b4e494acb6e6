package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// The bodies of Store methods that take their values one by one; the rules are in
// models.

type driverRequest struct {
	DriverID int64 `json:"driver_id"`
}

type startRequest struct {
	OdometerKm *float64 `json:"odometer_km"`
}

type completeLine struct {
	CategoryID  int64    `json:"category_id"`
	Description string   `json:"description"`
	Quantity    float64  `json:"quantity"`
	Unit        string   `json:"unit"`
	WeightKg    *float64 `json:"weight_kg"`
}

type completeRequest struct {
	Lines      []completeLine `json:"lines"`
	LocationID int64          `json:"location_id"`
}

func (s *Server) plan(c echo.Context) error {
	var req models.PlanRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := s.Store.PlanDay(c.Request().Context(), currentUser(c), req, s.Config.Planning)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if req.DryRun {
		status = http.StatusOK
	}
	return c.JSON(status, res)
}

// commitPlan makes a previewed plan, exactly as it was shown.
func (s *Server) commitPlan(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	res, err := s.Store.CommitPlan(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

func (s *Server) listRuns(c echo.Context) error {
	q := queryOf[runsQuery](c)
	list, next, err := s.Store.ListRuns(c.Request().Context(), models.RunFilter{Day: q.Date, Sort: q.Sort}, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

// myRuns lists the signed-in driver's runs for a day (today by default).
func (s *Server) myRuns(c echo.Context) error {
	q := queryOf[myRunsQuery](c)
	day := s.dayOr(q.Date)
	list, next, err := s.Store.ListRuns(c.Request().Context(), models.RunFilter{Day: &day, DriverID: currentUser(c).ID}, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) getRun(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.GetRun(ctx, currentUser(c), id) })
}

func (s *Server) assignDriver(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req driverRequest) (any, error) {
		return s.Store.AssignDriver(ctx, currentUser(c), id, req.DriverID)
	})
}

func (s *Server) startRun(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req startRequest) (any, error) {
		return s.Store.StartRun(ctx, currentUser(c), id, req.OdometerKm)
	})
}

func (s *Server) finishRun(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req models.RunFinish) (any, error) {
		return s.Store.FinishRun(ctx, currentUser(c), id, req)
	})
}

func (s *Server) runSheet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sh, err := s.Store.Sheet(c.Request().Context(), currentUser(c), id, s.Config.Location)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := reports.RunSheet(&buf, sh, s.Config.Location); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

func (s *Server) completeStop(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req completeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	lines := make([]models.DonationLineInput, len(req.Lines))
	for i, l := range req.Lines {
		cat := l.CategoryID
		lines[i] = models.DonationLineInput{CategoryID: &cat, Description: l.Description, Quantity: l.Quantity, Unit: l.Unit, WeightKg: l.WeightKg}
	}
	st, err := s.Store.CompleteStop(c.Request().Context(), currentUser(c), id, lines, req.LocationID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) missStop(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req reasonRequest) (any, error) {
		return s.Store.MissStop(ctx, currentUser(c), id, req.Reason)
	})
}

type stopChangeRequest struct {
	StopID    int64 `json:"stop_id"`
	RequestID int64 `json:"request_id"`
	Position  int   `json:"position"`
	Force     bool  `json:"force"`
}

// changeRunStops moves a stop into this run at a position, or adds an accepted request.
func (s *Server) changeRunStops(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req stopChangeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	change := models.StopChange{StopID: req.StopID, RequestID: req.RequestID, RunID: id, Position: req.Position, Force: req.Force}
	runs, err := s.Store.ChangeStops(c.Request().Context(), currentUser(c), change, s.Config.Planning)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(runs, ""))
}

func (s *Server) removeStop(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	runs, err := s.Store.ChangeStops(c.Request().Context(), currentUser(c), models.StopChange{StopID: id, Remove: true}, s.Config.Planning)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(runs, ""))
}
