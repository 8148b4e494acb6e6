// Package api is Scrapstore's HTTP interface: the echo router, every route and who may
// use it (routes.go), the handlers (one file per resource), errors as problem+json,
// and the OpenAPI document generated from the same route table.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/scrapstore/scrapstore/jobs"
	"github.com/scrapstore/scrapstore/models"
)

// Config holds the settings the API needs.
type Config struct {
	TokenTTL time.Duration
	Location *time.Location // the store's time zone: "today" is a day there
	Version  string
	// AutoConfirm confirms members' reservations as they are made.
	AutoConfirm bool
	// DataDir holds photos and kept reports.
	DataDir string
	// Planning is the depot, the travel provider and the planner's time budget.
	Planning models.PlanSettings
}

// JobRunner is the part of the scheduler the API uses.
type JobRunner interface {
	Jobs(ctx context.Context) ([]jobs.Info, error)
	RunNow(ctx context.Context, name string) (*models.JobRun, error)
}

// Deps is everything the server is built from.
type Deps struct {
	Store    *models.Store
	Logger   *slog.Logger
	Now      func() time.Time
	Config   Config
	Jobs     JobRunner
	Registry *prometheus.Registry
}

// Server is the HTTP handler for the whole service.
type Server struct {
	Deps
	echo    *echo.Echo
	metrics *httpMetrics
	routes  []route
}

// MaxBody is the largest request body accepted, but for routes that say otherwise.
const MaxBody = 1 << 20

// limitBody refuses a body larger than limit with a 413, whether it says so up front or not.
func limitBody(limit int64, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > limit {
			return &http.MaxBytesError{Limit: limit}
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}

// NewServer builds the router with every route of routes.go.
func NewServer(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	s := &Server{Deps: d, echo: echo.New()}
	s.metrics = newHTTPMetrics(d.Registry)
	d.Registry.MustRegister(collectors.NewDBStatsCollector(d.Store.SQLDB(), "scrapstore"))

	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// Client addresses are taken from the connection, not from headers a client can forge;
	// the login limit depends on it.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}),
		s.observe,
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: s.logPanic}),
	)
	s.routes = s.routeTable()
	for _, r := range s.routes {
		h := r.handler
		if r.method == http.MethodPost && r.idempotent {
			h = s.idempotent(h)
		}
		h = cleanInput(h)
		if r.roles != nil {
			h = s.authorise(r.roles, h)
		}
		limit := int64(MaxBody)
		if r.maxBody > 0 {
			limit = r.maxBody
		}
		e.Add(r.method, r.path, limitBody(limit, h))
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// today is the store's current day in its time zone.
func (s *Server) today() models.Date {
	return models.NewDate(s.Now().In(s.Config.Location))
}
