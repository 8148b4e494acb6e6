package api

import (
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// csvResponse starts a CSV download; the rows follow as they are read.
func csvResponse(c echo.Context, name string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
}

func (s *Server) exportStock(c echo.Context) error {
	csvResponse(c, "stock.csv")
	return s.Store.ExportStock(c.Request().Context(), c.Response(), queryOf[stockFilterQuery](c).filter())
}

func (s *Server) exportDonors(c echo.Context) error {
	csvResponse(c, "donors.csv")
	return s.Store.ExportDonors(c.Request().Context(), c.Response())
}

func (s *Server) exportDonations(c echo.Context) error {
	q := queryOf[exportQuery](c)
	from, to := q.From, q.To
	today := s.today()
	if to == nil {
		to = &today
	}
	if from == nil {
		f := models.Date{Time: to.AddDate(-1, 0, 1)}
		from = &f
	}
	if to.Before(from.Time) {
		return models.Invalid("to", "must not be before from")
	}
	csvResponse(c, "donations.csv")
	return s.Store.ExportDonations(c.Request().Context(), c.Response(), from.Start(s.Config.Location), to.AddDays(1).Start(s.Config.Location))
}

// csvBody checks an import is CSV and reads dry_run.
func csvBody(c echo.Context) (dryRun bool, err error) {
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if ct != "text/csv" && ct != "application/csv" && !strings.HasPrefix(ct, "text/plain") {
		return false, &requestError{Status: http.StatusUnsupportedMediaType, Detail: "send the file as text/csv"}
	}
	return queryOf[importQuery](c).DryRun, nil
}

func (s *Server) importDonors(c echo.Context) error {
	dry, err := csvBody(c)
	if err != nil {
		return err
	}
	res, err := s.Store.ImportDonors(c.Request().Context(), currentUser(c), c.Request().Body, dry)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Server) importDonations(c echo.Context) error {
	dry, err := csvBody(c)
	if err != nil {
		return err
	}
	res, err := s.Store.ImportDonations(c.Request().Context(), currentUser(c), c.Request().Body, dry)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
