package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// period reads ?month=YYYY-MM or ?from=&to=; the default is last month.
func (s *Server) period(c echo.Context) (models.Period, error) {
	q := query{c: c}
	from, to := q.date("from"), q.date("to")
	if q.err != nil {
		return models.Period{}, q.err
	}
	if m := c.QueryParam("month"); m != "" {
		return monthPeriod(m)
	}
	today := s.today()
	if from == nil && to == nil {
		first := models.Date{Time: time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, time.UTC)}
		return models.Period{From: first, To: models.Date{Time: first.AddDate(0, 1, -1)}}, nil
	}
	if from == nil {
		return models.Period{}, models.Invalid("from", "is required with to")
	}
	if to == nil {
		to = &today
	}
	return models.Period{From: *from, To: *to}, nil
}

func monthPeriod(m string) (models.Period, error) {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return models.Period{}, models.Invalid("month", "must be a month such as 2026-10")
	}
	return models.Period{From: models.Date{Time: t}, To: models.Date{Time: t.AddDate(0, 1, -1)}}, nil
}

func (s *Server) figures(c echo.Context) error {
	p, err := s.period(c)
	if err != nil {
		return err
	}
	f, err := s.Store.ComputeFigures(c.Request().Context(), p, s.Config.Location)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, f)
}

func (s *Server) figuresCSV(c echo.Context) error {
	p, err := s.period(c)
	if err != nil {
		return err
	}
	f, err := s.Store.ComputeFigures(c.Request().Context(), p, s.Config.Location)
	if err != nil {
		return err
	}
	csvResponse(c, "figures-"+p.From.String()+".csv")
	return reports.FiguresCSV(c.Response(), f)
}
