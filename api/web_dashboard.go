package api

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// The managers' dashboard: this month's figures beside last month's, the year's weights
// in and out, this month's by category, and the scheduled jobs. Staff see it too, but
// only managers run a job. The figures are the funders' report's, added up from the
// ledger totals (Store.Dashboard) so that the page stays quick on a big store.

func (s *Server) dashboardPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/dashboard", staff, s.dashboardPage},
		{http.MethodPost, "/dashboard/jobs/:name/run", managers, s.runJobPage},
	}
}

// headline is one of the dashboard's figures, this month and last, as written.
type headline struct {
	Label, This, Last string
}

// chartRow is a row of a chart's table: its label and its numbers, as written.
type chartRow struct {
	Label  string
	Values []string
}

// chart is a chart with the table of its numbers.
type chart struct {
	SVG     template.HTML
	Caption string
	Series  []string
	Rows    []chartRow
}

// jobRow is a scheduled job and its last run, as written.
type jobRow struct {
	Name, Description, Schedule, Next string
	Last                              string // when it last ran, or ""
	Failed                            bool
	Outcome                           string // its summary, or why it failed
}

type dashboardView struct {
	ThisMonth, LastMonth string
	Headlines            []headline
	Trend, Categories    chart
	Jobs                 []jobRow
	CanRun               bool
}

func (s *Server) dashboardPage(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := s.Store.Dashboard(ctx, s.today(), s.Config.Location)
	if err != nil {
		return err
	}
	v := dashboardView{ThisMonth: f.This.Period.From.Format("January 2006"), LastMonth: f.Last.Period.From.Format("January 2006"),
		CanRun: currentUser(c).Role == models.RoleManager}
	v.Headlines = headlines(f.This, f.Last)
	if v.Trend, err = trendChart(f.Trend); err != nil {
		return err
	}
	if v.Categories, err = categoryChart(f.This, f.Last, v.ThisMonth, v.LastMonth); err != nil {
		return err
	}
	if v.Jobs, err = s.jobRows(c); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "dashboard", "Dashboard", v)
}

func headlines(this, last *models.Figures) []headline {
	row := func(label string, value func(f *models.Figures) string) headline {
		return headline{label, value(this), value(last)}
	}
	count := func(n int64) string { return fmt.Sprint(n) }
	return []headline{
		row("Weight in", func(f *models.Figures) string { return kg(f.Donations.Kg) }),
		row("Weight out to member groups", func(f *models.Figures) string { return kg(f.Reservations.KgIssued) }),
		row("CO2e saved, net of the vans", func(f *models.Figures) string { return kg(f.CO2e.NetKg) }),
		row("Member groups served", func(f *models.Figures) string { return count(f.Members.GroupsServed) }),
		row("Volunteer hours", func(f *models.Figures) string { return quantity(f.Volunteering.Hours) }),
		row("Furniture passed on", func(f *models.Figures) string { return count(f.Furniture.PassedOn) + " items" }),
	}
}

// drawBars draws a chart and writes its table from the same groups.
func drawBars(id, title string, series []string, groups []reports.BarGroup) (chart, error) {
	var svg strings.Builder
	err := reports.BarsSVG(&svg, reports.Bars{ID: id, Title: title, Series: series, Groups: groups, Value: func(v float64) string { return kg(v) }})
	if err != nil {
		return chart{}, err
	}
	// The SVG's text is escaped as it is written.
	out := chart{SVG: template.HTML(svg.String()), Caption: title, Series: series}
	for _, g := range groups {
		r := chartRow{Label: g.Label}
		for _, v := range g.Values {
			r.Values = append(r.Values, kg(v))
		}
		out.Rows = append(out.Rows, r)
	}
	return out, nil
}

func trendChart(trend []models.TrendPoint) (chart, error) {
	var groups []reports.BarGroup
	for _, p := range trend {
		m, err := time.Parse("2006-01", p.Month)
		if err != nil {
			return chart{}, err
		}
		groups = append(groups, reports.BarGroup{Label: m.Format("Jan 2006"), Values: []float64{float64(p.KgIn), float64(p.KgOut)}})
	}
	return drawBars("trend", "Weight in and out, the last 12 months", []string{"In", "Out"}, groups)
}

// categoryChart is the weight received by category this month and last, for every
// category with a donation in either.
func categoryChart(this, last *models.Figures, thisName, lastName string) (chart, error) {
	byName := map[string][]float64{}
	for i, f := range []*models.Figures{this, last} {
		for _, c := range f.Donations.ByCategory {
			if byName[c.Name] == nil {
				byName[c.Name] = make([]float64, 2)
			}
			byName[c.Name][i] = float64(c.Kg)
		}
	}
	var groups []reports.BarGroup
	for name, values := range byName {
		groups = append(groups, reports.BarGroup{Label: name, Values: values})
	}
	slices.SortFunc(groups, func(a, b reports.BarGroup) int { return strings.Compare(a.Label, b.Label) })
	return drawBars("categories", "Weight in by category", []string{thisName, lastName}, groups)
}

func (s *Server) jobRows(c echo.Context) ([]jobRow, error) {
	list, err := s.Jobs.Jobs(c.Request().Context())
	if err != nil {
		return nil, err
	}
	when := func(t time.Time) string { return t.In(s.Config.Location).Format("2 Jan 2006, 15:04") }
	var rows []jobRow
	for _, j := range list {
		r := jobRow{Name: j.Name, Description: j.Description, Schedule: j.Schedule}
		if j.NextRun != nil {
			r.Next = when(*j.NextRun)
		}
		if run := j.LastRun; run != nil {
			r.Last, r.Outcome = when(run.StartedAt), run.Summary
			switch {
			case run.FinishedAt == nil:
				r.Outcome = "still running"
			case !run.OK:
				r.Failed, r.Outcome = true, run.Error
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// runJobPage runs a job now, as the API's POST /api/v1/jobs/:name/run does, and says
// how it went.
func (s *Server) runJobPage(c echo.Context) error {
	name := c.Param("name")
	run, err := s.Jobs.RunNow(c.Request().Context(), name)
	var busy *models.ConflictError
	switch {
	case errors.As(err, &busy):
		return s.redirect(c, "/dashboard#jobs", busy.Detail+": try again when it has finished.")
	case err != nil:
		return err
	case !run.OK:
		return s.redirect(c, "/dashboard#jobs", fmt.Sprintf("The job %s failed: %s", name, run.Error))
	}
	return s.redirect(c, "/dashboard#jobs", fmt.Sprintf("The job %s ran: %s", name, run.Summary))
}
