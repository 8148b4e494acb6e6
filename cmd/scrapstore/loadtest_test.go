package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/api"
	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/demo"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// demoServer serves the demo data over a fresh database and returns the manager's
// email and password.
func demoServer(t *testing.T, store *models.Store, wrap func(http.Handler) http.Handler) (url, email, password string) {
	t.Helper()
	london, _ := time.LoadLocation("Europe/London")
	users, err := demo.Load(context.Background(), store, 1, 1, models.NewDate(time.Now().In(london)))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Role == models.RoleManager {
			email, password = u.Email, u.Password
		}
	}
	var h http.Handler = api.NewServer(api.Deps{Store: store, Logger: slog.New(slog.DiscardHandler),
		Config: api.Config{TokenTTL: time.Hour, Location: london, Version: "test", DataDir: t.TempDir()}})
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL, email, password
}

// A short run against a real server: every kind of request of the mix is sent, nothing
// but successes and honest conflicts comes back, the ledger check runs through the API,
// and the users the test made are left deactivated.
func TestLoadtest(t *testing.T) {
	testdb.Each(t, func(t *testing.T, store *models.Store) {
		url, email, password := demoServer(t, store, nil)
		var out bytes.Buffer
		args := []string{"loadtest", "--url", url, "--duration", "2s", "--clients", "4", "--email", email}
		if err := run(context.Background(), args, env(nil), strings.NewReader(password+"\n"), &out, io.Discard); err != nil {
			t.Fatalf("loadtest: %v\n%s", err, &out)
		}
		report := out.String()
		for _, want := range []string{
			"GET /api/v1/stock ", "GET /api/v1/categories ", "GET /api/v1/slots ", "GET /api/v1/reservations ",
			"POST /api/v1/reservations ", "PATCH /api/v1/reservations/:id ", "POST /api/v1/reservations/:id/cancel ",
			"POST /api/v1/donations ", "POST /api/v1/stock/:id/adjustments ",
			" 0 other 4xx, 0 5xx, 0 without an answer", "a second\n",
		} {
			if !strings.Contains(report, want) {
				t.Errorf("the report does not show %q:\n%s", want, report)
			}
		}
		var items int64
		ctx := context.Background()
		store.DB(ctx).Model(&models.StockItem{}).Count(&items)
		if !strings.Contains(report, "ledger: all "+strconv.FormatInt(items, 10)+" stock items agree with the ledger") {
			t.Errorf("the report does not give the ledger check of %d items:\n%s", items, report)
		}
		if bad, _, err := store.CheckLedger(ctx); err != nil || len(bad) > 0 {
			t.Errorf("ledger after the load: %+v %v", bad, err)
		}

		var made, active, donations, reservations int64
		loadUsers := store.DB(ctx).Model(&models.User{}).Where("email LIKE ?", "load-%")
		loadUsers.Session(&gorm.Session{}).Count(&made)
		loadUsers.Session(&gorm.Session{}).Where("active = ?", true).Count(&active)
		store.DB(ctx).Model(&models.Donation{}).Where("created_by IN (SELECT id FROM users WHERE email LIKE ?)", "load-%").Count(&donations)
		store.DB(ctx).Model(&models.Reservation{}).Where("created_by IN (SELECT id FROM users WHERE email LIKE ?)", "load-%").Count(&reservations)
		var held int64
		store.DB(ctx).Model(&models.Reservation{}).Where("created_by IN (SELECT id FROM users WHERE email LIKE ?) AND status IN ?", "load-%",
			[]string{"pending", "confirmed"}).Count(&held)
		if made != 5 || active != 0 || donations == 0 || reservations == 0 || held != 0 {
			t.Errorf("made %d users (%d still active), %d donations, %d reservations (%d still held); "+
				"want 4 members and 1 staff, none active, some of each, none held",
				made, active, donations, reservations, held)
		}
	})
}

// A server that fails now and then fails the load test, which shows what came back.
func TestLoadtestFailsOnServerErrors(t *testing.T) {
	var n atomic.Int64
	url, email, password := demoServer(t, testdb.SQLite(t, nil), func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v1/stock" && r.URL.RawQuery != "" && n.Add(1)%5 == 0 {
				http.Error(w, "the shelf fell over", http.StatusInternalServerError)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	var out bytes.Buffer
	args := []string{"loadtest", "--url", url, "--duration", "1s", "--clients", "2", "--email", email}
	err := run(context.Background(), args, env(nil), strings.NewReader(password+"\n"), &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "unexpected answers") ||
		!strings.Contains(out.String(), "unexpected from GET /api/v1/stock: 500 the shelf fell over") {
		t.Fatalf("error %v; report:\n%s", err, &out)
	}
}
