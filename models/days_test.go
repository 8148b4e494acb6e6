package models_test

import (
	"context"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// The next working day is the next day a van works that the store is not closed: after a
// Friday, the Monday; before a closed day, the day after it; with no vans, a weekday.
func TestNextWorkingDay(t *testing.T) {
	weekdays := models.Weekdays[:5]
	cases := []struct {
		name   string
		vans   [][]string
		closed []string
		after  string
		want   string
	}{
		{"a weekday", [][]string{weekdays}, nil, "2026-11-26", "2026-11-27"},
		{"a Friday", [][]string{weekdays}, nil, "2026-11-27", "2026-11-30"},
		{"a Friday before a closed Monday", [][]string{weekdays}, []string{"2026-11-30"}, "2026-11-27", "2026-12-01"},
		{"Christmas Eve", [][]string{weekdays}, []string{"2026-12-25", "2026-12-28"}, "2026-12-24", "2026-12-29"},
		{"a Friday with a van on Saturdays", [][]string{weekdays, {"sat"}}, nil, "2026-11-27", "2026-11-28"},
		{"a Friday with no vans", nil, nil, "2026-11-27", "2026-11-30"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
				for i, days := range c.vans {
					f.Van("VAN"+string(rune('A'+i)), days...)
				}
				for _, d := range c.closed {
					if _, err := f.Store.CloseDay(context.Background(), f.Staff(), testdb.Day(d), "bank holiday"); err != nil {
						t.Fatal(err)
					}
				}
				got, err := f.Store.NextWorkingDay(context.Background(), testdb.Day(c.after))
				if err != nil || got != testdb.Day(c.want) {
					t.Fatalf("after %s: %s, %v; want %s", c.after, got, err, c.want)
				}
			})
		})
	}
}

// A stop the van could not do is missed with a reason, once; its request goes back to
// accepted, to be planned again; a driver not on the run cannot see the stop.
func TestMissStop(t *testing.T) {
	testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
		ctx, s := context.Background(), f.Store
		f.Van("BV21RDE", models.Weekdays[:5]...)
		req := f.AcceptedRequest(f.Donor("Albion Printers Ltd"), f.Today(), f.Today().AddDays(10))
		day, err := s.NextWorkingDay(ctx, f.Today())
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.PlanDay(ctx, f.Staff(), models.PlanRequest{Day: day}, testdb.Planning)
		if err != nil || len(res.Runs) != 1 || len(res.Runs[0].Stops) != 1 {
			t.Fatalf("planned %+v, %v", res, err)
		}
		stop := res.Runs[0].Stops[0]
		if stop.RequestID == nil || *stop.RequestID != req.ID {
			t.Fatalf("stop %+v is not for request %d", stop, req.ID)
		}
		if r, _ := s.PickupRequest(ctx, req.ID); r.Status != models.PickupScheduled {
			t.Fatalf("planned request is %s", r.Status)
		}

		_, err = s.MissStop(ctx, f.Staff(), stop.ID, "  ")
		wantProblem(t, err, "reason")
		_, err = s.MissStop(ctx, f.User(models.RoleDriver, nil), stop.ID, "closed")
		wantIs(t, err, models.ErrNotFound)

		missed, err := s.MissStop(ctx, f.Staff(), stop.ID, " closed when the van came ")
		if err != nil {
			t.Fatal(err)
		}
		var st models.RunStop
		if err := s.DB(ctx).First(&st, missed.ID).Error; err != nil || st.Status != "missed" || st.Reason != "closed when the van came" ||
			st.CompletedAt == nil || !st.CompletedAt.Equal(testdb.Clock) {
			t.Fatalf("missed stop %+v, %v", st, err)
		}
		r, err := s.PickupRequest(ctx, req.ID)
		if err != nil || r.Status != models.PickupAccepted {
			t.Fatalf("request after the miss: %+v, %v", r, err)
		}
		_, err = s.MissStop(ctx, f.Staff(), stop.ID, "again")
		wantIs(t, err, models.ErrConflict)
		if bad, err := s.CheckRuns(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("runs: %+v, %v", bad, err)
		}
	})
}
