package api

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/demo"
)

// BenchmarkStockPage renders the member's stock page over the demo data (at
// SCRAPSTORE_BENCH_SCALE, default 10) and reports the median and 99th percentile, and
// the most a page transfers: its HTML with the stylesheet and htmx, uncompressed.
func BenchmarkStockPage(b *testing.B) {
	benchEngines(b, func(b *testing.B, store *models.Store) {
		if _, err := demo.Load(b.Context(), store, 1, benchScale(), models.NewDate(time.Now())); err != nil {
			b.Fatal(err)
		}
		e := newEnv(b, store)
		v := e.member()
		var assets int
		for _, name := range []string{"style.css", "htmx.min.js"} {
			assets += len(e.srv.site.files[e.srv.site.assets[name][len("/static/"):]])
		}
		paths := []string{"/stock", "/stock?q=felt", "/stock?category_id=2", "/stock?all=1", "/stock?category_id=1&q=card"}
		for _, p := range paths { // warm the caches: the figures are for a running service
			v.get(p).want(http.StatusOK)
		}
		var times []time.Duration
		most := 0
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req := httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil)
			t0 := time.Now()
			res := v.send(req)
			times = append(times, time.Since(t0))
			if res.status != http.StatusOK {
				b.Fatalf("status %d: %s", res.status, res.body)
			}
			most = max(most, len(res.body))
		}
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(most+assets)/1024, "max-page-KiB")
	})
}
