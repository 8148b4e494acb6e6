package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrapstore/scrapstore/models"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	waiting  prometheus.Gauge
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scrapstore_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "scrapstore_http_request_duration_seconds", Help: "HTTP request duration by method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "scrapstore_http_requests_waiting", Help: "Requests waiting their turn to be worked on (see the concurrency setting).",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.waiting)
	return m
}

// noSniff tells browsers to take every answer as the type it says it is, so that an
// uploaded file can never be run as a page or a script.
func noSniff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderXContentTypeOptions, "nosniff")
		return next(c)
	}
}

func newRequestID() string { return rand.Text() }

// inTurn works on at most Concurrency requests at once; the rest wait their turn, first
// come first served (a channel's waiting senders are a queue). Left to the database pool,
// a busy service would hand each free connection to a waiting statement at random, so a
// request of many statements would draw many times and its wait would grow with its
// length: the slowest requests would be very slow. A request gives its turn back as its
// answer starts, so a client slow to read cannot hold one; health checks never wait.
func (s *Server) inTurn(c echo.Context, next echo.HandlerFunc) error {
	if p := c.Path(); p == "/healthz" || p == "/readyz" {
		return next(c)
	}
	select {
	case s.turns <- struct{}{}:
	default:
		s.metrics.waiting.Inc()
		select {
		case s.turns <- struct{}{}:
			s.metrics.waiting.Dec()
		case <-c.Request().Context().Done(): // the client gave up waiting
			s.metrics.waiting.Dec()
			return c.Request().Context().Err()
		}
	}
	held := true
	giveBack := func() {
		if held {
			held = false
			<-s.turns
		}
	}
	c.Response().Before(giveBack)
	defer giveBack()
	return next(c)
}

// observe renders the handler's error (so the status is known), then counts the request
// and writes one log line for it.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" || strings.HasSuffix(route, "/*") {
			route = "unmatched" // keeps junk URLs from growing the label set
		}
		status := c.Response().Status
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Inc()
		s.metrics.duration.WithLabelValues(c.Request().Method, route).Observe(elapsed.Seconds())
		attrs := []any{
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"method", c.Request().Method, "route", route, "status", status,
			"duration_ms", float64(elapsed.Microseconds()) / 1000, "bytes", c.Response().Size,
		}
		if u, ok := c.Get(userKey).(*models.User); ok {
			attrs = append(attrs, "user_id", u.ID)
		}
		s.Logger.InfoContext(c.Request().Context(), "request", attrs...)
		return nil
	}
}

func (s *Server) logPanic(c echo.Context, err error, stack []byte) error {
	s.Logger.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "error", err.Error(), "stack", string(stack))
	return err
}

const userKey = "user"

// currentUser is the signed-in user; routes with roles always have one.
func currentUser(c echo.Context) *models.User {
	u, _ := c.Get(userKey).(*models.User)
	return u
}

func bearer(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authorise lets through only a signed-in user whose role is in roles.
func (s *Server) authorise(roles []models.Role, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		secret := bearer(c)
		if secret == "" {
			return fmt.Errorf("sign in first: send Authorization: Bearer <token>: %w", models.ErrUnauthorized)
		}
		u, err := s.Store.Authenticate(c.Request().Context(), secret)
		if err != nil {
			return err
		}
		c.Set(userKey, u)
		if !slices.Contains(roles, u.Role) {
			return fmt.Errorf("the %s role may not do this: %w", u.Role, models.ErrForbidden)
		}
		return next(c)
	}
}

// captureWriter keeps a copy of what a handler writes, for the idempotency record.
type captureWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

// idempotent makes a creating POST with an Idempotency-Key header safe to retry: the
// first response for (user, key) is kept for a day and replayed for the same body; the
// same key with another body is a 422; a retry while the first request still runs is a
// 409 with Retry-After.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if key == "" {
			return next(c)
		}
		if len(key) > 255 {
			return models.Invalid("Idempotency-Key", "must be at most 255 characters")
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		var userID int64
		if u := currentUser(c); u != nil {
			userID = u.ID
		}
		ctx := c.Request().Context()
		claim, prev, err := s.Store.ClaimIdempotencyKey(ctx, userID, key, requestHash(c.Request(), body))
		if err != nil {
			return err
		}
		if prev != nil {
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(prev.Status, prev.ContentType, prev.Response)
		}
		// The claim, and whatever follows, must outlive a client that goes away.
		bg := context.WithoutCancel(ctx)
		stopRenewing := s.renewClaim(bg, claim)
		c.SetRequest(c.Request().WithContext(models.WithIdempotencyClaim(ctx, claim)))
		cw := &captureWriter{ResponseWriter: c.Response().Writer}
		c.Response().Writer = cw
		if err := next(c); err != nil {
			c.Error(err)
		}
		c.Response().Writer = cw.ResponseWriter
		stopRenewing()
		return s.Store.FinishIdempotencyKey(bg, claim, c.Response().Status, c.Response().Header().Get(echo.HeaderContentType), cw.buf.Bytes())
	}
}

// requestHash identifies a keyed request: its method, URL and body.
func requestHash(r *http.Request, body []byte) string {
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
	return hex.EncodeToString(sum[:])
}

// renewClaim keeps an idempotency claim's lease alive until stop is called, so that
// only a claim whose process has died ever runs out.
func (s *Server) renewClaim(ctx context.Context, claim *models.IdempotencyClaim) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(models.IdempotencyLease / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := s.Store.RenewIdempotencyKey(ctx, claim); err != nil && ctx.Err() == nil {
					s.Logger.WarnContext(ctx, "renew idempotency claim", "key", claim.Key, "error", err.Error())
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
