package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/demo"
)

// BenchmarkStockPage renders the member's stock page over the demo data (at
// SCRAPSTORE_BENCH_SCALE, default 10) and reports the median and 99th percentile, and
// the most a page transfers: its HTML with the stylesheet and htmx, uncompressed.
func BenchmarkStockPage(b *testing.B) {
	benchPages(b, models.RoleMember, "/stock", "/stock?q=felt", "/stock?category_id=2", "/stock?all=1", "/stock?category_id=1&q=card")
}

// BenchmarkStockroomPage does the same for the staff's stock list, with its filters
// and sorts.
func BenchmarkStockroomPage(b *testing.B) {
	benchPages(b, models.RoleStaff, "/stockroom", "/stockroom?q=felt", "/stockroom?category_id=2&available_only=true", "/stockroom?location_id=3",
		"/stockroom?sort=-updated_at", "/stockroom?category_id=1&q=card&sort=-description")
}

// benchPages loads the demo data, signs in with role and times GETs of the paths in
// turn, reporting the median, the 99th percentile and the largest page with its assets.
func benchPages(b *testing.B, role models.Role, list ...string) {
	benchEngines(b, func(b *testing.B, store *models.Store) {
		if _, err := demo.Load(b.Context(), store, 1, benchScale(), models.NewDate(time.Now())); err != nil {
			b.Fatal(err)
		}
		e := newEnv(b, store)
		v := e.visitor()
		v.signIn(e.users[role])
		var assets int
		for _, name := range []string{"style.css", "htmx.min.js"} {
			assets += len(e.srv.site.files[e.srv.site.assets[name][len("/static/"):]])
		}
		for _, p := range list { // warm the caches: the figures are for a running service
			v.get(p).want(http.StatusOK)
		}
		var times []time.Duration
		most := 0
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req := httptest.NewRequest(http.MethodGet, list[i%len(list)], nil)
			t0 := time.Now()
			res := v.send(req)
			times = append(times, time.Since(t0))
			if res.status != http.StatusOK {
				b.Fatalf("status %d: %s", res.status, res.body)
			}
			most = max(most, len(res.body))
		}
		reportPercentiles(b, times)
		b.ReportMetric(float64(most+assets)/1024, "max-page-KiB")
	})
}
