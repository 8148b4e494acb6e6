package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// period reads ?month=YYYY-MM or ?from=&to=; the default is last month.
func (s *Server) period(c echo.Context) (models.Period, error) {
	q := queryOf[periodQuery](c)
	from, to := q.From, q.To
	if m := q.Month; m != "" {
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
	if msg := models.YearProblem(t.Year()); msg != "" {
		return models.Period{}, models.Invalid("month", "%s", msg)
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

type reportRequest struct {
	Month *string      `json:"month"`
	From  *models.Date `json:"from"`
	To    *models.Date `json:"to"`
}

func (s *Server) makeReport(c echo.Context) error {
	var req reportRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	r, err := s.keepReport(c, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

// keepReport makes and keeps the report for a month, or from and to; the API and the
// reports page both make reports through it.
func (s *Server) keepReport(c echo.Context, req reportRequest) (*models.Report, error) {
	var p models.Period
	switch {
	case req.Month != nil:
		var err error
		if p, err = monthPeriod(*req.Month); err != nil {
			return nil, err
		}
	case req.From != nil && req.To != nil:
		p = models.Period{From: *req.From, To: *req.To}
	default:
		return nil, models.Invalid("month", "give a month (YYYY-MM), or from and to")
	}
	return reports.MakeFunders(c.Request().Context(), s.Store, currentUser(c), p, req.Month,
		reports.Setup{StoreName: s.storeName(), DataDir: s.Config.DataDir, Location: s.Config.Location})
}

func (s *Server) listReports(c echo.Context) error {
	page := queryOf[paging](c).page()
	list, next, err := s.Store.ListReports(c.Request().Context(), page, s.Config.Location)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

// reportPDF serves /reports/{id}.pdf.
func (s *Server) reportPDF(c echo.Context) error {
	name := c.Param("file")
	id, err := strconv.ParseInt(strings.TrimSuffix(name, ".pdf"), 10, 64)
	if err != nil || !strings.HasSuffix(name, ".pdf") {
		return fmt.Errorf("report %q: %w", name, models.ErrNotFound)
	}
	r, err := s.Store.GetReport(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="report-%s-%s.pdf"`, r.PeriodFrom, r.PeriodTo))
	return c.File(models.ReportPath(s.Config.DataDir, r.ID))
}

// donorImpactPDF thanks a business for what it gave in a year.
func (s *Server) donorImpactPDF(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	year := queryOf[yearQuery](c).Year
	if year == 0 {
		year = s.today().Year()
	}
	ctx := c.Request().Context()
	imp, err := s.Store.DonorImpact(ctx, id, year, s.Config.Location)
	if err != nil {
		return err
	}
	d, err := s.Store.Donor(ctx, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := reports.ImpactPDF(&buf, d.Name, imp, s.storeName()); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}
