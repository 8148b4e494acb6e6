package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// The managers' report pages: make the funder report for a month or a range of days,
// the kept reports with their PDF and CSV, and donors' impact statements.

func (s *Server) reportPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/reports", managers, s.reportsPage},
		{http.MethodPost, "/reports", managers, s.makeReportPage},
		{http.MethodGet, "/reports/impact", managers, s.impactPage},
		{http.MethodGet, "/reports/impact/:id/statement.pdf", managers, queried[yearQuery](s.donorImpactPDF)},
		{http.MethodGet, "/reports/:file", managers, s.reportFile},
	}
}

// keptReport is a kept report as the list shows it.
type keptReport struct {
	models.Report
	Name, MadeAt string
	Changed      bool // the period's figures differ today from those printed
}

type reportsView struct {
	Reports []keptReport
	Next    string
}

func (s *Server) reportsPage(c echo.Context) error {
	v := pageView(c)
	today := s.today()
	last := time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	v.Form.Set("month", last.Format("2006-01"))
	return s.showReports(c, http.StatusOK)
}

func (s *Server) showReports(c echo.Context, status int) error {
	q := query{c: c}
	page := q.page()
	if q.err != nil {
		return q.err
	}
	page.Limit = 20
	list, next, err := s.Store.ListReports(c.Request().Context(), page, s.Config.Location)
	if err != nil {
		return err
	}
	rv := reportsView{}
	for _, r := range list {
		rv.Reports = append(rv.Reports, keptReport{Report: r, Name: s.periodName(r.Month, r.PeriodFrom, r.PeriodTo),
			MadeAt: r.MadeAt.In(s.Config.Location).Format("2 Jan 2006, 15:04"), Changed: r.FiguresChanged != nil && *r.FiguresChanged})
	}
	if next != "" {
		rv.Next = "/reports?cursor=" + next
	}
	return s.render(c, status, "reports", "Reports", rv)
}

// periodName is a report's period as people say it: "October 2026", or "1 Oct 2026 to
// 15 Oct 2026".
func (s *Server) periodName(month *string, from, to models.Date) string {
	if month != nil {
		if t, err := time.Parse("2006-01", *month); err == nil {
			return t.Format("January 2006")
		}
	}
	return ukDay(s.Config.Location, from) + " to " + ukDay(s.Config.Location, to)
}

// makeReportPage makes the report for the month given, or else for from and to.
func (s *Server) makeReportPage(c echo.Context) error {
	var p models.Problems
	var req reportRequest
	if m := strings.TrimSpace(c.FormValue("month")); m != "" && c.FormValue("range") == "" {
		req.Month = &m
	} else {
		from, to := formDate(&p, c, "from"), formDate(&p, c, "to")
		if c.FormValue("from") == "" {
			p.Add("from", "Choose the first day")
		}
		if c.FormValue("to") == "" {
			p.Add("to", "Choose the last day")
		}
		req.From, req.To = &from, &to
	}
	err := p.Err()
	if err == nil {
		var r *models.Report
		if r, err = s.keepReport(c, req); err == nil {
			return s.redirect(c, "/reports", fmt.Sprintf("The report for %s is made (version %d).",
				s.periodName(r.Month, r.PeriodFrom, r.PeriodTo), r.Version))
		}
	}
	if err := formProblems(c, err); err != nil {
		return err
	}
	return s.showReports(c, http.StatusUnprocessableEntity)
}

// reportFile serves a kept report: its PDF (/reports/12.pdf) or its figures as printed,
// as CSV (/reports/12.csv).
func (s *Server) reportFile(c echo.Context) error {
	name := c.Param("file")
	raw, isCSV := strings.CutSuffix(name, ".csv")
	if !isCSV {
		return s.reportPDF(c)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return fmt.Errorf("report %q: %w", name, models.ErrNotFound)
	}
	ctx := c.Request().Context()
	r, err := s.Store.GetReport(ctx, id)
	if err != nil {
		return err
	}
	var f *models.Figures
	if r.Figures == "" { // kept before reports kept their figures: today's figures for its period
		if f, err = s.Store.ComputeFigures(ctx, models.Period{From: r.PeriodFrom, To: r.PeriodTo}, s.Config.Location); err != nil {
			return err
		}
	} else if err := json.Unmarshal([]byte(r.Figures), &f); err != nil {
		return fmt.Errorf("report %d figures: %w", id, err)
	}
	csvResponse(c, fmt.Sprintf("report-%s-%s.csv", r.PeriodFrom, r.PeriodTo))
	return reports.FiguresCSV(c.Response(), f)
}

// impactView is the impact page: the donors to choose from, and the chosen one's year.
type impactView struct {
	Donors []models.Donor
	Donor  *models.Donor
	Year   int
	Impact *models.Impact
}

func (s *Server) impactPage(c echo.Context) error {
	ctx := c.Request().Context()
	v := pageView(c)
	q := query{c: c}
	id := q.int64("donor")
	year := s.today().Year()
	if raw := c.QueryParam("year"); raw != "" {
		var err error
		if year, err = strconv.Atoi(raw); err != nil {
			q.fail("year", "must be a year such as 2026")
		}
	}
	if q.err != nil {
		return q.err
	}
	v.Form.Set("donor", strconv.FormatInt(id, 10))
	v.Form.Set("year", strconv.Itoa(year))
	iv := impactView{Year: year}
	var err error
	if iv.Donors, _, err = s.Store.ListDonors(ctx, "", nil, models.Page{Limit: models.MaxLimit}); err != nil {
		return err
	}
	if id != 0 {
		if iv.Donor, err = s.Store.Donor(ctx, id); err != nil {
			return err
		}
		if iv.Impact, err = s.Store.DonorImpact(ctx, id, year, s.Config.Location); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, "report_impact", "Donor impact statements", iv)
}
