package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// The nightly planning on a Friday plans Monday's runs, and Tuesday's when Monday is a
// bank holiday; it never replaces runs that are there.
func TestPlanNextDayAfterAFriday(t *testing.T) {
	friday := time.Date(2026, 11, 27, 17, 0, 0, 0, testdb.London)
	for _, c := range []struct {
		name   string
		closed []string
		want   string
	}{
		{"an ordinary weekend", nil, "2026-11-30"},
		{"a closed Monday", []string{"2026-11-30"}, "2026-12-01"},
	} {
		t.Run(c.name, func(t *testing.T) {
			testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
				ctx := context.Background()
				f.Van("BV21RDE", models.Weekdays[:5]...)
				req := f.AcceptedRequest(f.Donor("Albion Printers Ltd"), f.Today(), f.Today().AddDays(10))
				for _, d := range c.closed {
					if _, err := f.Store.CloseDay(ctx, f.Staff(), testdb.Day(d), "bank holiday"); err != nil {
						t.Fatal(err)
					}
				}
				plan := PlanNextDay(testdb.Planning)
				summary, err := plan(ctx, f.Store, friday)
				if err != nil || summary != c.want+": 1 runs, 1 stops, 0 unassigned" {
					t.Fatalf("summary %q, %v", summary, err)
				}
				day := testdb.Day(c.want)
				runs, _, err := f.Store.ListRuns(ctx, models.RunFilter{Day: &day}, models.Page{})
				if err != nil || len(runs) != 1 || len(runs[0].Stops) != 1 || *runs[0].Stops[0].RequestID != req.ID {
					t.Fatalf("runs on %s: %+v, %v", c.want, runs, err)
				}
				if summary, err := plan(ctx, f.Store, friday); err != nil || !strings.HasPrefix(summary, c.want+": 0 runs") {
					t.Fatalf("planning the day again: %q, %v", summary, err)
				}
			})
		})
	}
}
