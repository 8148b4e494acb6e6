package api

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

func TestUnavailableErrors(t *testing.T) {
	cases := map[string]struct {
		err  error
		want bool
	}{
		"bad connection":      {fmt.Errorf("list stock: %w", driver.ErrBadConn), true},
		"refused":             {&pgconn.ConnectError{}, true},
		"cut off":             {&net.OpError{Op: "read", Err: io.EOF}, true},
		"cut mid-reply":       {fmt.Errorf("list stock: %w", io.ErrUnexpectedEOF), true},
		"connection failure":  {&pgconn.PgError{Code: "08006"}, true},
		"admin shutdown":      {&pgconn.PgError{Code: "57P01"}, true},
		"crash shutdown":      {&pgconn.PgError{Code: "57P02"}, true},
		"starting up":         {&pgconn.PgError{Code: "57P03"}, true},
		"query cancelled":     {&pgconn.PgError{Code: "57014"}, false},
		"unique violation":    {&pgconn.PgError{Code: "23505"}, false},
		"syntax error":        {&pgconn.PgError{Code: "42601"}, false},
		"not found":           {gorm.ErrRecordNotFound, false},
		"anything else":       {errors.New("boom"), false},
		"a domain conflict":   {models.Conflict("no"), false},
		"sqlite busy or full": {errors.New("database is locked (5) (SQLITE_BUSY)"), false},
	}
	for name, c := range cases {
		if got := unavailable(c.err); got != c.want {
			t.Errorf("%s: unavailable(%v) = %v, want %v", name, c.err, got, c.want)
		}
	}
}

// While PostgreSQL cannot be reached, requests are answered 503 with Retry-After, not
// 500; when it is back, the service recovers by itself.
func TestDatabaseDownIs503(t *testing.T) {
	direct := testdb.Postgres(t, nil)
	u, err := url.Parse(direct.URL())
	if err != nil {
		t.Fatal(err)
	}
	// The service reaches the database through a proxy that the test can cut, as a
	// restart of the database server would.
	p := startProxy(t, u.Host)
	u.Host = p.addr
	proxied, err := models.Open(models.OpenOptions{URL: u.String()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxied.Close() })
	e := newEnv(t, proxied)
	staff := e.as(models.RoleStaff)
	e.do(http.MethodGet, "/api/v1/stock", staff, nil).want(http.StatusOK)

	p.stop()
	bay := map[string]string{"code": "B1", "name": "Bay 1", "kind": "bay"}
	for _, r := range []struct {
		method, path, token string
		body                any
	}{
		{http.MethodGet, "/api/v1/stock", staff, nil},
		{http.MethodGet, "/api/v1/me", staff, nil},
		{http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": e.users[models.RoleStaff].Email, "password": testPassword}},
		{http.MethodPost, "/api/v1/locations", staff, bay},
	} {
		res := e.do(r.method, r.path, r.token, r.body, "Idempotency-Key", "down")
		res.problem(http.StatusServiceUnavailable, "")
		if res.header.Get("Retry-After") == "" {
			t.Fatalf("%s %s: 503 without Retry-After", r.method, r.path)
		}
	}
	e.do(http.MethodGet, "/readyz", "", nil).want(http.StatusServiceUnavailable)

	p.start(t)
	back := time.Now()
	// Pooled connections cut while it was down are found dead and replaced; readyz is
	// how a load balancer would see that it is back.
	deadline := time.Now().Add(10 * time.Second)
	for e.do(http.MethodGet, "/readyz", "", nil).status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the service did not recover once the database was back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("ready again %v after the database came back", time.Since(back).Round(time.Millisecond))
	e.do(http.MethodGet, "/api/v1/me", staff, nil).want(http.StatusOK)
	e.do(http.MethodPost, "/api/v1/locations", staff, bay, "Idempotency-Key", "down").want(http.StatusCreated)
}

// tcpProxy forwards connections to a server until it is stopped; stopping it refuses new
// connections and cuts the open ones.
type tcpProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{addr: "127.0.0.1:0", target: target}
	p.start(t)
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
}

func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
