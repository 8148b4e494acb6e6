package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/demo"
	"github.com/scrapstore/scrapstore/models/testdb"
	"github.com/scrapstore/scrapstore/reports"
	"gorm.io/gorm"
)

// BenchmarkAuthenticatedList measures one signed-in request through the whole stack
// (token lookup, role check, a keyset page of 50 users, JSON) on each engine.
func BenchmarkAuthenticatedList(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			store := testdb.SQLite(b, nil)
			if engine == "postgres" {
				store = testdb.Postgres(b, nil)
			}
			e := newEnv(b, store)
			drivers := make([]models.User, 200)
			for i := range drivers {
				drivers[i] = models.User{Email: fmt.Sprintf("d%d@example.org", i), Name: "Driver", Role: models.RoleDriver, PasswordHash: "x", Active: true}
			}
			testdb.Write(b, store, func(tx *gorm.DB) *gorm.DB { return tx.Create(&drivers) })
			tok := e.as(models.RoleManager)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, "/api/v1/users?role=driver&limit=50", nil)
					req.Header.Set("Authorization", "Bearer "+tok)
					rec := httptest.NewRecorder()
					e.srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d", rec.Code)
					}
				}
			})
		})
	}
}

// benchEngines runs a benchmark on SQLite, and on PostgreSQL when it is configured.
func benchEngines(b *testing.B, fn func(b *testing.B, store *models.Store)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, testdb.SQLite(b, nil)) })
	if os.Getenv(testdb.EnvURL) != "" {
		b.Run("postgres", func(b *testing.B) { fn(b, testdb.Postgres(b, nil)) })
	}
}

// BenchmarkReceiveDonation logs donations of 5 lines each through the API, 4 at a time,
// and reports donations a second.
func BenchmarkReceiveDonation(b *testing.B) {
	benchEngines(b, func(b *testing.B, store *models.Store) {
		e := newEnv(b, store)
		cat := e.newCategory("Paper", "box", map[string]float64{"box": 4}, 0.92)
		locs := []int64{e.newLocation("B1").ID, e.newLocation("B2").ID}
		tok := e.as(models.RoleStaff)
		var n atomic.Int64
		b.SetParallelism(2) // 2 x GOMAXPROCS clients
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				lines := make([]map[string]any, 5)
				for j := range lines {
					lines[j] = map[string]any{"category_id": cat.ID, "description": fmt.Sprintf("Item %d", (int(i)+j)%50), "location_id": locs[j%2],
						"quantity": 1 + j}
				}
				body, _ := json.Marshal(map[string]any{"channel": "drop_off", "lines": lines})
				req := httptest.NewRequest(http.MethodPost, "/api/v1/donations", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				e.srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusCreated {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
		b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "donations/s")
	})
}

// benchScale is the demo scale of the large-database benchmarks: 150 gives about
// 100,000 stock items and 150,000 donations (SCRAPSTORE_BENCH_SCALE=150).
func benchScale() int {
	if n, err := strconv.Atoi(os.Getenv("SCRAPSTORE_BENCH_SCALE")); err == nil && n > 0 {
		return n
	}
	return 10
}

// BenchmarkStockList times filtered, sorted pages of GET /api/v1/stock on a large demo
// database and reports the median and 99th percentile.
func BenchmarkStockList(b *testing.B) {
	benchEngines(b, func(b *testing.B, store *models.Store) {
		if _, err := demo.Load(b.Context(), store, 1, benchScale(), models.NewDate(time.Now())); err != nil {
			b.Fatal(err)
		}
		e := newEnv(b, store)
		var items int64
		store.DB(b.Context()).Model(&models.StockItem{}).Count(&items)
		queries := []string{
			"/api/v1/stock?available_only=true&limit=50",
			"/api/v1/stock?category_id=2&sort=-updated_at&limit=50",
			"/api/v1/stock?location_id=3&available_only=true",
			"/api/v1/stock?q=felt&limit=20",
			"/api/v1/stock?category_id=1&location_id=2&sort=description",
		}
		tok := e.as(models.RoleMember)
		var times []time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req := httptest.NewRequest(http.MethodGet, queries[i%len(queries)], nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			t0 := time.Now()
			e.srv.ServeHTTP(rec, req)
			times = append(times, time.Since(t0))
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
		reportPercentiles(b, times)
		b.ReportMetric(float64(items), "items")
	})
}

// BenchmarkExportDonations streams a year of donation lines as CSV.
func BenchmarkExportDonations(b *testing.B) {
	benchEngines(b, func(b *testing.B, store *models.Store) {
		if _, err := demo.Load(b.Context(), store, 1, benchScale(), models.NewDate(time.Now())); err != nil {
			b.Fatal(err)
		}
		var lines int64
		store.DB(b.Context()).Model(&models.DonationLine{}).Count(&lines)
		to := time.Now().Add(24 * time.Hour)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := store.ExportDonations(b.Context(), io.Discard, to.AddDate(-1, 0, -1), to); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(lines), "lines")
	})
}

// BenchmarkFigures computes one month's figures and renders the funders' PDF on a large
// demo database (SCRAPSTORE_BENCH_SCALE=100: about 100,000 donations over 12 months).
func BenchmarkFigures(b *testing.B) {
	benchEngines(b, func(b *testing.B, store *models.Store) {
		if _, err := demo.Load(b.Context(), store, 1, benchScale(), models.NewDate(time.Now())); err != nil {
			b.Fatal(err)
		}
		var donations int64
		store.DB(b.Context()).Model(&models.Donation{}).Count(&donations)
		last := time.Now().AddDate(0, -1, 0)
		first := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC)
		p := models.Period{From: models.Date{Time: first}, To: models.Date{Time: first.AddDate(0, 1, -1)}}
		var figures, pdf time.Duration
		queries := 0
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			f, err := store.ComputeFigures(b.Context(), p, london)
			if err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := reports.FundersPDF(io.Discard, f, reports.Meta{StoreName: "Bench", MadeBy: "bench", MadeAt: t1, Location: london}); err != nil {
				b.Fatal(err)
			}
			figures += t1.Sub(t0)
			pdf += time.Since(t1)
			queries = f.Queries
		}
		b.ReportMetric(float64(figures.Milliseconds())/float64(b.N), "figures-ms")
		b.ReportMetric(float64(pdf.Milliseconds())/float64(b.N), "pdf-ms")
		b.ReportMetric(float64(queries), "queries")
		b.ReportMetric(float64(donations), "donations")
	})
}

// BenchmarkBusyRoutes runs the requests the load test sends most, one at a time on a
// small store, and reports for each its time, its allocations and the database
// statements it runs (begin and commit aside): what a busy counter pays per request.
func BenchmarkBusyRoutes(b *testing.B) {
	benchEngines(b, func(b *testing.B, store *models.Store) {
		e := newEnv(b, store)
		statements := countStatements(b, store)
		e.openEveryDay(100)
		cat := e.newCategory("Paper", "box", map[string]float64{"box": 4}, 0.92)
		loc := e.newLocation("B1").ID
		item := e.newStock("Card tubes", 1_000_000, 0.2)
		member, staff := e.as(models.RoleMember), e.as(models.RoleStaff)
		run := func(name string, send func(i int) *http.Request, want int, after func(rec *httptest.ResponseRecorder)) {
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				statements.Store(0)
				for i := 0; i < b.N; i++ {
					rec := httptest.NewRecorder()
					e.srv.ServeHTTP(rec, send(i))
					if rec.Code != want {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
					if after != nil {
						b.StopTimer()
						n := statements.Load()
						after(rec)
						statements.Store(n)
						b.StartTimer()
					}
				}
				b.ReportMetric(float64(statements.Load())/float64(b.N), "statements/op")
			})
		}
		run("stock-list", func(int) *http.Request {
			return e.request(http.MethodGet, fmt.Sprintf("/api/v1/stock?category_id=%d&available_only=true", cat.ID), member, nil)
		}, http.StatusOK, nil)
		run("slots", func(int) *http.Request { return e.request(http.MethodGet, "/api/v1/slots", member, nil) }, http.StatusOK, nil)
		run("reserve", func(int) *http.Request {
			return e.request(http.MethodPost, "/api/v1/reservations", member, map[string]any{"slot_start": e.tomorrowSlot().Format(time.RFC3339),
				"lines": []map[string]any{{"stock_item_id": item, "quantity": 1}}})
		}, http.StatusCreated, func(rec *httptest.ResponseRecorder) {
			var r models.Reservation
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				b.Fatal(err)
			}
			e.do(http.MethodPost, fmt.Sprintf("/api/v1/reservations/%d/cancel", r.ID), member, nil).want(http.StatusOK)
		})
		run("donation", func(i int) *http.Request {
			lines := []map[string]any{{"category_id": cat.ID, "description": "Card offcuts", "location_id": loc, "quantity": 3},
				{"stock_item_id": item, "quantity": 1}}
			return e.request(http.MethodPost, "/api/v1/donations", staff, map[string]any{"channel": "drop_off", "lines": lines},
				"Idempotency-Key", fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i))
		}, http.StatusCreated, nil)
	})
}

// countStatements counts the statements store runs through gorm from now on.
func countStatements(b *testing.B, store *models.Store) *atomic.Int64 {
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	cb := store.DB(b.Context()).Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("bench:count", count),
		cb.Query().After("gorm:query").Register("bench:count", count),
		cb.Update().After("gorm:update").Register("bench:count", count),
		cb.Delete().After("gorm:delete").Register("bench:count", count),
		cb.Row().After("gorm:row").Register("bench:count", count),
		cb.Raw().After("gorm:raw").Register("bench:count", count),
	} {
		if err != nil {
			b.Fatal(err)
		}
	}
	return &n
}
