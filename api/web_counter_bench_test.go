package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/demo"
)

// BenchmarkDonationFormSave saves three-line donations through the staff's entry form
// (form post, idempotency claim, the Store's ReceiveDonation, the redirect) over the demo
// data at SCRAPSTORE_BENCH_SCALE (default 10), one after another as at a counter, and
// reports the median and 99th percentile.
func BenchmarkDonationFormSave(b *testing.B) {
	benchEngines(b, func(b *testing.B, store *models.Store) {
		if _, err := demo.Load(b.Context(), store, 1, benchScale(), models.NewDate(time.Now())); err != nil {
			b.Fatal(err)
		}
		e := newEnv(b, store)
		cats, _, err := store.ListCategories(b.Context(), models.Page{Limit: 3}, e.srv.today())
		if err != nil || len(cats) < 3 {
			b.Fatalf("demo categories: %d %v", len(cats), err)
		}
		active := true
		locs, _, err := store.ListLocations(b.Context(), &active, models.Page{Limit: 2})
		if err != nil || len(locs) < 2 {
			b.Fatalf("demo locations: %d %v", len(locs), err)
		}
		v := e.visitor()
		v.signIn(e.users[models.RoleStaff])
		form := func(key string) url.Values {
			f := url.Values{"idempotency_key": {key}, "channel": {"drop_off"}, csrfField: {v.cookies[csrfCookie].Value}}
			for i, cat := range cats {
				f.Set(lineField(i, "category_id"), cat.Name)
				f.Set(lineField(i, "description"), "bench "+cat.Name)
				f.Set(lineField(i, "quantity"), "2")
				f.Set(lineField(i, "unit"), "kg")
				f.Set(lineField(i, "location_id"), itoa(locs[i%2].ID))
			}
			return f
		}
		post := func(key string) *pageResult {
			req := httptest.NewRequest(http.MethodPost, "/donations", strings.NewReader(form(key).Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return v.send(req)
		}
		for i := range 5 { // warm the caches: the figures are for a running service
			post(fmt.Sprintf("warm-%d", i)).want(http.StatusSeeOther)
		}
		var times []time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req := fmt.Sprintf("bench-%d", i)
			t0 := time.Now()
			res := post(req)
			times = append(times, time.Since(t0))
			if res.status != http.StatusSeeOther {
				b.Fatalf("status %d: %s", res.status, res.body)
			}
		}
		reportPercentiles(b, times)
	})
}

// reportPercentiles reports the median and the 99th percentile of times, in ms.
func reportPercentiles(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}
