package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

func TestErrorsAreProblems(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		e.do(http.MethodGet, "/api/v1/no-such-thing", mgr, nil).problem(http.StatusNotFound, "")
		res := e.do(http.MethodDelete, "/api/v1/me", mgr, nil)
		res.problem(http.StatusMethodNotAllowed, "")
		if !strings.Contains(res.header.Get("Allow"), "GET") {
			t.Errorf("405 without Allow: %v", res.header)
		}
		big := `{"email":"` + strings.Repeat("a", 1<<20) + `@x.org"}`
		e.do(http.MethodPost, "/api/v1/users", mgr, big).problem(http.StatusRequestEntityTooLarge, "")
		e.do(http.MethodPost, "/api/v1/users", mgr, nil, "Content-Type", "text/plain").problem(http.StatusUnsupportedMediaType, "")
		e.do(http.MethodPost, "/api/v1/users", mgr, `{"email": 5}`).problem(http.StatusBadRequest, "email")
		e.do(http.MethodPost, "/api/v1/users", mgr, `{"emial": "x@y.org"}`).problem(http.StatusBadRequest, "emial")
		e.do(http.MethodPost, "/api/v1/users", mgr, `{"email": "x@y.org"`).problem(http.StatusBadRequest, "")
		e.do(http.MethodPost, "/api/v1/users", mgr, `{} {}`).problem(http.StatusBadRequest, "")
		p := e.do(http.MethodPost, "/api/v1/users", mgr, `{}`).problem(http.StatusUnprocessableEntity, "email")
		if len(p.Errors) < 4 {
			t.Errorf("a 422 lists every missing field, got %+v", p.Errors)
		}
		// Every response carries a request id, and a problem repeats it.
		if res.header.Get("X-Request-ID") == "" {
			t.Error("no X-Request-ID")
		}
		if nothing := e.do(http.MethodPost, "/api/v1/users", mgr, `{"email": "x@y.org"`); nothing.header.Get("X-Request-ID") == "" {
			t.Error("no X-Request-ID on an error")
		}
	})
}

func TestHealthAndMetrics(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.do(http.MethodGet, "/healthz", "", nil).want(http.StatusOK)
		e.do(http.MethodGet, "/readyz", "", nil).want(http.StatusOK)
		e.do(http.MethodGet, "/api/v1/users/1", e.as(models.RoleManager), nil).want(http.StatusOK)
		e.do(http.MethodGet, "/metrics", "", nil).problem(http.StatusUnauthorized, "")
		e.do(http.MethodGet, "/metrics", e.as(models.RoleStaff), nil).problem(http.StatusForbidden, "")
		m := string(e.do(http.MethodGet, "/metrics", e.as(models.RoleManager), nil).want(http.StatusOK).body)
		for _, want := range []string{
			`scrapstore_http_requests_total{method="GET",route="/api/v1/users/:id",status="200"} 1`,
			`scrapstore_http_request_duration_seconds_bucket{method="GET",route="/readyz"`,
			`go_sql_max_open_connections{db_name="scrapstore"}`,
		} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		// With the database closed, the service is up but not ready.
		e.store.Close()
		e.do(http.MethodGet, "/healthz", "", nil).want(http.StatusOK)
		e.do(http.MethodGet, "/readyz", "", nil).want(http.StatusServiceUnavailable)
	})
}

// An unexpected error is a 500 that says nothing internal, logged with its request id.
func TestInternalErrorsSayNothing(t *testing.T) {
	store := testdb.SQLite(t, nil)
	var logs strings.Builder
	srv := NewServer(Deps{Store: store, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Config: Config{TokenTTL: time.Hour, Location: london}})
	srv.echo.GET("/boom", func(echo.Context) error { return errors.New("pq: relation secret_table does not exist") })
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != 500 || strings.Contains(rec.Body.String(), "secret_table") ||
		p.RequestID == "" {
		t.Fatalf("500 body: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "secret_table") || !strings.Contains(logs.String(), p.RequestID) {
		t.Fatalf("the log lacks the error or the request id: %s", logs.String())
	}
}

// A busy service works on as many requests as its concurrency setting allows and serves
// the rest in the order they came; a client still sending its body holds no turn; health
// checks never wait; a client that gives up while waiting leaves the queue.
func TestBusyServiceServesInTurn(t *testing.T) {
	store := testdb.SQLite(t, nil)
	srv := NewServer(Deps{Store: store, Logger: slog.New(slog.DiscardHandler), Config: Config{TokenTTL: time.Hour, Location: london, Concurrency: 1}})
	entered, release := make(chan string, 5), make(chan struct{})
	slow := srv.limitBody(MaxBody, func(c echo.Context) error {
		entered <- c.Param("name")
		<-release
		return c.NoContent(http.StatusNoContent)
	})
	srv.echo.GET("/slow/:name", slow)
	srv.echo.POST("/slow/:name", slow)
	waiting := func(want float64) {
		t.Helper()
		for range 500 {
			if testutil.ToFloat64(srv.metrics.waiting) == want {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		t.Fatalf("waiting requests: %v, want %v", testutil.ToFloat64(srv.metrics.waiting), want)
	}
	codes := make(chan int, 5)
	send := func(req *http.Request) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		codes <- rec.Code
	}
	body, sendBody := io.Pipe()
	go send(httptest.NewRequest(http.MethodPost, "/slow/uploader", body))
	go send(httptest.NewRequest(http.MethodGet, "/slow/first", nil))
	if got := <-entered; got != "first" {
		t.Fatalf("entered %s first: a body still on its way holds a turn", got)
	}
	for i, name := range []string{"second", "third"} {
		go send(httptest.NewRequest(http.MethodGet, "/slow/"+name, nil))
		waiting(float64(i + 1))
	}
	ctx, giveUp := context.WithCancel(context.Background())
	go send(httptest.NewRequestWithContext(ctx, http.MethodGet, "/slow/impatient", nil))
	waiting(3)
	giveUp()
	if code := <-codes; code != models.StatusClientClosed {
		t.Errorf("a request given up while waiting: %d", code)
	}
	waiting(2)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("healthz while busy: %d", rec.Code)
	}
	sendBody.Write([]byte("{}"))
	sendBody.Close()
	waiting(3)
	for _, want := range []string{"second", "third", "uploader"} {
		release <- struct{}{}
		if got := <-entered; got != want {
			t.Errorf("entered %s, want %s: requests are served in the order they came", got, want)
		}
	}
	release <- struct{}{}
	for range 4 {
		if code := <-codes; code != http.StatusNoContent {
			t.Errorf("a served request: %d", code)
		}
	}
	waiting(0)
}
