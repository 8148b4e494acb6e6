package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/jobs"
	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// testEnv is a server over a fresh database, with a signed-in user of each role.
type testEnv struct {
	t      testing.TB
	store  *models.Store
	srv    *Server
	sched  *jobs.Scheduler
	org    *models.Organisation // the member's organisation
	tokens map[models.Role]string
	users  map[models.Role]*models.User
	fx     *testdb.Fixture // builds what tests start from
}

const testPassword = testdb.Password

var london = testdb.London

// eachEnv runs fn on every database engine available, each with a fresh server.
func eachEnv(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	testdb.Each(t, func(t *testing.T, store *models.Store) { fn(t, newEnv(t, store)) })
}

// browserEnv runs fn once, for a browser test: the pages' rules are checked on every
// engine by the handler tests, and a browser drives them on one, PostgreSQL when it is
// set up (as in production), else SQLite.
func browserEnv(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	if os.Getenv(testdb.EnvURL) != "" {
		fn(t, newEnv(t, testdb.Postgres(t, nil)))
		return
	}
	fn(t, newEnv(t, testdb.SQLite(t, nil)))
}

func newEnv(t testing.TB, store *models.Store) *testEnv {
	t.Helper()
	return newEnvWith(t, store, func(*Config) {})
}

// newEnvWith is newEnv with settings changed by configure.
func newEnvWith(t testing.TB, store *models.Store, configure func(*Config)) *testEnv {
	t.Helper()
	e := &testEnv{t: t, store: store, tokens: map[models.Role]string{}, users: map[models.Role]*models.User{}, fx: testdb.NewFixture(t, store)}
	var cfg Config
	configure(&cfg)
	e.srv, e.sched = newTestServer(t, store, cfg)
	e.org = e.newOrganisation("Greets Green Primary School")
	for _, role := range models.Roles {
		u, tok := e.newUser(role, e.org)
		e.users[role], e.tokens[role] = u, tok
	}
	return e
}

// newTestServer builds a server and its scheduler over store, with the test settings
// and any of cfg's that are set.
func newTestServer(t testing.TB, store *models.Store, cfg Config) (*Server, *jobs.Scheduler) {
	t.Helper()
	var logTo io.Writer = io.Discard
	if os.Getenv("SCRAPSTORE_TEST_LOG") != "" {
		logTo = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	cfg.TokenTTL, cfg.Location, cfg.Version, cfg.DataDir = time.Hour, london, "test", t.TempDir()
	cfg.Planning = testdb.Planning
	sched, err := jobs.New(store, log, london, time.Now, nil, jobs.Defaults(jobs.Settings{Location: london, ReservationGrace: 24 * time.Hour,
		DataDir: cfg.DataDir, Planning: cfg.Planning}))
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(Deps{Store: store, Logger: log, Jobs: sched, Config: cfg}), sched
}

// newOrganisation is a builder for a member organisation with a membership in date.
func (e *testEnv) newOrganisation(name string) *models.Organisation { return e.fx.Organisation(name) }

// newUser creates a user of the role (members in org) and signs them in.
func (e *testEnv) newUser(role models.Role, org *models.Organisation) (*models.User, string) {
	e.t.Helper()
	u := e.fx.User(role, org)
	res := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": testPassword})
	res.want(http.StatusOK)
	var lr struct{ Token string }
	res.decode(&lr)
	return u, lr.Token
}

// refreshTokens signs in again any user whose token no longer works.
func (e *testEnv) refreshTokens() {
	e.t.Helper()
	for role, tok := range e.tokens {
		if e.do(http.MethodGet, "/api/v1/me", tok, nil).status == http.StatusUnauthorized {
			res := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": e.users[role].Email, "password": testPassword})
			res.want(http.StatusOK)
			var lr struct{ Token string }
			res.decode(&lr)
			e.tokens[role] = lr.Token
		}
	}
}

type result struct {
	t      testing.TB
	status int
	header http.Header
	body   []byte
}

// do sends a request through the real router. body is marshalled as JSON unless it is
// a string or []byte, which are sent as they are.
func (e *testEnv) do(method, path, token string, body any, headers ...string) *result {
	e.t.Helper()
	return e.serve(e.request(method, path, token, body, headers...))
}

// request builds what do sends, for a test that changes it further (its address).
func (e *testEnv) request(method, path, token string, body any, headers ...string) *http.Request {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

// serve sends a request through the real router.
func (e *testEnv) serve(req *http.Request) *result {
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return &result{t: e.t, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (e *testEnv) as(role models.Role) string { return e.tokens[role] }

func (r *result) want(status int) *result {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

func (r *result) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.body, err)
	}
}

// problem checks an error response: its status, that it is problem+json, and (when
// field is not empty) that it names the field.
func (r *result) problem(status int, field string) Problem {
	r.t.Helper()
	r.want(status)
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("content type %q, want application/problem+json; body %s", ct, r.body)
	}
	var p Problem
	r.decode(&p)
	if p.Status != status || p.Title == "" {
		r.t.Fatalf("problem %+v does not match status %d", p, status)
	}
	if field != "" {
		for _, fe := range p.Errors {
			if fe.Field == field {
				return p
			}
		}
		r.t.Fatalf("problem does not name field %q: %s", field, r.body)
	}
	return p
}

// parallel runs fn n times at once and waits for all.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// tally counts the statuses of requests.
func tally(statuses []int) map[int]int {
	n := map[int]int{}
	for _, st := range statuses {
		n[st]++
	}
	return n
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func jsonDecode(b []byte, v any) error { return json.Unmarshal(b, v) }
