package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scrapstore/scrapstore/jobs"
)

type health struct {
	Status  string `json:"status"`
	Detail  string `json:"detail,omitempty"`
	Version string `json:"version,omitempty"`
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, health{Status: "ok", Version: s.Config.Version})
}

// readyz is 200 only when the database answers and every migration is applied.
func (s *Server) readyz(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.Store.Ping(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, health{Status: "unavailable", Detail: "the database does not answer"})
	}
	pending, err := s.Store.Pending(ctx)
	if err != nil {
		return c.JSON(http.StatusServiceUnavailable, health{Status: "unavailable", Detail: "cannot read the migration table"})
	}
	if pending > 0 {
		return c.JSON(http.StatusServiceUnavailable, health{Status: "unavailable", Detail: "migrations are pending: run scrapstore migrate up"})
	}
	return c.JSON(http.StatusOK, health{Status: "ok"})
}

func (s *Server) promMetrics(c echo.Context) error {
	MetricsHandler(s.Registry).ServeHTTP(c.Response(), c.Request())
	return nil
}

// MetricsHandler serves the registry's metrics in Prometheus' text format: behind a
// manager's token at /metrics, or on a private address of its own (the metrics-addr
// setting) where a scraper reads it without signing in.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

type jobView = jobs.Info

func (s *Server) listJobs(c echo.Context) error {
	list, err := s.Jobs.Jobs(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, ""))
}

func (s *Server) runJob(c echo.Context) error {
	run, err := s.Jobs.RunNow(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}
