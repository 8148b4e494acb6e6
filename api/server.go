// Package api is Scrapstore's HTTP interface: the echo router, every route and who may
// use it (routes.go), the handlers (one file per resource), errors as problem+json,
// and the OpenAPI document generated from the same route table.
package api

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
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
	// TrustedProxies are the addresses of reverse proxies in front of the service. A
	// request from one of them is taken to come from the address its X-Forwarded-For
	// header names; no one else's X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// CORSOrigins are the web origins (https://www.example.org) whose pages may call the
	// public routes from a browser; none when empty.
	CORSOrigins []string
	// StoreName heads every web page.
	StoreName string
	// SecureCookies marks the pages' cookies Secure, for a service behind an HTTPS proxy.
	SecureCookies bool
	// Concurrency is how many requests are worked on at once; more wait their turn in
	// the order they came. 0 means the default for the database (defaultConcurrency).
	Concurrency int
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
	site    *site
	// openapi is the document, made from the route table on first use and then kept:
	// the routes do not change while the server runs.
	openapi func() []byte
	// turns are the requests being worked on; see inTurn.
	turns chan struct{}
}

// MaxBody is the largest request body accepted, but for routes that say otherwise.
const MaxBody = 1 << 20

// limitBody refuses a body larger than limit with a 413, whether it says so up front or
// not, and then lets the request take its turn (see inTurn).
func (s *Server) limitBody(limit int64, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > limit {
			return &http.MaxBytesError{Limit: limit}
		}
		if req.ContentLength != 0 && req.Body != nil && req.Body != http.NoBody {
			// Read before the request takes its turn (see inTurn): a client that sends
			// its body slowly keeps no one else waiting.
			body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, limit))
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				return err
			case err != nil:
				return &requestError{Status: http.StatusBadRequest, Detail: "the request body could not be read in full"}
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		return s.inTurn(c, next)
	}
}

// publicCORS lets pages from the origins call the public API routes (the pickup form,
// its categories, the wanted list) from a browser, without credentials. Signed-in routes
// get no CORS headers, so a browser keeps other sites' pages from them.
func (s *Server) publicCORS(origins []string) echo.MiddlewareFunc {
	publicPaths := map[string]bool{}
	for _, r := range s.routes {
		if r.roles == nil && strings.HasPrefix(r.path, "/api/v1/") {
			publicPaths[r.path] = true
		}
	}
	return middleware.CORSWithConfig(middleware.CORSConfig{
		Skipper:      func(c echo.Context) bool { return !publicPaths[c.Path()] },
		AllowOrigins: origins,
		AllowMethods: []string{http.MethodGet, http.MethodPost},
		AllowHeaders: []string{echo.HeaderContentType, "Idempotency-Key"},
		MaxAge:       3600,
	})
}

// noFields refuses a body that names a field on a route that takes none, as a route that
// takes a body refuses a field it does not know, rather than ignoring it.
func noFields(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := bindOptional(c, &struct{}{}); err != nil {
			return err
		}
		return next(c)
	}
}

// checkOneOf refuses a query parameter outside its closed set with a 422 that lists the
// set, rather than answering an empty list for a value that can never match.
func checkOneOf(oneOf map[string][]string, next echo.HandlerFunc) echo.HandlerFunc {
	// Sorted once here, not on every request, so that problems come in a steady order.
	names := slices.Sorted(maps.Keys(oneOf))
	return func(c echo.Context) error {
		var p models.Problems
		for _, name := range names {
			values := oneOf[name]
			if v := c.QueryParam(name); v != "" && !slices.Contains(values, v) {
				p.Add(name, "must be one of %s", strings.Join(values, ", "))
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		return next(c)
	}
}

// defaultConcurrency is how many requests are worked on at once unless set: enough to
// keep every CPU busy while some requests wait for the database, few enough that they
// do not crowd each other. On SQLite the database works in this process, without round
// trips to wait for, and two per CPU served more, and more evenly, than four (the load
// test's slowest hundredth a quarter faster); PostgreSQL answers from its own processes,
// and four per CPU kept both it and the service busy.
func defaultConcurrency(d models.Dialect) int {
	if d == models.SQLite {
		return 2 * runtime.GOMAXPROCS(0)
	}
	return 4 * runtime.GOMAXPROCS(0)
}

// NewServer builds the router with every route of routes.go.
func NewServer(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	s := &Server{Deps: d, echo: echo.New(), turns: make(chan struct{}, cmp.Or(d.Config.Concurrency, defaultConcurrency(d.Store.Dialect())))}
	s.metrics = newHTTPMetrics(d.Registry)
	d.Registry.MustRegister(collectors.NewDBStatsCollector(d.Store.SQLDB(), "scrapstore"))

	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// Client addresses are taken from the connection, or from X-Forwarded-For as written
	// by trusted proxies only, never from headers a client can forge: the sign-in limits
	// depend on them.
	e.IPExtractor = echo.ExtractIPDirect()
	if len(d.Config.TrustedProxies) > 0 {
		trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range d.Config.TrustedProxies {
			trust = append(trust, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(trust...)
	}
	e.Use(
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}),
		noSniff,
		s.observe,
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: s.logPanic}),
	)
	s.routes = s.routeTable()
	s.openapi = sync.OnceValue(s.OpenAPI)
	if len(d.Config.CORSOrigins) > 0 {
		e.Use(s.publicCORS(d.Config.CORSOrigins))
	}
	for _, r := range s.routes {
		h := r.handler
		if r.query != nil {
			h = withQuery(reflect.TypeOf(r.query), h)
		}
		if r.body == nil && r.consumes == "" && r.method != http.MethodGet && r.method != http.MethodDelete {
			h = noFields(h)
		}
		if r.method == http.MethodPost && r.idempotent {
			h = s.idempotent(h)
		}
		if r.oneOf != nil {
			h = checkOneOf(r.oneOf, h)
		}
		h = cleanInput(h)
		if r.roles != nil {
			h = s.authorise(r.roles, h)
		}
		limit := int64(MaxBody)
		if r.maxBody > 0 {
			limit = r.maxBody
		}
		e.Add(r.method, r.path, s.limitBody(limit, h))
	}
	s.addPages()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// today is the store's current day in its time zone.
func (s *Server) today() models.Date {
	return models.NewDate(s.Now().In(s.Config.Location))
}

// dayOr is d, or today when d is nil.
func (s *Server) dayOr(d *models.Date) models.Date {
	if d == nil {
		return s.today()
	}
	return *d
}

// dayStart is the moment the day days after d begins in the store's time zone, nil when
// d is: 0 for a first day's start, 1 for a last day's end.
func (s *Server) dayStart(d *models.Date, days int) *time.Time {
	if d == nil {
		return nil
	}
	t := d.AddDays(days).Start(s.Config.Location)
	return &t
}
